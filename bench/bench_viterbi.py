"""Batched soft-decision Viterbi (TS 45.003 §4.1.3, K=5 rate 1/2) speed in µs per xCCH block.

    python bench/bench_viterbi.py [--blocks 1000] [--repeat 5]

Encodes --blocks random 23-octet frames as xCCH, adds Gaussian noise, then times (best of
--repeat): the Viterbi decoder alone on the 456 soft coded bits of every block at once, the whole
xCCH decoder (deinterleave + Viterbi + Fire check + octets), and both again for a single block.
Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.timing import best_of
from sensor.coding.convolutional import viterbi_decode
from sensor.coding.interleave import deinterleave_xcch
from sensor.coding.softbits import ubits_to_sbits
from sensor.coding.xcch import decode_xcch, encode_xcch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (args.blocks, 23), dtype=np.uint8)
    bursts = ubits_to_sbits(encode_xcch(frames).data_ubits)
    bursts += rng.normal(0, 0.5, bursts.shape).astype(np.float32)
    coded = deinterleave_xcch(bursts)

    decode_xcch(bursts[:2])  # warm caches (trellis, parity tables)
    n = args.blocks
    t_vit = best_of(lambda: viterbi_decode(coded), args.repeat)
    t_xcch = best_of(lambda: decode_xcch(bursts), args.repeat)
    t_vit1 = best_of(lambda: viterbi_decode(coded[:1]), args.repeat * 4)
    t_xcch1 = best_of(lambda: decode_xcch(bursts[:1]), args.repeat * 4)
    ok = decode_xcch(bursts).crc_ok.mean()

    def line(what: str, batch: int, seconds: float, **extra: object) -> None:
        print(
            json.dumps(
                {
                    "what": what,
                    "batch": batch,
                    "us_per_block": round(seconds / batch * 1e6, 1),
                    "total_ms": round(seconds * 1e3, 2),
                    "numpy": np.__version__,
                    **extra,
                }
            )
        )

    line("viterbi", n, t_vit)
    line("xcch_decode", n, t_xcch, crc_ok_fraction=round(float(ok), 4))
    line("viterbi", 1, t_vit1)
    line("xcch_decode", 1, t_xcch1)


if __name__ == "__main__":
    main()
