"""Doppler measured on a simulated drive against the truth: each 1-s reading's carrier (its FCCH
bursts, ``cells.FrequencyReading``), less the nominal carrier and the receiver's own offset (static
and drift, from the scene's truth), minus the truth's Doppler.

    python bench/bench_doppler.py [--duration 20] [--fake-drift 0.01]

The patrol drive (recordings/scenes/patrol-drive.toml: 15 m/s, 350 m north then east, the
receiver's clock drifting 0.02 ppm/√min), the fake's crystal drifting ``--fake-drift`` ppm/√min.
Figures per cell class: readings, median and 90th-percentile |error|, median stated uncertainty,
share of readings inside 2 sigma. The faded cell (A-Nanjing, typical urban) is shown apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from sensor.replay import Recording, Replayer
from sensor.resources import project_dir
from sensor.sim.output import nmea_track, write_sigmf
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording

START_UTC_S = 1767225600.0
FADED = "A-Nanjing"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--fake-drift", type=float, default=0.01)
    args = ap.parse_args()
    scene = load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml")
    cells = [dataclasses.replace(c, drift_ppm_per_min=args.fake_drift) if c.fake else c for c in scene.cells]
    scene = dataclasses.replace(scene, duration_s=args.duration, cells=cells)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "drive"
        write_sigmf(scene, base, start_utc_s=START_UTC_S)
        base.with_suffix(".nmea").write_text(nmea_track(scene, start_utc_s=START_UTC_S))
        meta = json.loads(base.with_suffix(".sigmf-meta").read_text())["global"]["fbs:scene"]
        path = base.with_suffix(".sigmf-meta")
        tracker = Replayer().run([Recording(open_recording(str(path)), path)])
    elapsed = time.perf_counter() - t0
    truth = {(c["arfcn"], c["bsic"]): c for c in meta["cells"]}
    centre = meta["receiver"]["center_hz"]
    rows: dict[str, list[tuple[float, float]]] = {}
    for key, cell in tracker.cells.items():
        tr = truth[key]
        o = tr["offsets"]
        group = "fake" if tr["fake"] else ("real, faded" if tr["name"] == FADED else "real, clean")
        for r in cell.frequency_readings:
            doppler, osc, rx = (
                np.interp(r.t_s, o["t_s"], o[k]) for k in ("doppler_hz", "oscillator_hz", "receiver_hz")
            )
            err = r.freq_hz - centre - tr["apparent_offset_hz"] - osc + rx - doppler
            rows.setdefault(group, []).append((err, r.freq_sd_hz))
    print(f"patrol drive, {args.duration:.0f} s at 15 m/s, render + replay {elapsed:.1f} s")
    print(f"{'cells':<13} {'readings':>8} {'median |err|':>13} {'p90 |err|':>10} {'median sd':>10} {'in 2 sd':>8}")
    for group in ("real, clean", "fake", "real, faded"):
        e = np.array(rows.get(group, []))
        if not len(e):
            continue
        err, sd = np.abs(e[:, 0]), e[:, 1]
        print(f"{group:<13} {len(e):>8} {np.median(err):>10.2f} Hz {np.percentile(err, 90):>7.2f} Hz "
              f"{np.median(sd):>7.2f} Hz {np.mean(err < 2 * sd):>7.0%}")  # fmt: skip


if __name__ == "__main__":
    main()
