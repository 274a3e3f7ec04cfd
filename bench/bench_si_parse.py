"""System Information parsing throughput: messages per second, overall and per SI type.

    python bench/bench_si_parse.py [--messages 200000] [--cells 200]

The mix: the 8 distinct real SI messages of captures/README.md and expected/ (embedded here) plus
every SI message of --cells random cells built with sensor.l3.cell (all frequency list formats,
2- and 3-digit MNCs, UTRAN/E-UTRAN neighbours). Parsing is strict (rest octets included); the
time is the best of 3 passes over the mix, repeated to --messages messages.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensor.l3.cell import CellParams, build_all
from sensor.l3.errors import L3EncodeError
from sensor.l3.freqlist import FreqListFormat, fits
from sensor.l3.messages import parse_si, si_type_of

REAL = [
    "49061b3b2d72f2203aa8d0033c546506b900008020420b",  # SI3, gsmsp ARFCN 93
    "5506198f6a8000000000000000000000000000b9000083",  # SI1, vf_call6 ARFCN 725
    "59061a8f6d181080000000000000000000000078b90000",  # SI2
    "01060360000000000004155010000000000aa82b2b2b2b",  # SI2ter
    "050607200046244000032b2b2b2b2b2b2b2b2b2b2b2b2b",  # SI2quater
    "49061b2bd962f220013ec8070a156009b90000e81f461b",  # SI3
    "31061c62f220013e6009b90000e81f732b2b2b2b2b2b2b",  # SI4
    "010600c0005847eb4a9243406284eb2b2b2b2b2b2b2b2b",  # SI13
]


def random_list(rng: random.Random) -> tuple[FreqListFormat, list[int]]:
    fmt = rng.choice(list(FreqListFormat))
    while True:
        if fmt is FreqListFormat.BITMAP_0:
            vals = rng.sample(range(1, 125), rng.randint(1, 30))
        elif fmt is FreqListFormat.RANGE_1024:
            vals = rng.sample(range(1024), rng.randint(1, 16))
        else:
            orig = rng.randrange(1024)
            vals = [(orig + o) % 1024 for o in rng.sample(range(112), rng.randint(1, 17))]
        if fits(vals, fmt):
            return fmt, vals


def mix(n_cells: int) -> list[bytes]:
    rng = random.Random(1)
    frames = [bytes.fromhex(h) for h in REAL]
    for _ in range(n_cells):
        nb_fmt, nb = random_list(rng)
        cc_fmt, cc = random_list(rng)
        p = CellParams(
            mcc=f"{rng.randrange(1000):03d}",
            mnc=f"{rng.randrange(100):02d}" if rng.random() < 0.7 else f"{rng.randrange(1000):03d}",
            lac=rng.randrange(65536), cell_id=rng.randrange(65536), neighbours=tuple(nb), neighbour_format=nb_fmt,
            cell_channels=tuple(cc), cell_channel_format=cc_fmt,
            neighbours_ter=(10, 20, 30) if rng.random() < 0.3 else (),
            cro_db=rng.choice([None, 2 * rng.randrange(64)]), t3212_min=6 * rng.randrange(256),
            utran_fdd=((10700, (1, 2, 3)),) if rng.random() < 0.3 else (),
            eutran_earfcns=(6300,) if rng.random() < 0.3 else (),
        )  # fmt: skip
        try:
            frames.extend(build_all(p).values())
        except L3EncodeError:
            pass
    return frames


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--cells", type=int, default=200)
    args = ap.parse_args()
    frames = mix(args.cells)
    reps = max(1, args.messages // len(frames))
    work = frames * reps
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for f in work:
            parse_si(f)
        best = min(best, time.perf_counter() - t0)
    print(f"python {sys.version.split()[0]}: {len(work)} messages ({len(frames)} distinct) in {best:.3f} s "
          f"= {len(work) / best:,.0f} messages/s ({best / len(work) * 1e6:.1f} µs each)")  # fmt: skip
    by_type: dict[str, list[bytes]] = defaultdict(list)
    for f in frames:
        by_type[si_type_of(f).value].append(f)
    for t, group in sorted(by_type.items(), key=lambda kv: kv[0]):
        n = max(2000, 20 * len(group))
        items = (group * (n // len(group) + 1))[:n]
        t0 = time.perf_counter()
        for f in items:
            parse_si(f)
        dt = time.perf_counter() - t0
        print(f"  SI{t:8s} {n / dt:12,.0f} messages/s  ({len(group)} distinct)")


if __name__ == "__main__":
    main()
