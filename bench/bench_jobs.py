"""`fbs-sensor replay --jobs N` against `--jobs 1`: whole processes over several recordings.

    python bench/bench_jobs.py [--jobs 2] [--runs 3] RECORDING...

Runs `fbs-sensor replay --json RECORDING...` with --jobs 1 and with --jobs N, alternately (so a
shared machine's load falls on both alike), --runs times each, and prints each one's median wall
time and CPU time (user + system of the command and every process it waited for: the forkserver,
which waits for its workers; from ``os.wait4``), the speed-up, and whether the outputs were byte
for byte the same. On a shared machine the CPU figures are the steadier ones: --jobs N's CPU over
--jobs 1's is what the workers cost on top (start-up, passing blocks back), its wall time what a
user waits.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(jobs: int, recordings: list[str]) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds and standard output of one whole replay."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent"}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(
            [sys.executable, "-m", "sensor.cli", "replay", "--json", "--jobs", str(jobs), *recordings],
            stdout=out,
            env=env,
        )
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise SystemExit(f"replay --jobs {jobs} exited with {p.returncode}")
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("recordings", nargs="+")
    a = ap.parse_args()
    times: dict[int, list[float]] = {1: [], a.jobs: []}
    cpus: dict[int, list[float]] = {1: [], a.jobs: []}
    outputs: set[bytes] = set()
    load = os.getloadavg()
    for _ in range(a.runs):
        for jobs in (1, a.jobs):
            t, cpu, out = run(jobs, a.recordings)
            times[jobs].append(t)
            cpus[jobs].append(cpu)
            outputs.add(out)
    one, many = statistics.median(times[1]), statistics.median(times[a.jobs])
    cpu_one, cpu_many = statistics.median(cpus[1]), statistics.median(cpus[a.jobs])
    print(
        f"{len(a.recordings)} recordings: --jobs 1 {one:.2f} s, --jobs {a.jobs} {many:.2f} s (medians of "
        f"{a.runs}; all runs {[round(t, 2) for t in times[1]]} / {[round(t, 2) for t in times[a.jobs]]}), "
        f"speed-up {one / many:.2f}x; CPU --jobs 1 {cpu_one:.2f} s, --jobs {a.jobs} {cpu_many:.2f} s "
        f"({cpu_many / cpu_one:.2f}x; all runs {[round(c, 2) for c in cpus[1]]} / "
        f"{[round(c, 2) for c in cpus[a.jobs]]}); outputs identical: {len(outputs) == 1}; load average "
        f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )


if __name__ == "__main__":
    main()
