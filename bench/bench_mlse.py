"""Batched channel estimation + soft-output MLSE speed in µs per normal burst.

    python bench/bench_mlse.py [--bursts 1000] [--repeat 3] [--sps 1 2 4]

Modulates --bursts random normal bursts (TSC 0) inside random guard bits at each sample rate,
adds Gaussian noise (Es/N0 8 dB) and times, best of --repeat, on all bursts at once: the channel
estimate alone, the MLSE alone (max-log forward–backward, 16 states), and the whole
``equalize_normal_bursts`` (prefilter at sps > 1 + estimate + MLSE), plus the whole for a single
burst, with two frequency-tracking passes, and the fractionally spaced variant at sps > 1. Prints one
JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import best_of
from sensor.dsp.chanest import estimate_normal_channel
from sensor.dsp.gmsk import gmsk_phase_rows
from sensor.dsp.mlse import equalize_normal_bursts, known_bits_normal, mlse_equalize
from sensor.dsp.prefilter import prefilter
from sensor.gsm.burst import NORMAL_DATA_POSITIONS, assemble_normal_bursts

GUARD = 8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bursts", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sps", type=int, nargs="+", default=[1, 2, 4])
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.bursts
    bursts = assemble_normal_bursts(rng.integers(0, 2, (n, 114), dtype=np.uint8), 1, tsc=0)
    mask, known = known_bits_normal(0)

    def line(what: str, sps: int, batch: int, seconds: float, **extra: object) -> None:
        print(
            json.dumps(
                {
                    "what": what,
                    "sps": sps,
                    "batch": batch,
                    "us_per_burst": round(seconds / batch * 1e6, 1),
                    "total_ms": round(seconds * 1e3, 2),
                    "numpy": np.__version__,
                    **extra,
                }
            ),
            flush=True,
        )

    for sps in args.sps:
        stream = np.concatenate(
            (rng.integers(0, 2, (n, GUARD), dtype=np.uint8), bursts, rng.integers(0, 2, (n, GUARD), dtype=np.uint8)),
            axis=1,
        )
        x = np.exp(1j * gmsk_phase_rows(stream, samples_per_symbol=sps)).astype(np.complex64)
        sigma = np.sqrt(10 ** (-8 / 10) * sps / 2)
        x = x + (sigma * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))).astype(np.complex64)
        start = GUARD * sps
        xf = prefilter(x, samples_per_symbol=sps)
        ch = estimate_normal_channel(xf, burst_start_sample=start, tsc=0, samples_per_symbol=sps)
        r = equalize_normal_bursts(x, burst_start_sample=start, tsc=0, samples_per_symbol=sps)
        ber = float(np.mean(r.ubits[:, NORMAL_DATA_POSITIONS] != bursts[:, NORMAL_DATA_POSITIONS]))
        line("prefilter", sps, n, best_of(lambda: prefilter(x, samples_per_symbol=sps), args.repeat))
        line(
            "chanest",
            sps,
            n,
            best_of(
                lambda: estimate_normal_channel(xf, burst_start_sample=start, tsc=0, samples_per_symbol=sps),
                args.repeat,
            ),
        )
        line("mlse", sps, n, best_of(lambda: mlse_equalize(xf, ch, known_mask=mask, known_ubits=known), args.repeat))
        line(
            "equalize_normal_bursts",
            sps,
            n,
            best_of(
                lambda: equalize_normal_bursts(x, burst_start_sample=start, tsc=0, samples_per_symbol=sps), args.repeat
            ),
            es_n0_db=8,
            ber=round(ber, 5),
        )
        line(
            "equalize_normal_bursts",
            sps,
            1,
            best_of(
                lambda: equalize_normal_bursts(x[:1], burst_start_sample=start, tsc=0, samples_per_symbol=sps),
                args.repeat * 5,
            ),
        )
        line(
            "equalize_normal_bursts_frequency_passes2",
            sps,
            n,
            best_of(
                lambda: equalize_normal_bursts(
                    x, burst_start_sample=start, tsc=0, samples_per_symbol=sps, frequency_passes=2
                ),
                args.repeat,
            ),
        )
        if sps > 1:
            line(
                "equalize_normal_bursts_fractional",
                sps,
                n,
                best_of(
                    lambda: equalize_normal_bursts(
                        x, burst_start_sample=start, tsc=0, samples_per_symbol=sps, fractional=True
                    ),
                    args.repeat,
                ),
            )


if __name__ == "__main__":
    main()
