"""The joint power + Doppler fit (sensor/locate/joint.py) on drives drawn here: where the power
alone cannot say which side of a street the transmitter is, the Doppler of a turning car can; the
receiver's drift comes from the real cells; a parked sensor gets the power-only answer unchanged;
censored readings exclude positions where the transmitter would have been heard."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.locate.doppler import JointConfig, doppler_hz
from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.joint import locate_joint
from sensor.locate.region import region_contains

LAT0, LON0 = 48.137154, 11.576124
CARRIER_HZ = 950.2e6
C = 299_792_458.0


def drive(points: list[tuple[float, float]], spacing_m: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """Positions every ``spacing_m`` along a polyline and the heading (deg) of the leg at each."""
    p = np.array(points, dtype=float)
    d = np.diff(p, axis=0)
    cum = np.concatenate(([0.0], np.cumsum(np.hypot(*d.T))))
    s = np.arange(0.0, cum[-1], spacing_m)
    leg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(d) - 1)
    xy = np.column_stack((np.interp(s, cum, p[:, 0]), np.interp(s, cum, p[:, 1])))
    return xy, np.degrees(np.arctan2(d[leg, 0], d[leg, 1])) % 360.0


def suspect_rows(
    rng: np.random.Generator,
    xy: np.ndarray,
    heading: np.ndarray,
    tx: np.ndarray,
    speed: float,
    rx_hz: np.ndarray,
    t: np.ndarray,
    shadow_db: float = 4.0,
) -> np.ndarray:
    """Rows of ``locate_joint``: power (exponent 3.5, independent shadowing), carrier with Doppler
    (1 Hz noise, 1.5 Hz stated) less the receiver's drift ``rx_hz``."""
    d = np.hypot(*(xy - tx).T)
    power = 37.0 - 38.0 - 35.0 * np.log10(d) + rng.normal(0.0, shadow_db, len(d))
    h = np.radians(heading)
    v = np.column_stack((np.sin(h), np.cos(h))) * speed
    f = CARRIER_HZ + 50.0 + doppler_hz(tx[0], tx[1], xy[:, 0], xy[:, 1], v[:, 0], v[:, 1], CARRIER_HZ) - rx_hz
    f = f + rng.normal(0.0, 1.0, len(d))
    lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
    n = len(d)
    return np.column_stack(
        (lat, lon, power, t, np.ones(n), f, np.full(n, 1.5), np.full(n, speed), heading, np.zeros(n))
    )


def error_m(est: Estimate, tx: np.ndarray) -> float:
    e, n = enu_from_lat_lon(est.lat_deg, est.lon_deg, LAT0, LON0)
    return float(np.hypot(e - tx[0], n - tx[1]))


def test_doppler_sign_follows_the_simulator():
    """Driving towards a transmitter raises its carrier: +v/λ straight ahead, 0 abeam, −v/λ behind
    (sensor/sim/offsets.py's convention)."""
    v = 10.0
    ahead, abeam, behind = (
        float(doppler_hz(x, y, np.zeros(1), np.zeros(1), np.zeros(1), np.full(1, v), np.full(1, CARRIER_HZ))[0])
        for x, y in ((0.0, 500.0), (500.0, 0.0), (0.0, -500.0))
    )
    assert ahead == pytest.approx(v * CARRIER_HZ / C) and abs(abeam) < 1e-9 and behind == pytest.approx(-ahead)


def test_a_turning_drive_locates_far_better_than_power_alone():
    rng = np.random.default_rng(5)
    tx = np.array([180.0, 140.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 400.0), (400.0, 400.0)])
    speed = 12.0
    t = np.arange(len(xy)) * 20.0 / speed
    rows = suspect_rows(rng, xy, heading, tx, speed, np.zeros(len(xy)), t)
    steady = JointConfig(receiver_drift_ppm_per_min=0.0, fake_drift_ppm_per_min=0.0)  # both clocks steady
    joint = locate_joint(rows, config=steady)
    power = locate(rows[:, :5])
    assert isinstance(joint, Estimate)
    lat, lon = lat_lon_from_enu(tx[0], tx[1], LAT0, LON0)
    assert region_contains(joint, float(lat), float(lon))
    assert error_m(joint, tx) < 5.0 and joint.radius_m < 30.0
    # power alone cannot bound it (its region reaches beyond 5 km) on the same readings
    assert isinstance(power, Refusal) and "beyond" in power.reason
    assert "joint power + Doppler" in joint.method
    # a drifting receiver with no real cell to tell its drift: the same readings say much less
    drifting = locate_joint(rows)
    assert isinstance(drifting, Estimate) and drifting.radius_m > 3 * joint.radius_m


def _reference_rows(rng: np.random.Generator, xy, heading, speed, rx_hz, t, sites) -> np.ndarray:
    lat, lon = lat_lon_from_enu(xy[:, 0], xy[:, 1], LAT0, LON0)
    h = np.radians(heading)
    v = np.column_stack((np.sin(h), np.cos(h))) * speed
    out = []
    for j, site in enumerate(sites):
        fc = 940e6 + 3e6 * j
        f = fc + doppler_hz(site[0], site[1], xy[:, 0], xy[:, 1], v[:, 0], v[:, 1], fc) - rx_hz * fc / CARRIER_HZ
        f = f + rng.normal(0.0, 1.0, len(xy))
        n = len(xy)
        out.append(
            np.column_stack((lat, lon, t, f, np.full(n, 1.5), np.full(n, speed), heading, np.zeros(n), np.full(n, j)))
        )
    return np.vstack(out)


def test_the_receivers_drift_is_taken_from_the_real_cells():
    """A receiver clock drifting 0.3 ppm over the drive (285 Hz: far beyond any Doppler) told as a slow
    walk: with the real cells heard alongside the joint fit is as good as with no drift at all."""
    rng = np.random.default_rng(8)
    tx = np.array([-150.0, 250.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 500.0), (-400.0, 500.0)], 25.0)
    speed = 10.0
    t = np.arange(len(xy)) * 25.0 / speed
    rx_hz = np.cumsum(rng.normal(0.0, 6.0, len(xy)))  # a walk of 6 Hz per 2.5 s reading
    rows = suspect_rows(rng, xy, heading, tx, speed, rx_hz, t)
    sites = [
        np.array([2000.0, 300.0]),
        np.array([-1500.0, -1200.0]),
        np.array([300.0, 2600.0]),
        np.array([-2500.0, 900.0]),
    ]
    refs = _reference_rows(rng, xy, heading, speed, rx_hz, t, sites)
    cfg = JointConfig(receiver_drift_ppm_per_min=6.0 * np.sqrt(60.0 / 2.5) / CARRIER_HZ * 1e6)
    with_refs = locate_joint(rows, refs, config=cfg)
    without = locate_joint(rows, config=cfg)
    assert isinstance(with_refs, Estimate)
    assert "from 4 real cell(s)" in with_refs.method
    assert error_m(with_refs, tx) < 25.0
    # without them the walk swamps the Doppler: a wider region
    assert not isinstance(without, Estimate) or without.radius_m > 1.5 * with_refs.radius_m


def test_a_parked_sensor_gets_the_power_only_fit_unchanged():
    rng = np.random.default_rng(2)
    tx = np.array([250.0, 100.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 400.0), (400.0, 400.0), (400.0, 0.0)], 40.0)  # around it
    rows = suspect_rows(rng, xy, heading, tx, 12.0, np.zeros(len(xy)), np.arange(len(xy)) * 4.0, 2.0)
    rows[:, 7] = 0.0  # speed: parked at every reading (the readings themselves from many places)
    assert isinstance(locate(rows[:, :5]), Estimate)
    assert locate_joint(rows) == locate(rows[:, :5])
    rows[:, 5] = np.nan  # no carrier measured at all: the same
    assert locate_joint(rows) == locate(rows[:, :5])
    few = rows[:2]
    out = locate_joint(few)
    assert isinstance(out, Refusal) and out.reason.startswith(
        "no bearing information: parked; power only: measured from"
    )


def test_censored_readings_exclude_where_it_would_have_been_heard():
    """A straight drive leaves two mirror-image basins (power and Doppler are both symmetric across the
    street); a parallel street searched without hearing the transmitter rules out the side it is on."""
    rng = np.random.default_rng(4)
    tx = np.array([200.0, 120.0])
    xy, heading = drive([(0.0, 0.0), (600.0, 0.0)], 20.0)
    speed = 12.0
    rows = suspect_rows(rng, xy, heading, tx, speed, np.zeros(len(xy)), np.arange(len(xy)) * 20.0 / speed, 2.0)
    cfg = JointConfig(power=JointConfig().power.__class__(min_extent_m=100.0))
    plain = locate_joint(rows, config=cfg)
    assert isinstance(plain, Estimate) and plain.mirror_ambiguous
    # a street 250 m south searched: 130 m from the mirror image (it would be heard there), 370 m from the truth
    south, _ = drive([(0.0, -250.0), (600.0, -250.0)], 40.0)
    lat, lon = lat_lon_from_enu(south[:, 0], south[:, 1], LAT0, LON0)
    sens = 37.0 - 38.0 - 35.0 * np.log10(250.0)  # heard within ~250 m
    missed = np.column_stack((lat, lon, np.arange(len(south)) + 1000.0, np.full(len(south), sens)))
    fenced = locate_joint(rows, missed=missed, config=cfg)
    assert isinstance(fenced, Estimate) and not fenced.mirror_ambiguous
    _, n = enu_from_lat_lon(fenced.lat_deg, fenced.lon_deg, LAT0, LON0)
    assert n > 0 and "censored" in fenced.method
    tl, to = lat_lon_from_enu(tx[0], tx[1], LAT0, LON0)
    assert region_contains(fenced, float(tl), float(to))


def test_rows_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match="readings need 10 columns"):
        locate_joint(np.zeros((5, 4)))


def test_a_leg_across_the_bearings_adds_doppler_information_and_one_towards_it_none():
    """``leg_information`` (what next_look ranks legs by): a leg driven straight at the transmitter sees
    a constant Doppler (no bearing change: nothing once the leg's own offset is unknown); a leg passing
    it 100 m away sweeps the bearing (tens of Hz) and fixes it."""
    from sensor.locate.joint import leg_information

    y = np.arange(-600.0, -300.0, 25.0)
    towards = leg_information(0.0, 0.0, np.zeros(len(y)), y, 0.0, carrier_hz=CARRIER_HZ, exponent=3.5, sigma_db=1e6)
    x = np.arange(-150.0, 150.0, 25.0)
    past = leg_information(
        0.0, 0.0, x, np.full(len(x), -100.0), 90.0, carrier_hz=CARRIER_HZ, exponent=3.5, sigma_db=1e6
    )
    assert np.trace(towards) < 1e-9 and np.linalg.det(past) > 1e-4


def test_the_joint_estimate_says_where_to_drive_next():
    rng = np.random.default_rng(5)
    tx = np.array([180.0, 140.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 400.0)])  # one straight street: the bearing's range is weak
    rows = suspect_rows(rng, xy, heading, tx, 12.0, np.zeros(len(xy)), np.arange(len(xy)) * 20.0 / 12.0)
    est = locate_joint(rows, config=JointConfig(receiver_drift_ppm_per_min=0.0, fake_drift_ppm_per_min=0.0))
    assert isinstance(est, Estimate) and est.next_look is not None
    e, _ = enu_from_lat_lon(est.next_look.lat_deg, est.next_look.lon_deg, LAT0, LON0)
    assert abs(e) > 50.0  # off the street already driven: another leg along it would tell little new


def test_readings_without_a_direction_are_left_out_of_the_doppler_and_standing_still_needs_none():
    """A reading at speed 0 with no heading (a car at a light: the GPS gives no course) still counts
    (no Doppler expected); a moving one with no heading has no known velocity and is left out; a
    real cell's too. Neither turns the fit into NaN."""
    rng = np.random.default_rng(5)
    tx = np.array([180.0, 140.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 400.0), (400.0, 400.0)])
    t = np.arange(len(xy)) * 20.0 / 12.0
    rows = suspect_rows(rng, xy, heading, tx, 12.0, np.zeros(len(xy)), t)
    steady = JointConfig(receiver_drift_ppm_per_min=0.0, fake_drift_ppm_per_min=0.0)
    full = locate_joint(rows, config=steady)
    rows[::5, 8] = np.nan  # moving, no heading
    rows[1::5, 7:9] = (0.0, np.nan)  # standing still, no heading: its carrier is the fake's offset alone
    rows[1::5, 5] = CARRIER_HZ + 50.0 + rng.normal(0.0, 1.0, len(rows[1::5]))
    refs = _reference_rows(rng, xy, heading, 12.0, np.zeros(len(xy)), t, [np.array([2000.0, 300.0])])
    refs[::3, 6] = np.nan
    part = locate_joint(rows, refs, config=steady)
    assert isinstance(full, Estimate) and isinstance(part, Estimate)
    assert np.isfinite(part.lat_deg) and error_m(part, tx) < 10.0 and part.radius_m < 2 * full.radius_m


def test_cars_searching_at_the_same_time_see_one_crystal_wander_and_tell_it_from_their_doppler():
    """The fake's crystal wanders (a random walk of 0.05 ppm per √minute here: tens of Hz over the
    drive, as large as the Doppler) whatever car listens. Two cars that drive at the same time on
    either side of it hear the same wander, and their different Doppler tells it apart; the same
    readings from cars an hour apart (the second car's clock moved on) cannot be told from a
    Doppler that changes, and say much less."""
    rng = np.random.default_rng(11)
    tx = np.array([150.0, 180.0])
    speed = 12.0
    a_xy, a_head = drive([(0.0, 0.0), (0.0, 400.0), (300.0, 400.0)])
    b_xy, b_head = drive([(400.0, 0.0), (400.0, 350.0), (100.0, 350.0)])
    n = min(len(a_xy), len(b_xy))
    t = np.arange(n) * 20.0 / speed
    q = (0.05e-6 * CARRIER_HZ) ** 2 / 60.0
    wander = np.cumsum(rng.normal(0.0, np.sqrt(q * 20.0 / speed), n))  # one crystal, on one clock
    a = suspect_rows(rng, a_xy[:n], a_head[:n], tx, speed, -wander, t)
    b = suspect_rows(rng, b_xy[:n], b_head[:n], tx, speed, -wander, t)
    b[:, 9] = 1.0  # the second car: its own receiver, its own constant
    cfg = JointConfig(receiver_drift_ppm_per_min=0.0, fake_drift_ppm_per_min=0.05)
    together = locate_joint(np.vstack((a, b)), config=cfg)
    b_later = b.copy()
    b_later[:, 3] += 3600.0
    apart = locate_joint(np.vstack((a, b_later)), config=cfg)
    assert isinstance(together, Estimate) and isinstance(apart, Estimate)
    lat, lon = lat_lon_from_enu(tx[0], tx[1], LAT0, LON0)
    assert region_contains(together, float(lat), float(lon))
    assert error_m(together, tx) < 15.0
    assert together.radius_m < 0.6 * apart.radius_m


def test_runs_share_a_covariance_block_only_where_their_times_overlap():
    from sensor.locate.doppler import _overlapping_runs

    t = np.array([0.0, 50.0, 40.0, 90.0, 80.0, 120.0, 500.0, 600.0])
    run = np.array([0, 0, 1, 1, 2, 2, 3, 3])  # 0 overlaps 1, 1 overlaps 2 (chained), 3 alone
    assert [list(m) for m in _overlapping_runs(t, run)] == [[0, 1, 2, 3, 4, 5], [6, 7]]
