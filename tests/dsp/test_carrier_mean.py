"""A carrier's mean from FCCH bursts: outliers left out, the standard error from the spread."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.cells import FREQ_READING_S, CellTracker
from sensor.dsp.carrier_mean import carrier_mean
from sensor.model import FcchEstimate, L2Block


def test_standard_error_is_honest_over_many_readings() -> None:
    rng = np.random.default_rng(5)
    inside = 0
    for _ in range(2000):
        x = 12.0 + 3.0 * rng.standard_normal(21)
        mean, se, n = carrier_mean(x)  # type: ignore[misc]
        inside += abs(mean - 12.0) < 2 * se
    assert inside / 2000 == pytest.approx(0.95, abs=0.02)


def test_outliers_floor_and_too_few() -> None:
    x = np.array([10.0, 10.5, 9.5, 10.2, 9.8, 400.0])  # a burst measured in a fade
    mean, se, n = carrier_mean(x)  # type: ignore[misc]
    assert n == 5 and mean == pytest.approx(10.0)
    assert carrier_mean(np.array([1.0, 2.0])) is None and carrier_mean(np.array([])) is None
    _, se_floor, _ = carrier_mean(x, systematic_hz=1.5)  # type: ignore[misc]
    assert se_floor == pytest.approx(np.hypot(se, 1.5))


def test_cell_readings_per_second_and_per_visit() -> None:
    tr = CellTracker()
    tr.add_block(L2Block(arfcn=62, fn=0, tn=0, channel="BCCH", octets=bytes(23), crc_ok=False, bsic=13))
    assert tr.add_fcch(FcchEstimate(99, 1, None, 0.0, 1.0, 10.0, 0.0)) is None  # no such cell: not kept
    for k in range(60):  # 3 s of bursts, 20 a second, the carrier 100 Hz + 2 Hz/s above nominal
        t = k * 0.05
        tr.add_fcch(FcchEstimate(62, 13, None, 100.0 + 2.0 * t, 1.0, 10.0, t), {"speed_m_s": 10.0})
    tr.finish_readings()
    cell = tr.cells[(62, 13)]
    assert [round(r.t_s, 3) for r in cell.frequency_readings] == [0.475, 1.475, 2.475]
    assert all(r.n_bursts == 20 for r in cell.frequency_readings) and FREQ_READING_S == 1.0
    for r in cell.frequency_readings:
        assert r.freq_hz - cell.downlink_hz == pytest.approx(100.0 + 2.0 * r.t_s)  # type: ignore[operator]
        assert r.position == {"speed_m_s": 10.0}
    assert cell.carrier()[0] - cell.downlink_hz == pytest.approx(103.0, abs=0.1)  # type: ignore[index, operator]
    tr.add_fcch(FcchEstimate(62, 13, None, 50.0, 1.0, 10.0, 10.0), reading_start_t_s=10.0)  # a new visit
    assert cell.fcch == [(10.0, 50.0)] and cell.carrier() is None  # one burst: too few
