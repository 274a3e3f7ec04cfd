"""One receiver's output as the joint fit's rows (sensor/locate/visits.py): one reading per cell and
visit, the carrier readings of a visit combined, the velocity from the receiver's track where the GPS
gave none, the real cells' carriers, and the censored readings of visits that searched the suspect's
ARFCN without hearing it."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.cells import FCCH_SYSTEMATIC_HZ, CellObservation, FrequencyReading
from sensor.locate.enu import lat_lon_from_enu
from sensor.locate.joint import MISSED_COLUMNS, REFERENCE_COLUMNS, SUSPECT_COLUMNS
from sensor.locate.visits import (
    MISSED_WIDTH,
    REFERENCE_WIDTH,
    SUSPECT_WIDTH,
    joint_inputs,
    power_readings,
    utc_offset_s,
    visit_reading,
)

LAT0, LON0 = 31.2280, 121.4745
UTC0 = 1_790_000_000.0


def _cell(arfcn: int, t: np.ndarray, speed: float, heard: np.ndarray | None = None, with_velocity: bool = False):
    """A cell heard every 0.25 s (``heard``: when) from a car driving north at ``speed``; a carrier
    reading every second (its UTC time ``UTC0`` ahead of the receiver's clock)."""
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
        frs.append(FrequencyReading(float(s), UTC0 + float(s), 947.8e6 + arfcn, 1.6, 20, pos))
    return CellObservation(arfcn, 17, readings=readings, frequency_readings=frs)


def _read(cells, visits):
    out = []
    for c in cells:
        rs = []
        for t0, t1, searched in visits:
            vr = visit_reading(c, t0, t1, offset_s=utc_offset_s(cells, t0, t1), receiver="car", searched=searched)
            if vr is not None:
                rs.append(vr)
        out.append(rs)
    return out


def test_the_row_widths_are_the_fits():
    assert (
        len(SUSPECT_COLUMNS),
        len(REFERENCE_COLUMNS) + 1,
        len(MISSED_COLUMNS),
    ) == (SUSPECT_WIDTH, REFERENCE_WIDTH, MISSED_WIDTH)


def test_a_visit_reading_is_the_mean_power_the_combined_carrier_and_the_visits_time():
    t = np.arange(0.0, 6.0, 0.25)
    cell = _cell(64, t, 12.0, with_velocity=True)
    cell.readings[4] = (*cell.readings[4][:2], -50.0, cell.readings[4][3])  # one strong reading at t = 1.0 s
    cell.frequency_readings[1] = FrequencyReading(1.5, UTC0 + 1.5, 947.8e6 + 70.0, 3.2, 20, None)
    vr = visit_reading(cell, 0.0, 1.9, offset_s=UTC0, receiver="car", searched=(64,))
    powers = [r[2] for r in cell.readings if r[3] <= 1.9]
    assert vr.power_db == pytest.approx(10 * np.log10(np.mean(10 ** (np.array(powers) / 10))))
    assert (vr.lat_deg, vr.lon_deg) == cell.readings[7][:2]  # the last power reading's position (t = 1.75 s)
    # two carrier readings, sd 1.6 and 3.2 Hz of which FCCH_SYSTEMATIC_HZ is the error a reading's
    # bursts share: weighted by their own parts; the shared part stays in the mean's sd
    floor = FCCH_SYSTEMATIC_HZ
    w1, w2 = 1 / (1.6**2 - floor**2), 1 / (3.2**2 - floor**2)
    assert vr.freq_hz == pytest.approx(947.8e6 + 64.0 + 6.0 * w2 / (w1 + w2))
    assert vr.freq_sd_hz == pytest.approx(np.sqrt(1 / (w1 + w2) + floor**2)) and vr.freq_sd_hz > floor
    assert (vr.speed_m_s, vr.heading_deg) == (12.0, 0.0)  # the GPS's, at the reading nearest their time
    assert vr.time_s == pytest.approx(UTC0 + 0.95) and vr.searched == (64,)
    assert visit_reading(cell, 10.0, 11.0, offset_s=UTC0) is None  # not read on that visit
    bare = visit_reading(CellObservation(64, 17, readings=cell.readings), 0.0, 1.9, offset_s=None)
    assert np.isnan(bare.freq_hz) and bare.time_s == pytest.approx(0.95)  # no carrier, no UTC: the scan's clock


def test_the_rows_take_the_tracks_velocity_where_the_gps_gave_none():
    t = np.arange(0.0, 20.0, 0.25)
    visits = [(float(a), float(a) + 0.9, (60, 64)) for a in np.arange(0.0, 20.0, 1.0)]
    fake, real = _read([_cell(64, t, 12.0), _cell(60, t, 12.0)], visits)
    rows, refs, missed = joint_inputs(64, fake, [real], fake + real)
    assert rows.shape == (len(visits), SUSPECT_WIDTH) and np.all(np.isfinite(rows[:, 5]))
    assert np.allclose(rows[1:-1, 7], 12.0, atol=0.01) and np.allclose(rows[1:-1, 8], 0.0, atol=0.1)
    assert refs.shape == (len(visits), REFERENCE_WIDTH) and np.all(refs[:, 8] == 0.0)
    assert len(missed) == 0  # every visit heard the fake
    given = _read([_cell(64, t, 12.0, with_velocity=True)], visits)[0]
    assert np.all(joint_inputs(64, given, [], given)[0][:, 7] == 12.0)
    alone = joint_inputs(64, fake[:1], [], fake[:1])[0]  # one position: no track, no velocity
    assert np.isnan(alone[0, 7]) and len(power_readings(fake)) == len(visits)


def test_a_visit_that_searched_the_suspects_arfcn_and_did_not_hear_it_is_censored():
    t = np.arange(0.0, 30.0, 0.25)
    gap = (t >= 10.0) & (t < 20.0)
    fake, real = _read(
        [_cell(64, t, 12.0, heard=~gap), _cell(60, t, 12.0)], [(a, a + 0.9, (60, 64)) for a in range(30)]
    )
    missed = joint_inputs(64, fake, [real], real)[2]
    # the real cell's visits within the gap, at the weakest power read, each at its visit's time
    assert len(missed) == 10 and np.allclose(missed[:, 2] - UTC0, np.arange(10, 20) + 0.45)
    assert np.all(missed[:, 3] == min(r.power_db for r in fake + real))
    elsewhere = _read([_cell(60, t, 12.0)], [(a, a + 0.9, (60,)) for a in range(30)])[0]  # tuned away
    assert len(joint_inputs(64, fake, [], elsewhere)[2]) == 0
