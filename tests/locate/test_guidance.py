"""Guidance for the search: where one more reading would narrow a transmitter's region most."""

from __future__ import annotations

import numpy as np

from sensor.locate.enu import enu_from_lat_lon
from sensor.locate.estimate import Estimate, Refusal, location_object
from sensor.locate.fit import locate
from sensor.locate.guidance import _expected_spread_m2, bearing_gap_deg, compass, look_object, look_words
from tests.locate.test_fit import LAT0, LON0, SOUTH, TX, WEST, drive_readings, flat_road_rows


def _gap_interval(e: np.ndarray, n: np.ndarray, x: float, y: float) -> tuple[float, float]:
    b = np.sort(np.degrees(np.arctan2(e - x, n - y)) % 360.0)
    ext = np.append(b, b[0] + 360.0)
    i = int(np.argmax(np.diff(ext)))
    return float(ext[i]), float(ext[i + 1])


def test_bearing_gap() -> None:
    ring = np.radians(np.arange(0, 360, 30))
    assert abs(bearing_gap_deg(np.sin(ring), np.cos(ring), 0.0, 0.0) - 30.0) < 1e-9
    half = np.radians(np.arange(0, 181, 30))  # bearings 0..180: the west half is empty
    assert abs(bearing_gap_deg(100 * np.sin(half), 100 * np.cos(half), 0.0, 0.0) - 180.0) < 1e-9
    assert bearing_gap_deg(np.array([5.0, 10.0]), np.array([5.0, 10.0]), 0.0, 0.0) == 360.0  # one bearing
    assert [compass(b) for b in (0, 44, 46, 90, 180, 270, 337.6, 359)] == ["N", "NE", "NE", "E", "S", "W", "N", "N"]


def test_expected_spread_is_the_prior_spread_where_hypotheses_agree_and_zero_where_they_differ() -> None:
    hx, hy = np.array([-50.0, 50.0]), np.array([0.0, 0.0])  # two equally likely positions 100 m apart
    w = np.array([0.5, 0.5])
    mean = np.array(
        [
            [-80.0, -80.0],  # candidate 0: both predict the same power
            [-60.0, -100.0],  # candidate 1: 40 dB apart (20 σ)
            [-80.0, -82.0],
        ]
    )  # candidate 2: 2 dB apart (1 σ): in between
    spread = _expected_spread_m2(mean, np.full(3, 2.0), w, hx, hy)
    assert abs(spread[0] - 2500.0) < 1e-6  # variance of ±50 m
    assert spread[1] < 1e-6
    assert 0.2 * 2500.0 < spread[2] < 0.95 * 2500.0


def test_next_look_of_a_one_sided_search_lies_in_the_gap_the_readings_leave() -> None:
    # Cars drove the streets south and west of the transmitter only: the region stretches north-east,
    # and the reading that would narrow it most is on that side.
    inside = 0
    for seed in range(12):
        a = drive_readings(TX, [SOUTH, WEST], np.random.default_rng(seed))
        est = locate(a)
        assert isinstance(est, Estimate) and est.next_look is not None
        look = est.next_look
        x, y = enu_from_lat_lon(est.lat_deg, est.lon_deg, LAT0, LON0)
        e, n = enu_from_lat_lon(a[:, 0], a[:, 1], LAT0, LON0)
        lo, hi = _gap_interval(e, n, float(x), float(y))
        b = look.bearing_deg if look.bearing_deg >= lo else look.bearing_deg + 360.0
        inside += lo <= b <= hi
        assert look.gap_deg >= 100.0 and look.spread_db > 0.0
        le, ln = enu_from_lat_lon(look.lat_deg, look.lon_deg, LAT0, LON0)
        assert abs(np.hypot(le - x, ln - y) - look.distance_m) < 0.5
    assert inside >= 10  # (one of these seeds looks 8° outside the gap's edge)


def test_next_look_in_the_location_object_and_words() -> None:
    a = drive_readings(TX, [SOUTH, WEST], np.random.default_rng(3))
    est = locate(a)
    obj = location_object({"arfcn": 1, "bsic": 2, "cell_id": 3}, est)
    assert obj["next_look"] == look_object(est.next_look)
    assert set(obj["next_look"]) == {
        "lat_deg",
        "lon_deg",
        "bearing_deg",
        "direction",
        "distance_m",
        "spread_db",
        "gap_deg",
    }
    words = look_words(est.next_look)
    assert words.startswith("next reading best ") and "of the estimate" in words
    assert look_object(None) is None and look_words(None) == ""


def test_a_search_whose_region_is_unbounded_is_told_where_to_look() -> None:
    # A flat power profile along one road: no position can be given, but the next reading can be placed.
    rows = flat_road_rows()
    r = locate(rows)
    assert isinstance(r, Refusal) and r.next_look is not None
    _, ln = enu_from_lat_lon(r.next_look.lat_deg, r.next_look.lon_deg, LAT0, LON0)
    assert abs(ln) > 40.0  # off the road driven, where the readings say nothing yet
    too_few = locate(rows[:2])
    assert isinstance(too_few, Refusal) and too_few.next_look is None  # no fit, no guidance
