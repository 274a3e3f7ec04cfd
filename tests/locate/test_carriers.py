"""A receiver's cells as the joint fit's rows (sensor/locate/carriers.py): the carrier readings joined
to the power readings, the velocity from the track where the GPS gave none, the real cells' carriers,
and the censored readings of tunings that covered the suspect when it was not heard."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.cells import CellObservation, FrequencyReading
from sensor.locate.carriers import missed_rows, reference_rows, suspect_rows, track_velocity
from sensor.locate.enu import lat_lon_from_enu

LAT0, LON0 = 31.2280, 121.4745


def _cell(arfcn: int, t: np.ndarray, speed: float, heard: np.ndarray | None = None, with_velocity: bool = False):
    """A cell heard every 0.25 s (``heard``: when) from a car driving north at ``speed``; a carrier
    reading every second."""
    heard = np.ones(len(t), dtype=bool) if heard is None else heard
    lat, lon = lat_lon_from_enu(np.zeros(len(t)), speed * t, LAT0, LON0)
    readings = [(float(a), float(o), -60.0 - arfcn % 7, float(s)) for a, o, s, h in zip(lat, lon, t, heard) if h]
    frs = []
    for s in np.arange(0.5, t[-1], 1.0):
        k = int(np.argmin(np.abs(t - s)))
        if not heard[k]:
            continue
        pos = {"lat_deg": float(lat[k]), "lon_deg": float(lon[k])}
        if with_velocity:
            pos |= {"speed_m_s": speed, "heading_deg": 0.0}
        frs.append(FrequencyReading(float(s), None, 947.8e6 + arfcn, 1.6, 20, pos))
    return CellObservation(arfcn, 17, readings=readings, frequency_readings=frs)


def test_carriers_join_the_power_readings_with_the_tracks_velocity():
    t = np.arange(0.0, 20.0, 0.25)
    fake, real = _cell(64, t, 12.0), _cell(60, t, 12.0)
    track = track_velocity([fake, real])
    speed, heading = track(10.0)
    assert speed == pytest.approx(12.0, abs=0.01) and heading == pytest.approx(0.0, abs=0.1)
    assert np.isnan(track(100.0)[0])  # beyond the track: unknown
    rows = suspect_rows(fake, track)
    with_carrier = rows[np.isfinite(rows[:, 5])]
    assert len(rows) == len(t) and len(with_carrier) == len(fake.frequency_readings)
    assert np.allclose(with_carrier[:, 7], 12.0, atol=0.01) and np.all(rows[:, 9] == 0.0)
    assert np.isnan(suspect_rows(fake)[:, 7]).all()  # no velocity without the GPS's or the track's
    given = _cell(64, t, 12.0, with_velocity=True)
    assert np.allclose(suspect_rows(given)[np.isfinite(suspect_rows(given)[:, 5]), 7], 12.0)
    refs = reference_rows([real], track)
    assert refs.shape == (len(real.frequency_readings), 9) and np.all(refs[:, 8] == 0.0)


def test_where_a_tuning_covered_the_suspect_and_it_was_not_heard_is_censored():
    t = np.arange(0.0, 30.0, 0.25)
    gap = (t >= 10.0) & (t < 20.0)
    fake, real = _cell(64, t, 12.0, heard=~gap), _cell(60, t, 12.0)
    f = fake.downlink_hz
    covered = [(f + 0.3e6, 2.4e6, 0.0, 30.0)]
    missed = missed_rows(fake, [fake, real], covered)
    # the real cell's positions 2 s or more inside the gap, one per second, at the weakest power read
    assert 5 <= len(missed) <= 7 and np.all((missed[:, 2] > 11.9) & (missed[:, 2] < 18.1))
    assert np.all(missed[:, 3] == min(r[2] for c in (fake, real) for r in c.readings))
    elsewhere = [(f + 10e6, 2.4e6, 0.0, 30.0)]  # tuned away: not heard says nothing
    assert len(missed_rows(fake, [fake, real], elsewhere)) == 0
