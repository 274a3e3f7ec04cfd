"""Following fake stations' dedicated channels: whole-process replay speed at 2.4 Msps, one core.

    python bench/bench_follow.py [--seconds 20] [--repeat 3] [--reference DIR]

The scene: the fake-street street (a 2.4 Msps cu8 RTL-SDR, two real cells) with TWO fake stations,
each on SDCCH/8 working a phone a second (IMSI and IMEI asked, an SMS pushed, LU rejected), so the
receiver follows up to 16 sub-channels on two carriers besides the BCCH/CCCH of all four; and the
same scene with the fakes idle (no phones), as the reference. Each is rendered once with
``fbs-sensor simulate``, then ``fbs-sensor replay --json`` runs --repeat times as a whole process
pinned to one CPU (start-up included), with this checkout's code (PYTHONPATH; the installed
command may point at another), each checkout's bytecode compiled first (an environment with
PYTHONDONTWRITEBYTECODE would otherwise recompile ~190 modules in every process, ~0.35 s of CPU
that an installed package never pays). ``--reference DIR``: another checkout (e.g. a worktree of an
earlier commit) replays the same files alternately with this one, in the same run: on a shared
machine only ratios measured side by side mean much. Prints one JSON line per scene and checkout:
wall time (min, median, max), the child's CPU time (user + sys, median), × real time by the
median wall, the sessions and SMS the replay reported; then the cost of following and, with a
reference, the speed-up over it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "recordings" / "scenes" / "fake-street-sdcch8.toml"
SECOND_FAKE = """
[[fakes]]
name = "FAKE-two"
imitate = "CM-Renmin"
arfcn = 58
bsic = 21
tx_power_dbm = 27.0
position = [31.2301, 121.4731]
behaviours = ["lac_unlike_surroundings", "high_cro"]
dedicated = "sdcch8"
[fakes.params]
ccch_conf = 0
"""


def scenes(tmp: Path) -> dict[str, Path]:
    """The two-fake scene (its second fake copies the first's work) and the same with idle fakes."""
    text = BASE.read_text()
    works = text[text.index("[fakes.works.phones]") :]
    with_work = tmp / "two-fakes.toml"
    with_work.write_text(text + SECOND_FAKE + works)
    idle = tmp / "two-fakes-idle.toml"
    idle.write_text(text[: text.index("[fakes.works.phones]")] + SECOND_FAKE)
    return {"following two fakes": with_work, "fakes idle": idle}


CPU = "0"  # the CPU the replays are pinned to (--cpu)


def pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", CPU, *cmd] if shutil.which("taskset") else cmd


def render(scene: Path, seconds: float, tmp: Path) -> Path:
    out = tmp / scene.stem
    subprocess.run(
        ["fbs-sensor", "simulate", str(scene), "--out", str(out), "--duration", str(seconds), "--overwrite"],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    (meta,) = out.glob("*.sigmf-meta")
    return meta


def replay(meta: Path, tree: Path) -> tuple[float, float, str]:
    """One whole ``fbs-sensor replay --json`` of ``tree``'s code: (wall s, CPU s, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(
        pinned(["fbs-sensor", "replay", "--json", str(meta)]),
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise SystemExit(p.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, p.stdout


def measure(meta: Path, seconds: float, repeat: int, trees: list[Path]) -> dict[Path, dict]:
    """Each checkout's replays of ``meta``, the checkouts alternating."""
    runs: dict[Path, list[tuple[float, float, str]]] = {t: [] for t in trees}
    for _ in range(repeat):
        for t in trees:
            runs[t].append(replay(meta, t))
    out = {}
    for t, rs in runs.items():
        walls, cpus = [r[0] for r in rs], [r[1] for r in rs]
        objs = [json.loads(line) for line in rs[-1][2].splitlines() if line.strip()]
        summary = objs[-1]
        wall = statistics.median(walls)
        out[t] = {
            "checkout": str(t),
            "seconds": seconds,
            "wall_s_min_median_max": [round(min(walls), 2), round(wall, 2), round(max(walls), 2)],
            "cpu_s_median": round(statistics.median(cpus), 2),
            "x_real_time": round(seconds / wall, 2),
            "x_real_time_by_cpu": round(seconds / statistics.median(cpus), 2),
            "sessions": summary.get("sessions"),
            "sms": summary.get("sms"),
            "blocks": summary.get("blocks"),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference", type=Path, default=None, help="another checkout to replay alternately")
    ap.add_argument("--cpu", default="0", help="the CPU to pin the replays to (taskset -c)")
    args = ap.parse_args()
    global CPU
    CPU = args.cpu
    trees = [REPO] + ([args.reference.resolve()] if args.reference else [])
    for t in trees:  # bytecode written once, as an installed package has it (PYTHONDONTWRITEBYTECODE or not)
        subprocess.run(["python", "-m", "compileall", "-q", str(t / "sensor")], check=True, capture_output=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        results = {
            name: measure(render(path, args.seconds, tmp), args.seconds, args.repeat, trees)
            for name, path in scenes(tmp).items()
        }
    for name, per_tree in results.items():
        for r in per_tree.values():
            print(json.dumps({"case": name, **r}), flush=True)
    for t in trees:
        a, b = results["following two fakes"][t], results["fakes idle"][t]
        cost = a["wall_s_min_median_max"][1] / b["wall_s_min_median_max"][1]
        print(json.dumps({"checkout": str(t), "following_cost": round(cost, 3)}))
    if args.reference:
        for name, per_tree in results.items():
            ours, ref = per_tree[REPO], per_tree[trees[1]]
            print(
                json.dumps(
                    {
                        "case": name,
                        "speedup_wall": round(ref["wall_s_min_median_max"][1] / ours["wall_s_min_median_max"][1], 2),
                        "speedup_cpu": round(ref["cpu_s_median"] / ours["cpu_s_median"], 2),
                    }
                )
            )


if __name__ == "__main__":
    main()
