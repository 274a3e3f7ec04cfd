"""The moving receiver's Doppler and the oscillators' drift in the simulator (sim/offsets.py), and
the carrier measured on each reading's FCCH bursts following them (cells.FrequencyReading)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from sensor.replay import Recording, Replayer
from sensor.resources import project_dir
from sensor.sim.offsets import GRID_S, offset_track, receiver_walk, velocity_en
from sensor.sim.output import nmea_track, write_sigmf
from sensor.sim.route import Drive, offset_position
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording

F_HZ = 950e6
START_UTC_S = 1767225600.0


def _track(drive, position, **kw):
    still = np.zeros(int(np.ceil(20.0 / GRID_S)) + 2)  # the receiver's clock does not drift
    args = dict(drive=drive, position=position, carrier_hz=F_HZ, cell_drift_ppm_per_min=0.0,
                receiver_drift_ppm=still, seed=1, cell_index=0, duration_s=20.0)  # fmt: skip
    return offset_track(**{**args, **kw})


def test_approaching_raises_the_carrier_by_the_closing_speed() -> None:
    drive = Drive.from_points([(31.23, 121.47), offset_position(31.23, 121.47, 300.0, 0.0)], 15.0)
    ahead = offset_position(31.23, 121.47, 1000.0, 0.0)  # due north: closing at the full 15 m/s
    behind = offset_position(31.23, 121.47, -1000.0, 0.0)
    abeam = offset_position(31.23, 121.47, 100.0, 5000.0)
    per_m_s = F_HZ / 299_792_458.0  # 3.17 Hz per m/s
    assert _track(drive, ahead).doppler_hz[0] == pytest.approx(15.0 * per_m_s, rel=1e-3)
    assert _track(drive, behind).doppler_hz[0] == pytest.approx(-15.0 * per_m_s, rel=1e-3)
    assert abs(_track(drive, abeam).doppler_hz[0]) < 0.02 * 15.0 * per_m_s
    t = np.array([1.0, 19.9, 25.0])  # the car stopped at the last waypoint after 20 s
    ve, vn = velocity_en(drive, t)
    assert np.allclose(vn[:2], 15.0) and np.allclose(ve[:2], 0.0, atol=1e-6) and vn[2] == 0.0
    assert not _track(Drive.from_points([(31.23, 121.47)], 10.0), ahead).moves  # parked: nothing moves
    assert not _track(drive, None).moves  # a cell without a position has no direction


def test_phase_is_continuous_and_its_slope_is_the_frequency() -> None:
    drive = Drive.from_points([(31.23, 121.47), offset_position(31.23, 121.47, 100.0, 0.0),
                               offset_position(31.23, 121.47, 100.0, 100.0)], 15.0)  # fmt: skip
    tr = _track(drive, offset_position(31.23, 121.47, 150.0, 30.0), cell_drift_ppm_per_min=0.01)
    fs = 100e3
    t = np.arange(int(12.0 * fs)) / fs
    whole = tr.phase(t)
    pieces = np.concatenate([tr.phase(t[i : i + 33_333]) for i in range(0, len(t), 33_333)])
    assert np.array_equal(whole, pieces)  # a function of time alone: stretches join without a jump
    inst_hz = np.diff(whole) * fs / (2 * np.pi)
    want = np.interp(t[:-1] + 0.5 / fs, tr.t_s, tr.total_hz)
    assert np.max(np.abs(inst_hz - want)) < 1e-3  # the corner at 6.7 s included
    assert np.max(np.abs(np.diff(inst_hz))) < 0.01  # no frequency step anywhere, not even at the corner


def test_drift_is_a_seeded_random_walk_of_the_given_size() -> None:
    a = receiver_walk(0.01, seed=3, duration_s=600.0)
    assert np.array_equal(a, receiver_walk(0.01, seed=3, duration_s=600.0))
    assert not np.array_equal(a, receiver_walk(0.01, seed=4, duration_s=600.0))
    assert a[0] == 0.0 and not receiver_walk(0.0, seed=3, duration_s=600.0).any()
    # increments over one minute have a standard deviation of 0.01 ppm (many walks)
    walks = np.array([receiver_walk(0.01, seed=s, duration_s=60.0)[int(60.0 / GRID_S)] for s in range(400)])
    assert np.std(walks) == pytest.approx(0.01, rel=0.15)


@pytest.mark.slow
def test_measured_doppler_follows_the_truth_on_a_drive(tmp_path) -> None:
    """10 s of the patrol drive (15 m/s north, the receiver's clock drifting 0.02 ppm/√min, the
    fake's 0.01): each 1-s reading's carrier, less the nominal carrier and the receiver's own offset
    (static and drift, from the truth), is the truth's Doppler within its stated uncertainty."""
    scene = load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml")
    cells = [dataclasses.replace(c, drift_ppm_per_min=0.01) if c.fake else c for c in scene.cells]
    scene = dataclasses.replace(scene, duration_s=10.0, cells=cells)
    write_sigmf(scene, tmp_path / "drive", start_utc_s=START_UTC_S)
    (tmp_path / "drive.nmea").write_text(nmea_track(scene, start_utc_s=START_UTC_S))
    meta = json.loads((tmp_path / "drive.sigmf-meta").read_text())["global"]["fbs:scene"]
    truth = {(c["arfcn"], c["bsic"]): c for c in meta["cells"]}
    centre = meta["receiver"]["center_hz"]
    path = tmp_path / "drive.sigmf-meta"
    tracker = Replayer().run([Recording(open_recording(str(path)), path)])
    errors, z, fake = [], [], []
    for key, cell in tracker.cells.items():
        tr = truth[key]
        o = tr["offsets"]
        assert max(abs(d) for d in o["doppler_hz"]) > 10.0  # it does move
        for r in cell.frequency_readings:
            doppler, osc, rx = (
                np.interp(r.t_s, o["t_s"], o[k]) for k in ("doppler_hz", "oscillator_hz", "receiver_hz")
            )
            measured = r.freq_hz - centre - tr["apparent_offset_hz"] - osc + rx
            assert r.position is not None and r.position["speed_m_s"] == pytest.approx(15.0, abs=0.1)
            assert r.position["heading_deg"] == pytest.approx(0.0, abs=0.5)
            if tr["fake"]:
                fake.append(abs(measured - doppler) / r.freq_sd_hz)
            elif tr["params"] and key != (62, 13):  # A-Nanjing is behind typical-urban fading: judged below
                errors.append(measured - doppler)
                z.append((measured - doppler) / r.freq_sd_hz)
        if key == (62, 13):  # faded: its uncertainty says so
            assert np.median([r.freq_sd_hz for r in cell.frequency_readings]) > 4.0
    assert len(errors) >= 25 and len(fake) >= 8
    assert np.median(np.abs(errors)) < 1.5 and np.percentile(np.abs(errors), 90) < 3.5
    assert np.mean(np.abs(z) < 2.0) >= 0.9  # inside 2 sigma
    assert np.mean(np.array(fake) < 2.0) >= 0.8  # the fake's own drift taken out as the truth has it
