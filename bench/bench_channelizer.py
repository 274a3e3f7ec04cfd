"""Channelizer throughput (MS/s of input, one core) and, for scale, the wideband FCCH search.

    python bench/bench_channelizer.py [--seconds 1.0]

Cases: 2.4 Msps (RTL-SDR) → all 10 channels of the 200 kHz raster in the passband; 20 Msps
(HackRF) → 100 channels; both at 2 and 4 samples per symbol. Input is white noise in blocks of
262,144 samples (the file source's block size), streamed through ``channelize``. Prints one JSON
line per case.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensor.dsp.channelizer import channelize, initial_state, plan_channelizer
from sensor.dsp.fcch_search import search_fcch_wideband

BLOCK = 1 << 18


def measure(rate_hz: float, n_channels: int, sps: int, seconds: float) -> dict:
    offsets = (np.arange(n_channels) - (n_channels - 1) / 2) * 200e3 + 37e3  # raster shifted by a receiver error
    plan = plan_channelizer(rate_hz, offsets, samples_per_symbol=sps)
    rng = np.random.default_rng(0)
    block = ((rng.standard_normal(BLOCK) + 1j * rng.standard_normal(BLOCK)) * 0.1).astype(np.complex64)
    state = initial_state(plan)
    _, state = channelize(plan, block, state)  # warm-up
    n_blocks = max(2, int(np.ceil(seconds * rate_hz / BLOCK)))
    t0 = time.perf_counter()
    out_samples = 0
    for _ in range(n_blocks):
        out, state = channelize(plan, block, state)
        out_samples += out.samples.shape[1]
    wall = time.perf_counter() - t0
    msps = n_blocks * BLOCK / wall / 1e6
    return {
        "case": "channelizer",
        "in_rate_msps": rate_hz / 1e6,
        "channels": n_channels,
        "samples_per_symbol": sps,
        "n_in": plan.n_in,
        "n_out": plan.n_out,
        "input_msps": round(msps, 2),
        "x_realtime": round(msps * 1e6 / rate_hz, 2),
        "output_msps_all_channels": round(out_samples * n_channels / wall / 1e6, 2),
    }


def measure_search(rate_hz: float, seconds: float) -> dict:
    rng = np.random.default_rng(1)
    n = int(rate_hz * seconds)
    x = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 0.01).astype(np.complex64)
    search_fcch_wideband(x[: int(rate_hz * 0.05)], sample_rate_hz=rate_hz)
    t0 = time.perf_counter()
    search_fcch_wideband(x, sample_rate_hz=rate_hz)
    wall = time.perf_counter() - t0
    return {
        "case": "fcch_wideband_search",
        "in_rate_msps": rate_hz / 1e6,
        "input_msps": round(n / wall / 1e6, 2),
        "x_realtime": round(n / rate_hz / wall, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    for rate, n_ch in ((2.4e6, 10), (20e6, 100)):
        for sps in (2, 4):
            print(json.dumps(measure(rate, n_ch, sps, args.seconds)), flush=True)
    for rate in (2.4e6, 20e6):
        print(json.dumps(measure_search(rate, min(args.seconds, 1.0))), flush=True)


if __name__ == "__main__":
    main()
