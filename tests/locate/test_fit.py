"""Transmitter localisation on seeded synthetic drives (PathLossModel path loss and shadowing)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import optimize

from sensor.gps.geodesy import distance_m
from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu
from sensor.locate.estimate import Estimate, Refusal, location_object
from sensor.locate.fit import locate
from sensor.locate.model import LocateConfig, profile_rss
from sensor.locate.moving import track
from sensor.locate.observations import Reading, shadowing_whitener
from sensor.locate.region import region_contains
from sensor.sim.propagation import PathLossModel

LAT0, LON0 = 48.137154, 11.576124
TX_DBM = 37.0
MODEL = PathLossModel(exponent=3.5, shadowing_sigma_db=6.0, decorrelation_m=50.0)


def along(points: list[tuple[float, float]], spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions (east, north) every ``spacing_m`` along a polyline, and the distance travelled."""
    p = np.array(points, dtype=np.float64)
    cum = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))))
    s = np.arange(0.0, cum[-1] + 1e-9, spacing_m)
    return np.column_stack((np.interp(s, cum, p[:, 0]), np.interp(s, cum, p[:, 1]))), s


def drive_readings(
    tx: np.ndarray,
    routes: list[list[tuple[float, float]]],
    rng: np.random.Generator,
    *,
    spacing_m: float = 50.0,
    model: PathLossModel = MODEL,
    t0_s: float = 0.0,
) -> np.ndarray:
    """Rows (lat, lon, power_dbm, t_s) of cars driving ``routes`` at 10 m/s past a transmitter at
    ``tx`` (east, north metres from LAT0/LON0): mean path loss plus shadowing along each route."""
    rows = []
    for k, r in enumerate(routes):
        xy, s = along(r, spacing_m)
        d = np.hypot(*(xy - tx).T)
        p = TX_DBM - model.mean_loss_db(d) + model.shadowing_db(s, rng)
        lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
        rows.append(np.column_stack((lat, lon, p, t0_s + 1000.0 * k + s / 10.0)))
    return np.vstack(rows)


def error_m(est: Estimate, tx: np.ndarray) -> float:
    lat, lon = lat_lon_from_enu(tx[0], tx[1], LAT0, LON0)
    return distance_m(est.lat_deg, est.lon_deg, float(lat), float(lon))


def contains(est: Estimate, xy: np.ndarray) -> bool:
    lat, lon = lat_lon_from_enu(xy[0], xy[1], LAT0, LON0)
    return region_contains(est, float(lat), float(lon))


TX = np.array([60.0, 80.0])  # inside the block between the four streets below, 120-160 m from each
SOUTH = [(-500.0, -50.0), (600.0, -50.0)]
WEST = [(-100.0, -500.0), (-100.0, 600.0)]
NORTH = [(600.0, 200.0), (-500.0, 200.0)]
EAST = [(200.0, 600.0), (200.0, -500.0)]
AROUND = [SOUTH, WEST, NORTH, EAST]  # one car per street, 50 m between readings


# --------------------------------------------------------------------------- the plane and the kernel


def test_enu_round_trip_and_distances() -> None:
    e = np.array([0.0, 1200.0, -3000.0])
    n = np.array([0.0, -800.0, 2500.0])
    lat, lon = lat_lon_from_enu(e, n, LAT0, LON0)
    e2, n2 = enu_from_lat_lon(lat, lon, LAT0, LON0)
    assert np.allclose(e2, e, atol=1e-6) and np.allclose(n2, n, atol=1e-6)
    for i in range(1, 3):  # plane distances agree with great-circle ones to 0.1 %
        assert np.hypot(e[i], n[i]) == pytest.approx(distance_m(LAT0, LON0, lat[i], lon[i]), rel=1e-3)
    # across the antimeridian
    e3, _ = enu_from_lat_lon(0.0, -179.999, 0.0, 179.999)
    assert e3 == pytest.approx(222.6, abs=0.5)


def test_profile_matches_brute_force_least_squares() -> None:
    rng = np.random.default_rng(3)
    e, n = rng.uniform(-500, 500, 30), rng.uniform(-500, 500, 30)
    p = -5.0 - 35.0 * np.log10(np.hypot(e - 40, n + 90)) + rng.normal(0, 4, 30)
    k = shadowing_whitener(e, n, np.ones(30), decorrelation_m=50.0, nugget=0.1)
    gx, gy = np.array([40.0, 700.0, -300.0]), np.array([-90.0, 100.0, 2000.0])
    rss, expo, tx = profile_rss(gx, gy, e, n, p, k, exponent_bounds=(2.0, 5.0), exponent_prior=3.0, prior_weight=64.0)
    for i in range(3):
        u = -10 * np.log10(np.maximum(np.hypot(gx[i] - e, gy[i] - n), 10.0))

        def f(th: np.ndarray, u: np.ndarray = u) -> np.ndarray:
            return np.append(k @ (p - th[0] - th[1] * u), 8.0 * (th[1] - 3.0))

        best = optimize.least_squares(f, [tx[i] + 3, 3.0], bounds=([-np.inf, 2.0], [np.inf, 5.0]))
        assert rss[i] == pytest.approx(2 * best.cost, rel=1e-6, abs=1e-6)
        assert expo[i] == pytest.approx(best.x[1], abs=1e-4)
    assert rss[0] < rss[1] < rss[2]


# --------------------------------------------------------------------------- accuracy and regions


def test_error_shrinks_as_readings_surround_the_transmitter() -> None:
    errors: dict[int, list[float]] = {1: [], 2: [], 4: []}
    radii: dict[int, list[float]] = {1: [], 2: [], 4: []}
    for seed in range(6):
        for k, routes in ((1, [SOUTH]), (2, [SOUTH, WEST]), (4, AROUND)):
            est = locate(drive_readings(TX, routes, np.random.default_rng(seed)))
            if isinstance(est, Estimate):  # one street alone may be refused (unbounded): that is allowed
                errors[k].append(error_m(est, TX))
                radii[k].append(est.radius_m)
    assert len(errors[2]) == len(errors[4]) == 6 and len(errors[1]) >= 4
    med = {k: float(np.median(v)) for k, v in errors.items()}
    rad = {k: float(np.median(v)) for k, v in radii.items()}
    assert med[4] < 40.0
    assert med[1] > 120.0  # one street: a side is guessed, the mirror is 260 m away
    assert med[4] < med[2] < med[1]
    assert rad[4] < rad[2] < rad[1]


def test_region_contains_the_truth_and_location_object() -> None:
    est = locate(drive_readings(TX, AROUND, np.random.default_rng(11)))
    assert isinstance(est, Estimate)
    assert contains(est, TX)
    assert not contains(est, TX + np.array([est.radius_m + 50.0, 0.0]))
    assert 2.0 <= est.exponent <= 5.0 and est.sigma_db is not None and 3.0 < est.sigma_db < 10.0
    assert est.n_positions >= 80 and est.rejected == () and not est.mirror_ambiguous
    obj = location_object({"arfcn": 93, "bsic": 56, "cell_id": 15149, "mcc": "262"}, est)
    assert {k: obj[k] for k in ("type", "schema", "arfcn", "bsic", "cell_id", "n_positions")} == {
        "type": "location",
        "schema": 1,
        "arfcn": 93,
        "bsic": 56,
        "cell_id": 15149,
        "n_positions": est.n_positions,
    }
    assert obj["radius_m"] == pytest.approx(est.radius_m, abs=0.1)
    ring = obj["region"]["coordinates"][0][0]
    assert ring[0] == ring[-1] and len(ring) >= 4  # closed GeoJSON ring of [lon, lat]
    assert abs(ring[0][0] - LON0) < 0.01 and abs(ring[0][1] - LAT0) < 0.01
    x, y = np.array(ring).T
    assert np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]) > 0  # counter-clockwise (RFC 7946)
    assert obj["mirror_ambiguous"] is False and obj["ellipse"]["semi_major_m"] >= obj["ellipse"]["semi_minor_m"]
    json.dumps(obj)
    assert location_object({}, est)["cell_id"] is None


def test_straight_road_mirror_ambiguity_keeps_both_sides() -> None:
    tx = np.array([100.0, 150.0])
    est = locate(drive_readings(tx, [[(-700.0, 0.0), (700.0, 0.0)]], np.random.default_rng(5)))
    assert isinstance(est, Estimate)
    mirror = tx * np.array([1.0, -1.0])
    assert contains(est, tx) and contains(est, mirror)
    assert est.mirror_ambiguous and "mirror ambiguity" in est.method
    assert est.radius_m >= max(error_m(est, tx), error_m(est, mirror))


def test_an_outlier_reading_is_rejected() -> None:
    rows = drive_readings(TX, AROUND, np.random.default_rng(3))
    clean = locate(rows)
    bad = rows.copy()
    far = int(np.argmax(np.hypot(*(np.array(enu_from_lat_lon(bad[:, 0], bad[:, 1], LAT0, LON0)).T - TX).T)))
    bad[far, 2] += 35.0  # a reflection or a mis-attributed reading: 35 dB too strong, far from the transmitter
    dirty = locate(bad)
    assert isinstance(clean, Estimate) and isinstance(dirty, Estimate)
    assert clean.rejected == () and dirty.rejected == (far,) and "1 outlier(s) rejected" in dirty.method
    assert distance_m(clean.lat_deg, clean.lon_deg, dirty.lat_deg, dirty.lon_deg) < 1.5
    assert dirty.radius_m == pytest.approx(clean.radius_m, rel=0.05)
    # kept, the outlier drags the estimate and inflates σ and the region
    kept = locate(bad, LocateConfig(outlier_sigmas=1e9))
    assert isinstance(kept, Estimate) and kept.rejected == ()
    assert distance_m(clean.lat_deg, clean.lon_deg, kept.lat_deg, kept.lon_deg) > 5.0
    assert kept.radius_m > 1.2 * clean.radius_m and kept.sigma_db > clean.sigma_db


def test_a_car_stopped_at_a_light_does_not_dominate() -> None:
    rng = np.random.default_rng(4)
    rows = drive_readings(TX, AROUND, rng)
    i = 3
    stop = np.repeat(rows[i : i + 1], 40, axis=0)
    stop[:, 2] += rng.normal(0.0, 1.5, 40) + 6.0  # the same shadowing, a little measurement noise
    stop[:, 3] += np.arange(1, 41)
    moved = rows.copy()
    moved[i, 2] += 6.0
    base, stopped = locate(moved), locate(np.vstack((moved, stop)))
    assert isinstance(base, Estimate) and isinstance(stopped, Estimate)
    assert stopped.n_positions == base.n_positions
    assert distance_m(base.lat_deg, base.lon_deg, stopped.lat_deg, stopped.lon_deg) < 15.0
    # counted as 41 independent readings, the stop pulls the estimate much further
    independent = LocateConfig(decorrelation_m=1e-3, nugget_fraction=0.999, cell_m=0.01)
    a, b = locate(moved, independent), locate(np.vstack((moved, stop)), independent)
    assert isinstance(a, Estimate) and isinstance(b, Estimate)
    assert distance_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg) > 30.0


def test_inputs_as_readings_or_rows_give_the_same_estimate() -> None:
    rows = drive_readings(TX, AROUND, np.random.default_rng(8))
    a = locate(rows)
    b = locate([Reading(*r) for r in rows])
    c = locate([tuple(r) + (1.0,) for r in rows])
    assert isinstance(a, Estimate)
    assert a == b == c


# --------------------------------------------------------------------------- refusals


def test_refuses_too_few_distinct_positions() -> None:
    rows = drive_readings(TX, AROUND, np.random.default_rng(1))
    two = np.vstack([np.repeat(rows[[0]], 10, axis=0), np.repeat(rows[[9]], 10, axis=0)])
    two[:, 2] += np.random.default_rng(1).normal(0, 2, len(two))
    r = locate(two)
    assert isinstance(r, Refusal) and r.n_positions == 2 and "distinct" in r.reason
    r = locate(rows[:2])
    assert isinstance(r, Refusal) and r.n_positions == 2
    assert locate(np.empty((0, 4))) == Refusal("no usable readings", 0)
    nan = rows.copy()
    nan[:, 2] = np.nan
    assert locate(nan) == Refusal("no usable readings", 0)


def test_refuses_positions_within_a_tiny_area() -> None:
    rows = drive_readings(
        TX, [[(0.0, -150.0), (60.0, -150.0), (60.0, -120.0)]], np.random.default_rng(1), spacing_m=10.0
    )
    r = locate(rows, LocateConfig(min_separation_m=10.0))
    assert isinstance(r, Refusal) and "within" in r.reason and r.n_positions >= 3


def flat_road_rows() -> np.ndarray:
    """A flat power profile along one east-west road (north 0): the transmitter could be anywhere far away."""
    rng = np.random.default_rng(6)
    xy, _ = along([(-400.0, 0.0), (400.0, 0.0)], 50.0)
    lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
    return np.column_stack((lat, lon, -80.0 + rng.normal(0.0, 6.0, len(xy)), np.arange(len(xy)) * 5.0))


def test_refuses_when_the_region_cannot_be_bounded() -> None:
    rows = flat_road_rows()
    r = locate(rows)
    assert isinstance(r, Refusal) and ("bound" in r.reason or "wide" in r.reason)
    assert len(rows) - 2 <= r.n_positions <= len(rows)  # (a reading or two may have been rejected first)


# --------------------------------------------------------------------------- moving transmitters


LOOPS = [  # two cars circling the blocks around the van's street, again and again
    [(-300.0, -150.0), (900.0, -150.0), (900.0, 250.0), (-300.0, 250.0), (-300.0, -150.0)],
    [(-300.0, 250.0), (900.0, 250.0), (900.0, -150.0), (-300.0, -150.0), (-300.0, 250.0)],
]


def patrol_readings(truth, rng: np.random.Generator, duration_s: float = 960.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Two cars looping at 10 m/s, a reading every 5 s, around a van whose position is truth(t)."""
    rows = []
    for loop in LOOPS:
        p = np.array(loop)
        cum = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(p, axis=0).T))))
        t = np.arange(0.0, duration_s, 5.0) + rng.uniform(0, 5)
        s = (t * 10.0) % cum[-1]
        xy = np.column_stack((np.interp(s, cum, p[:, 0]), np.interp(s, cum, p[:, 1])))
        d = np.hypot(*(xy - truth(t)).T)
        pw = TX_DBM - MODEL.mean_loss_db(d) + MODEL.shadowing_db(t * 10.0, rng)
        lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
        rows.append(np.column_stack((lat, lon, pw, t)))
    out = np.vstack(rows)
    return out[np.argsort(out[:, 3])]


def van(t: np.ndarray) -> np.ndarray:
    """Drives east along the middle street at 0.6 m/s: 0 → 576 m in 960 s."""
    t = np.asarray(t, dtype=np.float64)
    return np.column_stack((0.6 * t, np.full_like(t, 50.0)))


def parked(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, dtype=np.float64)
    return np.column_stack((np.full_like(t, 300.0), np.full_like(t, 50.0)))


def test_a_moving_transmitter_is_tracked_and_flagged() -> None:
    cfg = LocateConfig(window_s=240.0, step_s=120.0)
    tr = track(patrol_readings(van, np.random.default_rng(21)), cfg)
    assert tr.moving is True and tr.p_value is not None and tr.p_value < 1e-3
    errs = []
    for p in tr.points:
        if isinstance(p.result, Estimate):
            errs.append(error_m(p.result, van(np.array([0.5 * (p.t_start_s + p.t_end_s)]))[0]))
    assert len(errs) >= 5
    assert np.median(errs) < 100.0
    # the track goes east with the van
    east = [
        enu_from_lat_lon(p.result.lat_deg, p.result.lon_deg, LAT0, LON0)[0]
        for p in tr.points
        if isinstance(p.result, Estimate)
    ]
    assert east[-1] - east[0] > 250.0


def test_a_parked_transmitter_is_not_flagged() -> None:
    tr = track(patrol_readings(parked, np.random.default_rng(21)), LocateConfig(window_s=240.0, step_s=120.0))
    assert tr.moving is False and tr.p_value is not None
    assert isinstance(tr.fixed, Estimate) and error_m(tr.fixed, parked(np.zeros(1))[0]) < 60.0


def test_track_without_enough_data_cannot_test() -> None:
    rows = drive_readings(TX, AROUND, np.random.default_rng(1))
    tr = track(rows[:2])
    assert tr.moving is None and isinstance(tr.fixed, Refusal)
