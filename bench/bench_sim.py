"""Virtual receiver throughput: simulated seconds per wall second (× real time), one core.

    python bench/bench_sim.py [--seconds 2]

Scenes: 10 cells in a 2.4 Msps RTL-SDR passband; 60 cells in a 20 Msps HackRF passband (spread
over ARFCN 15-109, -20 to -45 dBFS); the bundled patrol scene (moving car, path loss,
shadowing, a faded cell, 8-bit ADC); the 10 cells again, one of them combined, with a phone
session a second for ``--traffic-seconds`` on the combined cell's SDCCH/4 and on another cell's
SDCCH/8 (an immediate assignment, then every SDCCH and SACCH block of the sub-channel for 4 s,
ciphered after the first second; every block distinct), whole, with the slot caches' sizes at the
end. Prints one JSON line per scene.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensor.gsm import tdma
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.sim.dedicated import place
from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene
from sensor.sim.specs import CellSpec
from sensor.sim.traffic import ScheduledBlock, Traffic

SESSION_S = 4.0


def grid_scene(path: Path, center_hz: float, rate_hz: float, arfcns: list[int], combined: tuple[int, ...] = ()) -> Path:
    cells = []
    for i, a in enumerate(arfcns):
        conf = "ccch_conf = 1\n" if a in combined else ""
        cells.append(
            f'[[cells]]\nname = "c{a}"\narfcn = {a}\nbsic = {i % 64}\npower_dbfs = {-20 - (i * 7) % 25}\n'
            f"start_fn = {i * 1000}\ntiming_symbols = {(i * 37) % 1250}\n"
            f'[cells.params]\nmcc = "460"\nmnc = "0{i % 2}"\nlac = {100 + i // 10}\ncell_id = {i + 1}\n'
            f"neighbours = {[x for x in arfcns if x != a][:8]}\n{conf}"
        )
    text = (
        f"seed = 1\nduration_s = 3600.0\n[receiver]\ncenter_hz = {center_hz}\n"
        f"sample_rate_hz = {rate_hz}\nnoise_dbfs = -70.0\n"
    )
    path.write_text(text + "".join(cells))
    return path


def session_traffic(cell: CellSpec, seconds: float) -> Traffic:
    """A phone a second on ``cell``'s SDCCH/4 or SDCCH/8 for ``SESSION_S`` each (see the docstring)."""
    combined, tns = cell.params.ccch_conf == 1, cell.sdcch8_timeslots
    tn, subs = (0, 4) if combined else (tns[0], 8)
    blocks: list[ScheduledBlock] = []
    frames = int(SESSION_S / tdma.FRAME_DURATION_S)
    for k in range(int(seconds)):
        start = cell.start_fn + int(k / tdma.FRAME_DURATION_S) + 60  # after the bench's warm-up
        fn = start
        while place(0, fn, combined=combined, sdcch8_timeslots=tns) != ("CCCH", None):
            fn += 1
        blocks.append(ScheduledBlock(0, fn, "CCCH", None, _octets(k, fn), session=k))
        for fn in range(start, start + frames):
            where = place(tn, fn, combined=combined, sdcch8_timeslots=tns)
            if where is not None and where[0] != "CCCH" and where[1] == k % subs:
                seed = k if fn > start + frames // SESSION_S else None
                blocks.append(
                    ScheduledBlock(tn, fn, where[0], where[1], _octets(k, fn), session=k, keystream_seed=seed)
                )
    return Traffic(blocks)


def _octets(session: int, fn: int) -> bytes:
    return bytes([1, 3, 1]) + session.to_bytes(4, "big") + fn.to_bytes(4, "big") + bytes(12)


def measure(name: str, scene_path: Path, seconds: float, traffic_cells: tuple[str, ...] = ()) -> dict:
    scene = load_scene(scene_path)
    cells = {c.name: c for c in scene.cells}
    traffic = {n: session_traffic(cells[n], seconds) for n in traffic_cells}
    r = SceneRenderer(scene, traffic=traffic)
    next(r.blocks(duration_s=0.05))  # warm the slot caches
    t0 = time.perf_counter()
    n = 0
    for block in r.blocks(duration_s=seconds):
        n += len(block)
    wall = time.perf_counter() - t0
    out = {
        "scene": name,
        "cells_in_band": len(r.active),
        "rate_msps": r.sample_rate_hz / 1e6,
        "sim_seconds": round(n / r.sample_rate_hz, 3),
        "wall_seconds": round(wall, 3),
        "x_realtime": round(n / r.sample_rate_hz / wall, 2),
    }
    if traffic:
        out["scheduled_blocks"] = sum(len(t) for t in traffic.values())
        gens = [a.gen for a in r.active]
        out["max_slot_cache"] = max(len(g._cache) for g in gens)
        out["max_scheduled_lru"] = max(len(g._recent) for g in gens)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--traffic-seconds", type=float, default=60.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        c10 = grid_scene(tmp / "rtl10.toml", arfcn_to_downlink_hz(62), 2.4e6, [58, 59, 60, 61, 62, 63, 64, 65, 66, 67])
        print(json.dumps(measure("2.4 Msps, 10 static cells", c10, args.seconds)))
        # 60 cells spread over ARFCN 15-109, the 19 MHz around ARFCN 62 that a 20 Msps HackRF sees.
        arfcns = sorted({int(round(a)) for a in np.linspace(15, 109, 60)})
        c60 = grid_scene(tmp / "hackrf60.toml", arfcn_to_downlink_hz(62), 20e6, arfcns)
        print(json.dumps(measure("20 Msps, 60 static cells", c60, args.seconds)))
        patrol = Path(__file__).resolve().parents[1] / "recordings" / "scenes" / "patrol.toml"
        print(json.dumps(measure("patrol (moving, faded, cu8)", patrol, args.seconds)))
        c10t = grid_scene(
            tmp / "rtl10t.toml", arfcn_to_downlink_hz(62), 2.4e6, [58, 59, 60, 61, 62, 63, 64, 65, 66, 67], (60,)
        )
        name = "2.4 Msps, 10 cells, a session a second on SDCCH/4 (c60) and SDCCH/8 (c62)"
        print(json.dumps(measure(name, c10t, args.traffic_seconds, ("c60", "c62"))))


if __name__ == "__main__":
    main()
