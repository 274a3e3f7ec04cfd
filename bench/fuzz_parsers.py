"""Fuzzing the parsers of everything a fake station transmits: LAPDm blocks, L3 messages, SMS TPDUs,
and the session tracker that strings them together.

    python bench/fuzz_parsers.py [--inputs 1000000] [--seed 1]

Inputs: a third uniformly random octet strings (0-40 octets), two thirds mutations (bit flips,
octet replacements, truncations, extensions, splices) of real seeds: the vf_call6 capture's SDCCH
and SACCH blocks, and every block a simulated fake station sends in fake-street-sdcch8 (UA echoes,
identity requests, CP-DATA/RP-DATA/SMS-DELIVER segments, rejects, SI5/SI6). Each input goes to
``l2.decode_block`` (SDCCH and SACCH), ``l3.decode_l3`` (plain and with pseudo length), the SMS
``decode_tpdu`` (MT and MO) and, as a block on a followed sub-channel, a ``SessionTracker``.
A crash is any exception other than ``DecodeError``; the tracker must never raise at all. Prints
the inputs run, crashes (with the first input of each kind), and the slowest input's time.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from sensor.errors import DecodeError
from sensor.l2.frame import decode_block
from sensor.l2.ts44006 import Channel
from sensor.l3.dispatch import decode_l3
from sensor.model import L2Block
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.tracker import SessionTracker
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic
from sensor.sms.tpdu import decode_tpdu

REPO = Path(__file__).resolve().parents[1]
CAPTURE = REPO.parent / "shared" / "captures" / "expected" / "vf_call6_arfcn725.grgsm_sdcch8_ts1.txt"


def seeds() -> list[bytes]:
    out = []
    if CAPTURE.is_file():
        out += [bytes.fromhex(line.split(":", 1)[1].replace(" ", "")) for line in CAPTURE.read_text().splitlines()]
    st = scene_traffic(load_scene(REPO / "recordings" / "scenes" / "fake-street-sdcch8.toml"))
    out += [b.octets for b in st.traffic["FAKE-street"].between(0, 10**7)][:3000]
    return out


def mutate(data: bytes, rng: np.random.Generator, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(int(rng.integers(1, 4))):
        op = int(rng.integers(0, 5))
        if op == 0 and b:  # flip bits
            i = int(rng.integers(0, len(b)))
            b[i] ^= 1 << int(rng.integers(0, 8))
        elif op == 1 and b:  # replace an octet with an interesting value
            b[int(rng.integers(0, len(b)))] = int(
                rng.choice([0x00, 0xFF, 0x7F, 0x80, 0x01, 0x2B, int(rng.integers(0, 256))])
            )
        elif op == 2 and b:  # truncate
            del b[int(rng.integers(0, len(b))) :]
        elif op == 3:  # extend
            b += rng.bytes(int(rng.integers(1, 8)))
        else:  # splice with another seed
            other = pool[int(rng.integers(0, len(pool)))]
            cut = int(rng.integers(0, len(b) + 1))
            b = b[:cut] + other[int(rng.integers(0, len(other) + 1)) :]
    return bytes(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    pool = seeds()
    tracker = SessionTracker(64, 17, Pseudonymizer(bytes(32)))
    crashes: dict[str, str] = {}
    counts = {"inputs": 0, "crashes": 0, "decoded_l2": 0, "decoded_l3": 0, "decoded_tpdu": 0}
    slowest = (0.0, "")
    t_start = time.perf_counter()
    for n in range(args.inputs):
        if n % 3 == 0:
            data = rng.bytes(int(rng.integers(0, 41)))
        else:
            data = mutate(pool[int(rng.integers(0, len(pool)))], rng, pool)
        t0 = time.perf_counter()
        for name, call in (
            ("l2 sdcch", lambda d: decode_block(d, Channel.SDCCH)),
            ("l2 sacch", lambda d: decode_block(d, Channel.SACCH)),
            ("l3", lambda d: decode_l3(d)),
            ("l3 pseudo length", lambda d: decode_l3(d, pseudo_length=True)),
            ("tpdu mt", lambda d: decode_tpdu(d, "mt")),
            ("tpdu mo", lambda d: decode_tpdu(d, "mo")),
        ):
            try:
                call(data)
                key = (
                    "decoded_l2" if name.startswith("l2") else "decoded_l3" if name.startswith("l3") else "decoded_tpdu"
                )
                counts[key] += 1
            except DecodeError:
                pass
            except Exception as exc:  # noqa: BLE001 - a crash is what this looks for
                counts["crashes"] += 1
                crashes.setdefault(f"{name}: {type(exc).__name__}", data.hex())
        channel = "SACCH" if n % 5 == 0 else "SDCCH"
        block = L2Block(64, n, 1, channel, data[:23].ljust(23, b"\x2b"), crc_ok=bool(n % 7), t_s=n * 0.235, sub=n % 8)
        try:
            tracker.add(block)
        except Exception as exc:  # noqa: BLE001
            counts["crashes"] += 1
            crashes.setdefault(f"tracker: {type(exc).__name__}", data.hex())
        dt = time.perf_counter() - t0
        if dt > slowest[0]:
            slowest = (dt, data.hex())
        counts["inputs"] += 1
    tracker.finish()
    print(
        json.dumps(
            {
                **counts,
                "seeds": len(pool),
                "wall_s": round(time.perf_counter() - t_start, 1),
                "slowest_input_ms": round(slowest[0] * 1e3, 3),
                "slowest_input": slowest[1],
                "crash_kinds": crashes,
            }
        )
    )


if __name__ == "__main__":
    main()
