"""Doppler measured on a simulated drive against the truth: each 1-s reading's carrier (its FCCH
bursts, ``cells.FrequencyReading``), less the nominal carrier and the receiver's own offset (static
and drift, from the scene's truth), minus the truth's Doppler.

    python bench/bench_doppler.py [--duration 20] [--fake-drift 0.01] [--receiver-drift PPM]
                                  [--parked] [--coherent-moving] [--difference]

The patrol drive (recordings/scenes/patrol-drive.toml: 15 m/s, 350 m north then east, the
receiver's clock drifting 0.02 ppm/√min, or ``--receiver-drift``), the fake's crystal drifting
``--fake-drift`` ppm/√min. ``--coherent-moving``: the readings of the moving receiver measured
from the bursts' phases where they cohere (``cells.COHERENT_MAX_SPEED_M_S`` lifted for the run).
``--difference``: also the fake's doubled FCCH phases less a clean real cell's of the same
receiver window (the real cell's unwrapped burst by burst and interpolated to the fake's bursts):
the receiver's oscillator walk, common to both carriers, cancels; measured coherently, the
difference of the two carriers' frequencies against the truth's (a prototype, not in the receiver).
``--parked``: the patrol scene (recordings/scenes/patrol.toml) at its route's first point, nothing
drifting: what is left is the measurement's own error. Figures per cell class: readings, the share
measured coherently, median and 90th-percentile |error|, the stated sd (median, 10-90 %), the rms
of error / stated sd and the share inside 2 sd; then the coherent readings alone against the
truth at their time (what they measure: the frequency then). The faded cell (A-Nanjing, typical
urban) is shown apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.interpolate import CubicSpline

from sensor import cells as cell_model
from sensor.cells import FCCH_COHERENT_SYSTEMATIC_HZ, FCCH_SYSTEMATIC_HZ, CellTracker
from sensor.dsp.carrier_mean import carrier_mean
from sensor.dsp.fcch_coherent import coherent_carrier
from sensor.dsp.fcch_track import PHASE_READ_S
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.model import FcchEstimate
from sensor.replay import Recording, Replayer
from sensor.resources import project_dir
from sensor.sim.output import nmea_track, write_sigmf
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording

START_UTC_S = 1767225600.0
FADED = "A-Nanjing"
# The carrier at the receiver, less its static offset: Doppler + the cell's drift − the receiver's
TRUTH_TERMS = (("doppler_hz", 1.0), ("oscillator_hz", 1.0), ("receiver_hz", -1.0))
MIN_BURSTS = 6


class _KeepingTracker(CellTracker):
    """The replay's tracker, keeping every FCCH burst it takes (for ``--difference``)."""

    def __init__(self) -> None:
        super().__init__()
        self.bursts: list[FcchEstimate] = []

    def add_fcch(self, e, position=None, *, reading_start_t_s=None):  # type: ignore[no-untyped-def]
        cell = super().add_fcch(e, position, reading_start_t_s=reading_start_t_s)
        if cell is not None:
            self.bursts.append(e)
        return cell


def _truth_hz(cell: dict, t_s: np.ndarray) -> np.ndarray:
    o = cell.get("offsets")
    return sum((sign * np.interp(t_s, o["t_s"], o[k]) for k, sign in TRUTH_TERMS), np.zeros(len(t_s))) if o else 0 * t_s


def _unwrapped(t_s: np.ndarray, doubled: np.ndarray, f0_hz: float) -> np.ndarray:
    """Doubled phases unwrapped burst by burst, each step predicted from the last one's frequency."""
    u = doubled.copy()
    f = f0_hz
    for k in range(1, len(u)):
        pred = u[k - 1] + 4 * np.pi * f * (t_s[k] - t_s[k - 1])
        u[k] = pred + np.angle(np.exp(1j * (doubled[k] - pred)))
        f = (u[k] - u[k - 1]) / (4 * np.pi * (t_s[k] - t_s[k - 1]))
    return u


def difference_rows(bursts: list[FcchEstimate], truth: dict, centre_hz: float) -> tuple[int, list[tuple[float, float]]]:
    """(pairs tried, [(error Hz, stated sd Hz)] of those coherent): each stream of the fake's bursts
    against each clean real cell's stream bracketing at least MIN_BURSTS of them."""
    streams: dict[int, list[FcchEstimate]] = {}
    for e in bursts:
        if e.stream_id is not None and e.phase_rad is not None:
            streams.setdefault(e.stream_id, []).append(e)

    def arrays(es):  # type: ignore[no-untyped-def]
        tr = truth[(es[0].arfcn, es[0].bsic)]
        t = np.array([e.t_s for e in es]) + PHASE_READ_S
        ph = np.array([e.phase_rad for e in es])
        sd = np.array([e.phase_std_rad for e in es])
        inc = carrier_mean(np.array([e.offset_hz for e in es]))
        # the carrier's offset from its nominal frequency with nothing moving it
        rest = centre_hz + tr["apparent_offset_hz"] - arfcn_to_downlink_hz(es[0].arfcn, es[0].band)
        return tr, t, ph, sd, inc, es[0].phase_base_hz, rest

    fakes = [
        arrays(es) for es in streams.values() if truth[(es[0].arfcn, es[0].bsic)]["fake"] and len(es) >= MIN_BURSTS
    ]
    reals = [
        arrays(es)
        for es in streams.values()
        if len(es) >= MIN_BURSTS
        and not truth[(es[0].arfcn, es[0].bsic)]["fake"]
        and truth[(es[0].arfcn, es[0].bsic)]["name"] != FADED
    ]
    tried, rows = 0, []
    for trf, tf, phf, sdf, incf, basef, restf in fakes:
        for trr, tr_, phr, sdr, incr, baser, restr in reals:
            inside = (tf > tr_[0]) & (tf < tr_[-1])
            if inside.sum() < MIN_BURSTS or incf is None or incr is None:
                continue
            tried += 1
            ref = CubicSpline(tr_, _unwrapped(tr_, np.angle(np.exp(2j * phr)), incr[0] - baser))(tf[inside])
            diff = np.angle(np.exp(1j * (np.angle(np.exp(2j * phf[inside])) - ref))) / 2
            sd = np.hypot(sdf[inside], np.interp(tf[inside], tr_, sdr))
            prior_sd = float(np.hypot(np.hypot(incf[1], incr[1]), FCCH_SYSTEMATIC_HZ))
            c = coherent_carrier(
                tf[inside], diff, sd, prior_hz=(incf[0] - basef) - (incr[0] - baser), prior_sd_hz=prior_sd
            )
            if c is None:
                continue
            at = np.array([c.t_mean_s])
            measured = c.freq_hz + basef - baser - (restf - restr)
            true = float(_truth_hz(trf, at)[0] - _truth_hz(trr, at)[0])
            rows.append((measured - true, float(np.hypot(c.freq_sd_hz, FCCH_COHERENT_SYSTEMATIC_HZ))))
    return tried, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--fake-drift", type=float, default=0.01)
    ap.add_argument("--receiver-drift", type=float, default=None, help="ppm/√min (default: the scene's)")
    ap.add_argument("--parked", action="store_true", help="the patrol scene parked: no Doppler, no drift")
    ap.add_argument("--coherent-moving", action="store_true", help="coherent readings on the moving receiver too")
    ap.add_argument("--difference", action="store_true", help="the fake's phases less a real cell's (a prototype)")
    args = ap.parse_args()
    if args.coherent_moving:
        cell_model.COHERENT_MAX_SPEED_M_S = float("inf")
    if args.parked:  # patrol.toml at its route's first point (its receiver and cells do not drift)
        scene = load_scene(project_dir("recordings") / "scenes" / "patrol.toml")
        assert scene.route is not None
        scene = dataclasses.replace(scene, route=dataclasses.replace(scene.route, points=scene.route.points[:1]))
    else:
        scene = load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml")
        cells = [dataclasses.replace(c, drift_ppm_per_min=args.fake_drift) if c.fake else c for c in scene.cells]
        scene = dataclasses.replace(scene, cells=cells)
        if args.receiver_drift is not None:
            receiver = dataclasses.replace(scene.receiver, drift_ppm_per_min=args.receiver_drift)
            scene = dataclasses.replace(scene, receiver=receiver)
    scene = dataclasses.replace(scene, duration_s=args.duration)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        base = Path(d) / "drive"
        write_sigmf(scene, base, start_utc_s=START_UTC_S)
        base.with_suffix(".nmea").write_text(nmea_track(scene, start_utc_s=START_UTC_S))
        meta = json.loads(base.with_suffix(".sigmf-meta").read_text())["global"]["fbs:scene"]
        path = base.with_suffix(".sigmf-meta")
        replayer = Replayer()
        replayer.tracker = _KeepingTracker()
        tracker = replayer.run([Recording(open_recording(str(path)), path)])
    elapsed = time.perf_counter() - t0
    truth = {(c["arfcn"], c["bsic"]): c for c in meta["cells"]}
    centre = meta["receiver"]["center_hz"]
    rows: dict[str, list[tuple[float, float]]] = {}
    for key, cell in tracker.cells.items():
        tr = truth[key]
        o = tr.get("offsets")  # absent where nothing moves the carrier
        group = "fake" if tr["fake"] else ("real, faded" if tr["name"] == FADED else "real, clean")
        for r in cell.frequency_readings:
            # the truth's mean over the reading's span (what a coherent reading measures: the drift
            # walks move the carrier within it) and at its mean time
            t = r.t_s + np.linspace(-r.span_s / 2, r.span_s / 2, 41)
            truth_hz = np.zeros(len(t))
            for k, sign in TRUTH_TERMS if o is not None else ():
                truth_hz += sign * np.interp(t, o["t_s"], o[k])
            base = r.freq_hz - centre - tr["apparent_offset_hz"]
            rows.setdefault(group, []).append(
                (base - float(np.mean(truth_hz)), r.freq_sd_hz, base - float(truth_hz[20]), r.coherent)
            )
    what = "patrol scene parked" if args.parked else "patrol drive, 15 m/s"
    if not args.parked:
        what += f", receiver drift {scene.receiver.drift_ppm_per_min} ppm/√min, fake's {args.fake_drift}"
    print(f"{what}, {args.duration:.0f} s, render + replay {elapsed:.1f} s")
    print("error against the truth's mean over each reading's span (at its mean time in brackets)")
    print(f"{'cells':<13} {'readings':>8} {'coherent':>8} {'median |err|':>13} {'p90 |err|':>10} "
          f"{'median sd':>10} {'sd 10-90 %':>14} {'rms err/sd':>10} {'in 2 sd':>8} "
          f"{'(median |err|, in 2 sd)':>24}")  # fmt: skip
    for group in ("real, clean", "fake", "real, faded"):
        e = np.array(rows.get(group, []))
        if not len(e):
            continue
        err, sd, at_t = np.abs(e[:, 0]), e[:, 1], np.abs(e[:, 2])
        print(f"{group:<13} {len(e):>8} {np.mean(e[:, 3]):>8.0%} {np.median(err):>10.3f} Hz "
              f"{np.percentile(err, 90):>7.3f} Hz {np.median(sd):>7.3f} Hz "
              f"{np.percentile(sd, 10):>5.2f}-{np.percentile(sd, 90):<5.2f} Hz "
              f"{np.sqrt(np.mean((err / sd) ** 2)):>10.2f} "
              f"{np.mean(err < 2 * sd):>7.0%} "
              f"({np.median(at_t):.3f} Hz, {np.mean(at_t < 2 * sd):.0%})")  # fmt: skip
    print("coherent readings alone, against the truth at their time")
    for group in ("real, clean", "fake", "real, faded"):
        e = np.array(rows.get(group, []))
        coh = e[e[:, 3] > 0] if len(e) else e
        if not len(coh):
            continue
        at_t, sd = np.abs(coh[:, 2]), coh[:, 1]
        print(f"{group:<13} {len(coh):>8} {np.median(at_t):>10.4f} Hz {np.percentile(at_t, 90):>7.4f} Hz "
              f"{np.median(sd):>7.4f} Hz {np.sqrt(np.mean((at_t / sd) ** 2)):>10.2f} "
              f"{np.mean(at_t < 2 * sd):>7.0%} mean error {np.mean(coh[:, 2]):+.4f} Hz")  # fmt: skip
    # what bench_locate.py's error model draws a clean channel's readings from (CLEAN_SD_DECILES_HZ)
    clean = np.array(rows.get("real, clean", []) + rows.get("fake", []))
    if len(clean):
        deciles = np.percentile(clean[:, 1], np.arange(0, 101, 10))
        ratio = np.sqrt(np.mean((clean[:, 0] / clean[:, 1]) ** 2))
        label = "clean channel (real and fake): stated sd deciles"
        print(f"{label} {np.round(deciles, 2).tolist()} Hz, rms err/sd {ratio:.2f}")
    if args.difference:
        assert isinstance(tracker, _KeepingTracker)
        tried, diffs = difference_rows(tracker.bursts, truth, centre)
        print(f"fake less a clean real cell, the same window: {tried} pairs of streams, {len(diffs)} coherent")
        if diffs:
            e, sd = np.abs(np.array(diffs)[:, 0]), np.array(diffs)[:, 1]
            print(f"  median |err| {np.median(e):.4f} Hz, p90 {np.percentile(e, 90):.4f} Hz, median sd "
                  f"{np.median(sd):.4f} Hz, rms err/sd {np.sqrt(np.mean((e / sd) ** 2)):.2f}, inside 2 sd "
                  f"{np.mean(e < 2 * sd):.0%}, mean error {np.mean(np.array(diffs)[:, 0]):+.4f} Hz")  # fmt: skip


if __name__ == "__main__":
    main()
