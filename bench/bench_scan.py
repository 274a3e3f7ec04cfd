"""Scan time for the whole E-GSM 900 band: radio (simulated) time and wall time of one pass, against
the physical bound, for the RTL-SDR and HackRF profiles, with the quick goal (SI3 of every cell)
and the full goal (every SI type each cell announces).

    python bench/bench_scan.py [--profiles rtlsdr-r820t,hackrf-one] [--goals quick,full] [--hackrf-rate 8e6]

Scene: the E-GSM part of tests/scan/bigscene.py (24 cells of two operators and a fake station,
receiver -40 ppm, uncalibrated: ±50 ppm plan margin). The bound is what no scanner can beat on
this plan: every tuning costs the tuner's settle time; a tuning with carriers must wait for the
latest of its cells' needed SI (quick: SI3 comes every 4 × 51 frames at worst, 0.94 s; full: one
cycle, 8 × 51 frames = 1.88 s) plus finding the carrier (one FCCH period, 11 frames) — taken as the
worst case of the SI wait; an empty tuning costs one FCCH period. gr-gsm's scanner (grgsm_scanner,
Debian's build) dwells a fixed time per step; its figure is printed for reference, not measured
here (it needs a radio). Wall time includes the simulator rendering the scene for the virtual
receiver (``simulator_s``, which a real radio does not cost); ``processing_over_radio`` is the
rest, the sensor's own work, against the radio time. Prints one JSON line per (profile, goal).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensor.scan.session import open_session
from tests.scan.bigscene import EGSM_CM, EGSM_CU, FAKE_ARFCN, write_big_scene

FRAME_S = 120e-3 / 26
SI_WAIT_S = {"quick": 4 * 51 * FRAME_S, "full": 8 * 51 * FRAME_S}
FCCH_PERIOD_S = 11 * FRAME_S


def _timed_source(source) -> list[float]:  # type: ignore[no-untyped-def]
    """Count the wall time the (simulated) radio spends making its samples: the virtual receiver
    renders the scene on demand, which a real radio does not cost the sensor."""
    spent = [0.0]
    blocks = source.blocks

    def timed(*a, **kw):  # type: ignore[no-untyped-def]
        it = blocks(*a, **kw)
        while True:
            t = time.perf_counter()
            try:
                b = next(it)
            except StopIteration:
                spent[0] += time.perf_counter() - t
                return
            spent[0] += time.perf_counter() - t
            yield b

    source.blocks = timed
    return spent


def one(scene: Path, profile: str, goal: str, rate_hz: float | None) -> dict:
    t0 = time.perf_counter()
    s = open_session(f"sim:{scene}", profile=profile, bands="gsm900", rate_hz=rate_hz, goal=goal)
    try:
        spent = _timed_source(s.scanner.source)
        visits = s.scanner.scan_pass(0)
        wall_s = time.perf_counter() - t0
        settle = s.profile.settle_s
        occupied = sum(1 for v in visits if v.found)
        radio_s = sum(v.dwell_s for v in visits) + settle * len(visits)
        bound_s = occupied * (settle + FCCH_PERIOD_S + SI_WAIT_S[goal]) + (len(visits) - occupied) * (
            settle + FCCH_PERIOD_S
        )
        heard = {a for (a, _), c in s.scanner.tracker.cells.items() if c.blocks > c.blocks_failed}
        want = set(EGSM_CM) | set(EGSM_CU) | {FAKE_ARFCN}
        return {
            "profile": profile,
            "rate_hz": s.plan.sample_rate_hz,
            "goal": goal,
            "tunings": len(visits),
            "occupied_tunings": occupied,
            "cells_found": len(heard & want),
            "cells": len(want),
            "phantoms": sorted(heard - want),
            "timed_out": sum(v.timed_out for v in visits),
            "radio_s": round(radio_s, 2),
            "bound_s": round(bound_s, 2),
            "radio_over_bound": round(radio_s / bound_s, 2),
            "wall_s": round(wall_s, 1),
            "wall_over_radio": round(wall_s / radio_s, 2),
            "simulator_s": round(spent[0], 1),
            "processing_over_radio": round((wall_s - spent[0]) / radio_s, 2),
            "grgsm_scanner_s": 15.0 * len(visits),
        }
    finally:
        s.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", default="rtlsdr-r820t,hackrf-one")
    ap.add_argument("--goals", default="quick,full")
    ap.add_argument("--hackrf-rate", type=float, default=8e6)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        scene = write_big_scene(Path(d))
        for profile in args.profiles.split(","):
            for goal in args.goals.split(","):
                rate = args.hackrf_rate if profile.startswith("hackrf") else None
                print(json.dumps(one(scene, profile, goal, rate)), flush=True)


if __name__ == "__main__":
    main()
