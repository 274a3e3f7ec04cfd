"""Virtual receiver throughput: simulated seconds per wall second (× real time), one core.

    python bench/bench_sim.py [--seconds 2]

Scenes: 10 cells in a 2.4 Msps RTL-SDR passband; 60 cells in a 20 Msps HackRF passband (spread
over ARFCN 15-109, -20 to -45 dBFS); the bundled patrol scene (moving car, path loss,
shadowing, a faded cell, 8-bit ADC). Prints one JSON line per scene.
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

from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene


def grid_scene(path: Path, center_hz: float, rate_hz: float, arfcns: list[int]) -> Path:
    cells = []
    for i, a in enumerate(arfcns):
        cells.append(
            f'[[cells]]\nname = "c{a}"\narfcn = {a}\nbsic = {i % 64}\npower_dbfs = {-20 - (i * 7) % 25}\n'
            f"start_fn = {i * 1000}\ntiming_symbols = {(i * 37) % 1250}\n"
            f'[cells.params]\nmcc = "460"\nmnc = "0{i % 2}"\nlac = {100 + i // 10}\ncell_id = {i + 1}\n'
            f"neighbours = {[x for x in arfcns if x != a][:8]}\n"
        )
    text = (
        f"seed = 1\nduration_s = 3600.0\n[receiver]\ncenter_hz = {center_hz}\n"
        f"sample_rate_hz = {rate_hz}\nnoise_dbfs = -70.0\n"
    )
    path.write_text(text + "".join(cells))
    return path


def measure(name: str, scene_path: Path, seconds: float) -> dict:
    scene = load_scene(scene_path)
    r = SceneRenderer(scene)
    next(r.blocks(duration_s=0.05))  # warm the slot caches
    t0 = time.perf_counter()
    n = 0
    for block in r.blocks(duration_s=seconds):
        n += len(block)
    wall = time.perf_counter() - t0
    return {
        "scene": name,
        "cells_in_band": len(r.active),
        "rate_msps": r.sample_rate_hz / 1e6,
        "sim_seconds": round(n / r.sample_rate_hz, 3),
        "wall_seconds": round(wall, 3),
        "x_realtime": round(n / r.sample_rate_hz / wall, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
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


if __name__ == "__main__":
    main()
