"""Receiver-side shadowing from the real cells heard beside a fake (sensor/locate/reference.py), on
synthetic drives: readings every 5 s (20 m) along three sides of a square, real cells 1-3 km away, the fake 150 m
off the street; shadowing = a part common to every transmitter at a position + each path's own."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu
from sensor.locate.estimate import Estimate
from sensor.locate.fit import locate
from sensor.locate.reference import _pair, common_shadowing, locate_among

LAT0, LON0 = 48.137154, 11.576124
FAKE_XY = np.array([450.0, 150.0])


def _drive(n: int = 90) -> np.ndarray:
    """(east, north) every 20 m along three sides of a 600 m square: east, north, then west."""
    s = np.arange(n) * 20.0
    corners = np.array([[0.0, 0.0], [600.0, 0.0], [600.0, 600.0], [0.0, 600.0]])
    cum = np.array([0.0, 600.0, 1200.0, 1800.0])
    return np.column_stack((np.interp(s, cum, corners[:, 0]), np.interp(s, cum, corners[:, 1])))


def _rows(xy: np.ndarray, power: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
    return np.column_stack((lat, lon, power, t_s))


def _scene(seed: int, common_db: float, own_db: float = 4.0, fake_own_db: float = 1.5, cells: int = 6):
    """(fake rows, [real cell rows], the common shadowing drawn)."""
    rng = np.random.default_rng(seed)
    xy = _drive()
    t = 1000.0 + 5.0 * np.arange(len(xy))
    z = rng.normal(0.0, common_db, len(xy)) if common_db else np.zeros(len(xy))
    refs = []
    for _ in range(cells):
        b = rng.uniform(0, 2 * np.pi)
        site = np.array([300.0, 300.0]) + rng.uniform(1000.0, 3000.0) * np.array([np.cos(b), np.sin(b)])
        d = np.hypot(*(xy - site).T)
        p = 60.0 - 38.0 - 35.0 * np.log10(d) + z + rng.normal(0.0, own_db, len(xy))
        refs.append(_rows(xy, p, t))
    d = np.hypot(*(xy - FAKE_XY).T)
    p = 37.0 - 38.0 - 35.0 * np.log10(d) + z + rng.normal(0.0, fake_own_db, len(xy))
    return _rows(xy, p, t), refs, z


def _error_m(est) -> float:
    if not isinstance(est, Estimate):
        return 1000.0  # a refusal: counted as a miss
    e, n = enu_from_lat_lon(est.lat_deg, est.lon_deg, LAT0, LON0)
    return float(np.hypot(e - FAKE_XY[0], n - FAKE_XY[1]))


def test_recovers_a_planted_common_part():
    target, refs, z = _scene(1, common_db=4.0)
    cs = common_shadowing(target, refs)
    assert cs.references == 6
    assert cs.corrected == len(target)
    assert 2.5 <= np.sqrt(cs.common_var_db2) <= 5.0
    assert np.corrcoef(cs.correction_db, z)[0, 1] > 0.8
    # what is left of the common part is well below what there was
    assert np.std(z - cs.correction_db) < 0.6 * np.std(z)
    assert np.all(cs.posterior_var_db2 < cs.common_var_db2)
    corrected = cs.corrected_rows(target)
    assert np.allclose(corrected[:, 2], target[:, 2] - cs.correction_db)
    assert np.array_equal(corrected[:, [0, 1, 3]], target[:, [0, 1, 3]])
    assert cs.remaining_sigma_db(6.0) < 6.0


@pytest.mark.parametrize("seed", range(5))
def test_no_common_part_no_correction(seed):
    target, refs, _ = _scene(seed, common_db=0.0)
    cs = common_shadowing(target, refs)
    assert cs.corrected == 0
    assert not cs.correction_db.any()
    a, b = locate(target), locate_among(target, refs)
    assert (a.lat_deg, a.lon_deg, a.method) == (b.lat_deg, b.lon_deg, b.method)


def test_correction_improves_the_fit():
    alone, among = [], []
    for seed in range(8):
        target, refs, _ = _scene(100 + seed, common_db=5.0)
        alone.append(_error_m(locate(target)))
        est = locate_among(target, refs)
        assert "receiver-side shadowing" in est.method and "from 6 real cells" in est.method
        among.append(_error_m(est))
    assert np.median(among) < 0.7 * np.median(alone), (alone, among)


def test_one_cell_is_not_enough():
    target, refs, _ = _scene(2, common_db=4.0)
    cs = common_shadowing(target, refs[:1])
    assert (cs.references, cs.corrected) == (0, 0)
    assert locate_among(target, refs[:1]).method == locate(target).method


def test_readings_of_another_time_are_not_paired():
    target, refs, _ = _scene(3, common_db=4.0)
    later = [r + np.array([0.0, 0.0, 0.0, 3600.0]) for r in refs]
    assert common_shadowing(target, later).corrected == 0
    elsewhere = [r + np.array([0.001, 0.0, 0.0, 0.0]) for r in refs]  # ~110 m north: not the same place
    assert common_shadowing(target, elsewhere).corrected == 0


def test_bad_references_are_ignored():
    target, refs, _ = _scene(4, common_db=4.0)
    holed = refs[0].copy()
    holed[::7, 2] = np.nan
    bad = [np.zeros(5), np.zeros((70, 3)), np.empty((0, 4)), holed, *refs[1:3]]
    cs = common_shadowing(target, bad)
    assert cs.references == 3
    assert np.all(np.isfinite(cs.correction_db))
    assert common_shadowing(np.empty((0, 4)), refs).corrected == 0
    assert common_shadowing(target, []).corrected == 0
    assert isinstance(locate_among(target, [[], refs[1], refs[2]]), Estimate)


def test_pair_nearest_in_time_and_place():
    ref = np.array(
        [
            [LAT0, LON0, -70.0, 100.0],
            [LAT0, LON0, -71.0, 104.0],
            [LAT0 + 0.001, LON0, -72.0, 101.0],  # 110 m away: too far
            [LAT0, LON0, -73.0, 200.0],
        ]
    )
    t = np.array([103.0, 101.0, 150.0, 205.0])
    e = np.zeros(4)
    pick = _pair(t, e, e, ref, LAT0, LON0, 10.0, 20.0)
    assert pick.tolist() == [1, 0, -1, 3]
    assert _pair(t, e, e, ref[::-1], LAT0, LON0, 10.0, 20.0).tolist() == [2, 3, -1, 0]
    assert _pair(t, e, e, np.empty((0, 4)), LAT0, LON0, 10.0, 20.0).tolist() == [-1] * 4
