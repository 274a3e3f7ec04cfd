"""A recording's blocks put into a window's places, two ways, alternating in one process (CPU time
of each pass over the whole recording):

  copied    each block converted by itself (``RecordingSource.blocks``: a new complex64 array a
            block) and copied into its place: what the stream receiver does with an ``IQBlock``
  in place  each block read and converted straight into its place (``deferred_blocks``,
            ``DeferredBlock.read(into=...)``): what a replay does

The places are those of a 1 s window of 0.25 s blocks (replay's sizes), reused as the stream
receiver reuses its workspace. Usage:

  python bench/bench_read_into.py RECORDING [--passes 5] [--format cf32 --rate HZ --center HZ]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sensor.sources.open import open_recording
from sensor.sources.raw import open_raw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recording")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--format", help="raw files: cf32, ci16, ci8 or cu8")
    ap.add_argument("--rate", type=float, help="raw files: sample rate, Hz")
    ap.add_argument("--center", type=float, help="raw files: centre frequency, Hz")
    args = ap.parse_args()
    if args.format:
        src = open_raw(args.recording, fmt=args.format, sample_rate_hz=args.rate, center_hz=args.center)
    else:
        src = open_recording(args.recording)
    rate = src.info.sample_rate_hz
    block = max(1 << 16, int(0.25 * rate))
    per_window = max(1, int(rate) // block)
    room = np.zeros(per_window * block + block, np.complex64)  # touched once, as a reused workspace is

    def place(first_sample: int, n: int) -> np.ndarray:
        k = (first_sample // block) % per_window
        return room[k * block : k * block + n]

    def copied() -> None:
        for b in src.blocks(block_samples=block):
            place(b.first_sample, len(b))[:] = b.samples

    def in_place() -> None:
        for d in src.deferred_blocks(block_samples=block):
            d.read(into=place(d.first_sample, len(d)))

    cpu: dict[str, list[float]] = {"copied": [], "in place": []}
    for _ in range(args.passes):
        for name, run in (("copied", copied), ("in place", in_place)):
            t = time.process_time()
            run()
            cpu[name].append(time.process_time() - t)
    secs = src.n_samples / rate
    print(f"{args.recording}: {secs:g} s at {rate / 1e6:g} Msps {src.datatype.name}, {args.passes} passes each")
    for name, v in cpu.items():
        print(f"  {name:8s} median {statistics.median(v):.3f} s CPU a pass ({' '.join(f'{x:.3f}' for x in v)})")


if __name__ == "__main__":
    main()
