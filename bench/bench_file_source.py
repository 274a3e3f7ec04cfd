"""File-source reading throughput (MS/s) against plain numpy.fromfile, and memory on a 2 GB recording.

    python bench/bench_file_source.py [--mb 512] [--dir /tmp]

For cu8 and cf32 it writes a recording of --mb megabytes, reads it once to warm the page cache,
then times (best of 3): numpy.fromfile of the raw components (the physical reference: no
conversion), numpy.fromfile + the obvious conversion to complex64, and our RecordingSource
streaming 256 k-sample blocks of complex64. Then it streams a 2 GB sparse cu8 SigMF recording
in a child process and prints that process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import best_of
from sensor.sources.open import open_recording

BLOCK = 1 << 18


def naive_convert(path: Path, fmt: str) -> np.ndarray:
    if fmt == "cu8":
        u = np.fromfile(path, np.uint8).astype(np.float32)
        return ((u - 127.5) / 128.0).view(np.complex64)
    return np.fromfile(path, np.complex64)


def stream(path: Path, fmt: str, rate: float) -> int:
    n = 0
    src = open_recording(path, fmt=fmt, sample_rate_hz=rate, center_hz=947e6)
    for block in src.blocks(block_samples=BLOCK):
        n += len(block)
    return n


def throughput(tmp: Path, fmt: str, megabytes: int) -> dict:
    bps = 2 if fmt == "cu8" else 8
    n_samples = megabytes * (1 << 20) // bps
    path = tmp / f"bench.{fmt}"
    rng = np.random.default_rng(0)
    with open(path, "wb") as fh:
        for i in range(0, n_samples, 1 << 22):
            k = min(1 << 22, n_samples - i)
            if fmt == "cu8":
                fh.write(rng.integers(0, 256, 2 * k, dtype=np.uint8).tobytes())
            else:
                fh.write((rng.standard_normal(2 * k).astype(np.float32) * 0.1).tobytes())
    raw_dtype = np.uint8 if fmt == "cu8" else np.float32
    np.fromfile(path, raw_dtype)  # warm the page cache
    t_raw = best_of(lambda: np.fromfile(path, raw_dtype))
    t_naive = best_of(lambda: naive_convert(path, fmt))
    t_ours = best_of(lambda: stream(path, fmt, 2.4e6))
    path.unlink()
    ms = n_samples / 1e6
    return {
        "format": fmt,
        "msamples": round(ms, 1),
        "fromfile_raw_msps": round(ms / t_raw, 1),
        "fromfile_convert_msps": round(ms / t_naive, 1),
        "ours_msps": round(ms / t_ours, 1),
        "ours_vs_fromfile_raw": round(t_raw / t_ours, 2),
        "ours_vs_fromfile_convert": round(t_naive / t_ours, 2),
    }


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sparse_child(path: str) -> None:
    t0 = time.perf_counter()
    n = 0
    for block in open_recording(path).blocks(block_samples=BLOCK):
        n += len(block)
    dt = time.perf_counter() - t0
    peak_mib = peak_rss_mib()
    print(
        json.dumps(
            {"samples": n, "seconds": round(dt, 2), "msps": round(n / dt / 1e6, 1), "peak_rss_mib": round(peak_mib, 1)}
        )
    )


def sparse_memory(tmp: Path) -> dict:
    base = tmp / "sparse2g"
    size = 2 * (1 << 30)
    with open(f"{base}.sigmf-data", "wb") as fh:
        fh.truncate(size)  # sparse: no disk used, reads return zeros
    meta = {
        "global": {"core:datatype": "cu8", "core:sample_rate": 2.4e6, "core:version": "1.2.0"},
        "captures": [{"core:sample_start": 0, "core:frequency": 947e6}],
    }
    Path(f"{base}.sigmf-meta").write_text(json.dumps(meta))
    # Baseline: the same child interpreter with the same imports, reading nothing.
    base_out = subprocess.run(
        [sys.executable, __file__, "--baseline-child"],
        capture_output=True,
        text=True,
        check=True,
    )
    out = subprocess.run(
        [sys.executable, __file__, "--sparse-child", f"{base}.sigmf-meta"], capture_output=True, text=True, check=True
    )
    os.unlink(f"{base}.sigmf-data")
    result = json.loads(out.stdout)
    result["baseline_rss_mib"] = round(float(base_out.stdout), 1)
    result["file_gib"] = 2.0
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=512)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--sparse-child")
    ap.add_argument("--baseline-child", action="store_true")
    args = ap.parse_args()
    if args.baseline_child:
        print(peak_rss_mib())
        return
    if args.sparse_child:
        sparse_child(args.sparse_child)
        return
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        tmp = Path(d)
        for fmt in ("cu8", "cf32"):
            print(json.dumps(throughput(tmp, fmt, args.mb)))
        print(json.dumps({"sparse_2gb_cu8": sparse_memory(tmp)}))


if __name__ == "__main__":
    main()
