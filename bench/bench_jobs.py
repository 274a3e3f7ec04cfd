"""`fbs-sensor replay --jobs N` against `--jobs 1`: whole processes over several recordings.

    python bench/bench_jobs.py [--jobs 2] [--runs 3] RECORDING...

Runs `fbs-sensor replay --json RECORDING...` with --jobs 1 and with --jobs N, alternately (so a
shared machine's load falls on both alike), --runs times each, and prints each one's median wall
time and CPU time (user + system of the command and of every process under it: this bench makes
itself the child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``), so the forkserver the command leaves
behind is handed to it and reaped with its workers' time by ``os.wait4``), the speed-up, and
whether the outputs were byte for byte the same. On a shared machine the CPU figures are the
steadier ones: --jobs N's CPU over --jobs 1's is what the workers cost on top (start-up, passing
blocks back), its wall time what a user waits.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


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
        cpu = usage.ru_utime + usage.ru_stime
        while True:  # the orphans handed to this process: the forkserver (its workers' time in its own)
            try:
                _, _, usage = os.wait4(-1, 0)
            except ChildProcessError:
                break
            cpu += usage.ru_utime + usage.ru_stime
        if p.returncode != 0:
            raise SystemExit(f"replay --jobs {jobs} exited with {p.returncode}")
        out.seek(0)
        return wall, cpu, out.read()


def become_subreaper() -> None:
    """Orphaned descendants (the forkserver, once the command has exited) become this process's
    children, so their CPU time can be waited for (Linux 3.4+)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("recordings", nargs="+")
    a = ap.parse_args()
    become_subreaper()
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
