"""Resident memory of a whole `fbs-sensor replay` or `fbs-sensor run` process over a long input:
peak, and flat or not.

    python bench/bench_memory.py [--minutes 60] [--rate 2.4e6 --datatype cu8 | --rate 20e6 --datatype ci8]
                                 [--scene recordings/scenes/patrol.toml] [--segment-s 10] [--jobs 1]
                                 [--command replay|run]

``--command run``: the live sensor (`fbs-sensor run --device file:REC --json`, the daemon's whole
receive path: scanner, receiver, cell tracker, detection, the embedded collector) on one recording
as long as --minutes: the rendered segment's samples written --minutes·60/segment times one after
the other into one SigMF recording (at each joint the signal jumps back to the segment's start:
the receiver loses its carriers there and finds them again, as after a fade). The recording is
read as fast as the receiver takes it.

An hour of input without an hour of disk: a short segment of the scene is rendered once (SigMF,
the given rate and datatype, as an RTL-SDR or a HackRF writes it), and `fbs-sensor replay --json`
is given that one recording listed as many times as make --minutes of input: one drive of
that many recordings, as an analyst replays a day's files. Everything after the file source is the
code path of any drive: the receiver (a fresh one per recording, as for any file), the cell tracker
and the phone sessions, which merge every recording on the drive's clock and keep growing for as long
as the replay lasts. Not covered: the receiver's own state over one recording longer than the
segment (its duplicate-block memory is bounded at 100,000 blocks, and the FCCH bursts it collects
are handed on per window: see sensor/replay/__init__.py), and the page cache (one segment, read
again and again, stays in it).

The replay's RSS is sampled every second from /proc/PID/status (VmRSS; VmHWM is the kernel's own
peak); printed: the peak, each quarter's peak and median (the RSS rises and falls with every
window's work arrays and every recording's first, searching, window: growth shows as later
quarters above earlier ones; flat: within a few MB), and the slope of a least-squares line through
the second half's samples (MB per hour of input: only meaningful over many recordings, the
sawtooth dominates a short run). With --jobs N the workers' RSS is summed with the parent's.

``--max-wall-s S``: the command is stopped after S seconds (a long input on a loaded machine) and
the figures are those of the input read by then: the recording's bytes the process has read
(``rchar`` in /proc/PID/io) over the recording's bytes per second. A line to stderr every minute
tells how far it has got.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (the forkserver's workers with --jobs)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def render(scene: Path, out: Path, rate_hz: float, datatype: str, seconds: float) -> Path:
    cmd = [sys.executable, "-m", "sensor.cli", "simulate", str(scene), "--out", str(out)]
    cmd += ["--rate", str(rate_hz), "--datatype", datatype, "--duration", str(seconds)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env())
    (meta,) = out.glob("*.sigmf-meta")
    return meta


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent"}


def repeated(meta: Path, copies: int, out_dir: Path) -> Path:
    """One SigMF recording of ``meta``'s samples ``copies`` times over (for ``--command run``)."""
    data = meta.with_suffix(".sigmf-data")
    name = out_dir / f"long-{meta.stem}"
    with open(name.with_suffix(".sigmf-data"), "wb") as dst:
        for _ in range(copies):
            with open(data, "rb") as src:
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
    name.with_suffix(".sigmf-meta").write_text(meta.read_text())
    return name.with_suffix(".sigmf-meta")


def read_bytes(pid: int) -> int | None:
    """Bytes the process has read through read() and its kin (``rchar``: the recording, from the
    page cache or not, and its few small files besides)."""
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("rchar:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(
    meta: Path,
    copies: int,
    segment_s: float,
    jobs: int,
    command: str = "replay",
    bands: str = "gsm900",
    max_wall_s: float | None = None,
    bytes_per_input_s: float | None = None,
) -> dict[str, object]:
    if command == "run":
        state = meta.parent / "state"  # the daemon's outbox, keys and embedded collector
        cmd = [sys.executable, "-m", "sensor.cli", "run", "--device", f"file:{meta}", "--json"]
        cmd += ["--state-dir", str(state), "--gps", "none", "--bands", bands]
    else:
        cmd = [sys.executable, "-m", "sensor.cli", "replay", "--json", "--jobs", str(jobs)] + [str(meta)] * copies
    load_before = os.getloadavg()
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as errors:
        # stderr to a file, not a pipe: the daemon's status lines fill a pipe read only at the end
        # and block it (a 10 min run stalled after 13 min of wall time)
        p = subprocess.Popen(cmd, stdout=out, stderr=errors, env=env())
        samples: list[tuple[float, float]] = []  # (seconds since start, RSS MB)
        hwm_kb = 0
        stopped = False
        rchar = 0
        next_note = 60.0
        while p.poll() is None:
            pids = descendants(p.pid) if jobs > 1 else [p.pid]
            rss = [status_kb(q, "VmRSS") for q in pids]
            hwm_kb = max(hwm_kb, status_kb(p.pid, "VmHWM") or 0)
            rchar = read_bytes(p.pid) or rchar
            now = time.monotonic() - t0
            if any(rss):  # not once the process has gone
                samples.append((now, sum(r for r in rss if r) / 1024))
            if now >= next_note:  # progress, for a run that may be stopped
                next_note += 60.0
                done = f", ~{rchar / bytes_per_input_s / 60:.1f} min of input read" if bytes_per_input_s else ""
                print(f"{now:.0f} s: RSS {samples[-1][1]:.1f} MB, VmHWM {hwm_kb / 1024:.1f} MB{done}", file=sys.stderr)
            if max_wall_s is not None and now >= max_wall_s:
                p.terminate()  # stopped: the figures are those of the input read so far
                p.wait()
                stopped = True
                break
            time.sleep(1.0)
        wall_s = time.monotonic() - t0
        errors.seek(0)
        err = errors.read().decode(errors="replace")[-2000:]
        if p.returncode != 0 and not stopped:
            raise SystemExit(f"replay failed ({p.returncode}): {err}")
        out.seek(0)
        lines = [json.loads(x) for x in out.read().splitlines() if x.strip()]
    if stopped:
        # What was received: the recording's bytes read (rchar; the segment's own few files besides)
        # at the given bytes per second of input; nothing is printed by a command cut short.
        summary = {"cells": None, "blocks": None, "sessions": None, "stopped": True}
        copies = 1
        segment_s = rchar / bytes_per_input_s if bytes_per_input_s else wall_s
    elif command == "run":
        cov = next(x for x in lines if x.get("type") == "coverage")
        summary = {
            "cells": None,  # the daemon prints its detections, not every cell
            "detections": sum(x.get("type") == "detection" for x in lines),
            "blocks": None,
            "sessions": None,
            "received_s": cov["received_s"],
            "arfcns_received": cov["arfcns_received"],
            "ended": cov["ended"],
        }
    else:
        summary = lines[-1]
    t = np.array([s[0] for s in samples])
    mb = np.array([s[1] for s in samples])
    input_s = copies * segment_s
    half = t >= wall_s / 2
    slope_mb_per_wall_s = float(np.polyfit(t[half], mb[half], 1)[0]) if half.sum() >= 3 else math.nan
    # RSS rises and falls with each window's work arrays: growth shows as quarters' peaks and medians
    quarters = [mb[(t >= wall_s * q / 4) & (t < wall_s * (q + 1) / 4)] for q in range(4)]
    return {
        "input_min": round(input_s / 60, 2),
        "wall_s": round(wall_s, 1),
        "x_real_time": round(input_s / wall_s, 2),
        "samples": len(samples),
        "peak_rss_mb": round(float(mb.max()), 1),
        "vmhwm_mb": round(hwm_kb / 1024, 1),
        "quarter_peak_mb": [round(float(q.max()), 1) if len(q) else None for q in quarters],
        "quarter_median_mb": [round(float(np.median(q)), 1) if len(q) else None for q in quarters],
        "second_half_range_mb": round(float(mb[half].max() - mb[half].min()), 1) if half.any() else None,
        # the line through the second half's samples, per hour of input (wall seconds scaled by the speed)
        "slope_mb_per_input_hour": round(slope_mb_per_wall_s * 3600 * wall_s / input_s, 1),
        "cells": summary["cells"],
        "blocks": summary["blocks"],
        "sessions": summary["sessions"],
        **{k: summary[k] for k in ("detections", "received_s", "arfcns_received", "ended", "stopped") if k in summary},
        "load_avg_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],  # at the start and the end
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="minutes of input (default 60)")
    ap.add_argument("--rate", type=float, default=2.4e6)
    ap.add_argument("--datatype", default="cu8")
    ap.add_argument("--scene", type=Path, default=ROOT / "recordings" / "scenes" / "patrol.toml")
    ap.add_argument("--segment-s", type=float, default=10.0, help="seconds of the rendered segment")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--command", choices=("replay", "run"), default="replay", help="what is measured (default replay)")
    ap.add_argument("--bands", default="gsm900", help="run's --bands: the scene's (dcs1800 for dcs-hackrf)")
    ap.add_argument("--dir", type=Path, default=None, help="where to render (default: a temporary directory)")
    ap.add_argument(
        "--max-wall-s",
        type=float,
        default=None,
        help="stop the command after this long and report the input read so far (default: to its end)",
    )
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=a.dir) as tmp:
        meta = render(a.scene, Path(tmp), a.rate, a.datatype, a.segment_s)
        copies = max(1, round(a.minutes * 60 / a.segment_s))
        if a.command == "run":
            meta = repeated(meta, copies, Path(tmp))
        per_s = meta.with_suffix(".sigmf-data").stat().st_size / (copies if a.command == "run" else 1) / a.segment_s
        r = measure(meta, copies, a.segment_s, a.jobs, a.command, a.bands, a.max_wall_s, per_s)
    r = {
        "command": a.command,
        "scene": a.scene.name,
        "rate_msps": a.rate / 1e6,
        "datatype": a.datatype,
        "jobs": a.jobs,
        **r,
    }
    print(json.dumps(r))
    print(
        f"{a.command}: {a.scene.name} {a.rate / 1e6:g} Msps {a.datatype}, {r['input_min']} min of input in "
        f"{r['wall_s']} s ({r['x_real_time']}x real time): peak RSS {r['peak_rss_mb']} MB (VmHWM {r['vmhwm_mb']} MB); "
        f"by quarter, peak {r['quarter_peak_mb']} MB, median {r['quarter_median_mb']} MB; second half: "
        f"range {r['second_half_range_mb']} MB, slope {r['slope_mb_per_input_hour']} MB per hour of input"
    )


if __name__ == "__main__":
    main()
