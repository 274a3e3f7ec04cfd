"""Start-up of whole processes, this checkout against another, alternately in the same run:
``fbs-sensor replay --json RECORDING`` and ``fbs-sensor --help`` (wall and CPU time of the process),
the same replay under ``python -X importtime`` (the sum of every module's own import time, wall
clock), and the CPU time its imports take (``time.process_time`` around every outermost import).

    python bench/bench_startup.py --reference /path/to/other/checkout [--runs 5]
                                  [--recording /tmp/fbs-cli/rtlsdr-10s/rtlsdr.sigmf-meta]

The recording defaults to ``bench_cli.py``'s 10 s, 2.4 Msps cu8 file of 8 cells (make it with
``python bench/bench_cli.py --no-grgsm --repeat 1`` or give another). Each round runs every command
once per checkout, the checkouts' order swapped every round, so both see the same load. The replay's
output must be byte-identical between the checkouts (checked every run). Prints one JSON line per
figure: median and minimum over the runs (the minimum is the least disturbed by other processes on
a shared machine), and the top-level importtime breakdown of each checkout's last run.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RECORDING = Path("/tmp/fbs-cli/rtlsdr-10s/rtlsdr.sigmf-meta")
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \| +(\d+) \| ( *)(\S+)")
# The CLI run in a process that adds up the CPU time (time.process_time: not the time other processes
# take the core) spent in outermost imports, those of import statements anywhere (functions' too)
# and importlib.import_module's, and prints it last on standard error.
CPU_OF_IMPORTS = """
import atexit, builtins, importlib, sys, time
spent = [0.0]
depth = [0]
def counted(fn):
    def wrapper(*args, **kw):
        if depth[0]:
            return fn(*args, **kw)
        depth[0] += 1
        t0 = time.process_time()
        try:
            return fn(*args, **kw)
        finally:
            spent[0] += time.process_time() - t0
            depth[0] -= 1
    return wrapper
builtins.__import__ = counted(builtins.__import__)
importlib.import_module = counted(importlib.import_module)
atexit.register(lambda: print(f"import_cpu_s {spent[0]:.6f}", file=sys.stderr))
sys.argv = ["fbs-sensor", *sys.argv[1:]]
from sensor.cli import main
main()
"""


def run(
    root: Path, args: list[str], *, importtime: bool = False, import_cpu: bool = False
) -> tuple[float, float, str, str]:
    """Wall and CPU seconds (user + system of the child), stdout and stderr of ``python -m sensor.cli ARGS``
    with the checkout at ``root`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    how = ["-c", CPU_OF_IMPORTS] if import_cpu else ["-m", "sensor.cli"]
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), *how, *args]
    before = os.times()
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root, check=False)
    wall = time.perf_counter() - t0
    after = os.times()
    if p.returncode != 0:
        raise SystemExit(f"{root}: {' '.join(args)} failed: {p.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, p.stdout, p.stderr


def imports(stderr: str) -> tuple[float, list[tuple[str, float]]]:
    """The import time (ms, every module's own time summed) and the top-level modules' cumulative ms."""
    total_us = 0
    top = []
    for line in stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if m is None:
            continue
        total_us += int(m[1])
        if not m[3]:  # the top level
            top.append((m[4], int(m[2]) / 1000))
    return total_us / 1000, sorted(top, key=lambda t: -t[1])


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", type=Path, required=True, help="The other checkout (e.g. main).")
    ap.add_argument("--recording", type=Path, default=DEFAULT_RECORDING)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if not a.recording.exists():
        raise SystemExit(f"{a.recording}: no such recording (see the module's docstring)")
    roots = {"this": ROOT, "reference": a.reference.resolve()}
    # bytecode compiled and up to date, as an installed package has it (with PYTHONDONTWRITEBYTECODE set
    # nothing else writes it, and every import would compile its source); the reference's only if it has none
    compileall.compile_dir(ROOT / "sensor", quiet=1)
    if not any((roots["reference"] / "sensor" / "l3" / "__pycache__").glob("*.pyc")):
        compileall.compile_dir(roots["reference"] / "sensor", quiet=1)
    figures: dict[str, dict[str, list[float]]] = {k: {} for k in roots}
    tops: dict[str, list[tuple[str, float]]] = {}
    replay = ["replay", "--json", str(a.recording)]
    print(json.dumps({"load_average_start": os.getloadavg(), "runs": a.runs, "recording": str(a.recording)}))
    for i in range(a.runs):
        outputs = {}
        for name in list(roots) if i % 2 == 0 else list(roots)[::-1]:
            got = figures[name]
            wall, cpu, out, _ = run(roots[name], replay)
            got.setdefault("replay_wall_s", []).append(wall)
            got.setdefault("replay_cpu_s", []).append(cpu)
            outputs[name] = out
            wall, cpu, _, _ = run(roots[name], ["--help"])
            got.setdefault("help_wall_s", []).append(wall)
            got.setdefault("help_cpu_s", []).append(cpu)
            _, _, out, err = run(roots[name], replay, importtime=True)
            total_ms, tops[name] = imports(err)
            got.setdefault("replay_importtime_ms", []).append(total_ms)
            _, _, out, err = run(roots[name], replay, import_cpu=True)
            got.setdefault("replay_import_cpu_s", []).append(float(err.split()[-1]))
        if outputs["this"] != outputs["reference"]:
            raise SystemExit("the replay's outputs differ between the checkouts")
    for name, got in figures.items():
        print(json.dumps({"checkout": name, "root": str(roots[name]), **{k: summary(v) for k, v in got.items()}}))
        print(json.dumps({"checkout": name, "top_level_imports_ms": [(m, round(ms, 1)) for m, ms in tops[name][:12]]}))
    for key in figures["this"]:
        ratios = [t / r for t, r in zip(figures["this"][key], figures["reference"][key], strict=True)]
        print(json.dumps({"figure": key, "this_over_reference_per_round": summary(ratios)}))
    print(json.dumps({"load_average_end": os.getloadavg(), "outputs": "byte-identical"}))


if __name__ == "__main__":
    main()
