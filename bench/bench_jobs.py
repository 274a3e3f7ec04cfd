"""`fbs-sensor replay --jobs N` against `--jobs 1`: whole processes over several recordings.

    python bench/bench_jobs.py [--jobs 2] [--runs 3] RECORDING...

Runs `fbs-sensor replay --json RECORDING...` with --jobs 1 and with --jobs N, alternately (so a
shared machine's load falls on both alike), --runs times each, and prints each one's median wall
time, the speed-up, and whether the outputs were byte for byte the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(jobs: int, recordings: list[str]) -> tuple[float, bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent"}
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "sensor.cli", "replay", "--json", "--jobs", str(jobs), *recordings],
        check=True,
        capture_output=True,
        env=env,
    ).stdout
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("recordings", nargs="+")
    a = ap.parse_args()
    times: dict[int, list[float]] = {1: [], a.jobs: []}
    outputs: set[bytes] = set()
    for _ in range(a.runs):
        for jobs in (1, a.jobs):
            t, out = run(jobs, a.recordings)
            times[jobs].append(t)
            outputs.add(out)
    one, many = statistics.median(times[1]), statistics.median(times[a.jobs])
    print(
        f"{len(a.recordings)} recordings: --jobs 1 {one:.2f} s, --jobs {a.jobs} {many:.2f} s (medians of "
        f"{a.runs}; all runs {[round(t, 2) for t in times[1]]} / {[round(t, 2) for t in times[a.jobs]]}), "
        f"speed-up {one / many:.2f}x, outputs identical: {len(outputs) == 1}"
    )


if __name__ == "__main__":
    main()
