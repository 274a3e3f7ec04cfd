"""Time alignment: interpolation, stale fixes, gaps, jumps, outages, clock offset."""

from __future__ import annotations

import logging

import pytest

from sensor.gps.align import AlignConfig, Aligner
from sensor.gps.fix import Fix
from sensor.gps.geodesy import distance_m
from tests.gps.drive import drive

T0 = drive(1)[0].time_utc_s


def fix(t: float, lat: float, lon: float, *, alt: float | None = 500.0, mode: str = "3d", hdop: float | None = 1.0,
        recv_utc: float | None = None) -> Fix:  # fmt: skip
    return Fix(time_utc_s=t, lat_deg=lat, lon_deg=lon, alt_m=alt, mode=mode, hdop=hdop, source="t",
               received_utc_s=recv_utc)  # fmt: skip


def aligner_for(n: int = 10, **cfg: float) -> tuple[Aligner, list]:
    eps = drive(n)
    al = Aligner(AlignConfig(**cfg))  # type: ignore[arg-type]
    for ep in eps:
        assert al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    return al, eps


def test_exact_fix_time_gives_that_fix_with_age_zero() -> None:
    al, eps = aligner_for()
    p = al.position_at(eps[3].time_utc_s)
    # the fixes carry no speed: the velocity is the track's derivative (15 m/s, heading 45°)
    assert p == {"lat_deg": round(eps[3].lat_deg, 7), "lon_deg": round(eps[3].lon_deg, 7), "alt_m": 500.0,
                 "fix": "3d", "hdop": 1.0, "age_s": 0.0, "speed_m_s": 15.0, "heading_deg": 45.0}  # fmt: skip


def test_interpolates_between_bracketing_fixes() -> None:
    al, eps = aligner_for()
    t = eps[3].time_utc_s + 0.25
    a = al.fix_at(t)
    assert a is not None and a.interpolated
    # 15 m/s along a straight line: 0.25 s after fix 3 is 3.75 m further
    assert distance_m(a.lat_deg, a.lon_deg, eps[3].lat_deg, eps[3].lon_deg) == pytest.approx(3.75, abs=0.01)
    assert distance_m(a.lat_deg, a.lon_deg, eps[4].lat_deg, eps[4].lon_deg) == pytest.approx(11.25, abs=0.01)
    assert a.age_s == pytest.approx(0.25)
    assert al.position_at(t)["age_s"] == 0.25


def test_no_fix_at_all_gives_none() -> None:
    al = Aligner()
    assert al.position_at(T0) is None
    assert al.position_at(None) is None
    assert al.position_at(float("nan")) is None


def test_stale_fix_gives_none() -> None:
    al, eps = aligner_for(5, max_age_s=1.0)
    last = eps[-1].time_utc_s
    assert al.position_at(last + 0.9)["age_s"] == 0.9  # held last fix, with its age
    assert al.position_at(last + 1.5) is None  # stale
    assert al.position_at(eps[0].time_utc_s - 0.5)["age_s"] == 0.5  # just before the first fix
    assert al.position_at(eps[0].time_utc_s - 5.0) is None


def test_gap_between_fixes_gives_none_in_the_middle() -> None:
    eps = drive(20)
    al = Aligner(AlignConfig(max_span_s=2.0, max_age_s=1.0))
    for ep in eps[:5] + eps[10:]:  # 6 s without fixes (receiver silent, cable loose)
        al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    assert al.position_at(eps[7].time_utc_s) is None
    assert al.position_at(eps[4].time_utc_s + 0.5) is not None  # near the edge: held, age 0.5
    assert not al.fix_at(eps[4].time_utc_s + 0.5).interpolated


def test_no_interpolation_across_a_reported_no_fix_epoch() -> None:
    eps = drive(6)
    al = Aligner(AlignConfig(max_span_s=2.0, max_age_s=0.4))
    for ep in (eps[0], eps[1], eps[3], eps[4]):
        al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    al.add_no_fix(eps[2].time_utc_s)  # the receiver said "no fix" at t2
    assert al.position_at(eps[1].time_utc_s + 0.3) is not None  # held from t1, before the outage
    assert al.position_at(eps[2].time_utc_s) is None
    assert al.position_at(eps[1].time_utc_s + 0.7) is None  # would be interpolation across t2
    # without the outage report the 2 s span would be interpolated
    al2 = Aligner(AlignConfig(max_span_s=2.0, max_age_s=0.4))
    for ep in (eps[0], eps[1], eps[3], eps[4]):
        al2.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    assert al2.fix_at(eps[2].time_utc_s).interpolated


def test_jump_is_flagged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    eps = drive(6)
    al = Aligner(AlignConfig(max_speed_m_s=70.0))
    for ep in eps[:3]:
        al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    with caplog.at_level(logging.WARNING):
        assert not al.add(fix(eps[3].time_utc_s, eps[3].lat_deg + 0.01, eps[3].lon_deg))  # 1.1 km in 1 s
    assert "jumps" in caplog.text
    assert al.stats.jumps == 1
    for ep in eps[4:]:
        assert al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    # the jumping fix is gone: t3 is interpolated between t2 and t4 (2 s apart), on the road
    a = al.fix_at(eps[3].time_utc_s)
    assert a.interpolated and distance_m(a.lat_deg, a.lon_deg, eps[3].lat_deg, eps[3].lon_deg) < 0.01


def test_fast_but_possible_motion_is_not_a_jump() -> None:
    eps = drive(5, speed_m_s=60.0)  # 216 km/h on a motorway chase
    al = Aligner(AlignConfig(max_speed_m_s=70.0))
    assert all(al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg)) for ep in eps)
    assert al.stats.jumps == 0


def test_implausible_pair_is_not_interpolated() -> None:
    """Interpolation checks the implied speed too (the pair may come from a relocation)."""
    eps = drive(10)
    al = Aligner(AlignConfig(relocate_after=3))
    al.add(fix(eps[0].time_utc_s, eps[0].lat_deg, eps[0].lon_deg))
    far = [fix(ep.time_utc_s, ep.lat_deg + 0.1, ep.lon_deg) for ep in eps[1:5]]  # 11 km away
    results = [al.add(f) for f in far]
    assert results == [False, False, False, True]  # three agreeing jumps: the old track was wrong
    assert al.relocations == 1 and al.stats.jumps == 3
    assert al.position_at(eps[1].time_utc_s)["lat_deg"] == round(eps[1].lat_deg + 0.1, 7)
    assert al.position_at((eps[0].time_utc_s + eps[1].time_utc_s) / 2) is None  # never across the break


def test_same_epoch_again_replaces_and_out_of_order_is_dropped() -> None:
    eps = drive(3)
    al = Aligner()
    al.add(fix(eps[0].time_utc_s, eps[0].lat_deg, eps[0].lon_deg, hdop=None))
    assert al.add(fix(eps[0].time_utc_s, eps[0].lat_deg, eps[0].lon_deg, hdop=0.8))
    assert len(al) == 1 and al.position_at(eps[0].time_utc_s)["hdop"] == 0.8
    al.add(fix(eps[2].time_utc_s, eps[2].lat_deg, eps[2].lon_deg))
    assert not al.add(fix(eps[1].time_utc_s, eps[1].lat_deg, eps[1].lon_deg))
    assert al.out_of_order == 1


def test_interpolated_mode_altitude_and_hdop() -> None:
    eps = drive(2)
    al = Aligner()
    al.add(fix(eps[0].time_utc_s, eps[0].lat_deg, eps[0].lon_deg, alt=500.0, hdop=0.8))
    al.add(fix(eps[1].time_utc_s, eps[1].lat_deg, eps[1].lon_deg, alt=510.0, hdop=1.2))
    p = al.position_at(eps[0].time_utc_s + 0.5)
    assert (p["alt_m"], p["fix"], p["hdop"]) == (505.0, "3d", 1.2)  # the worse HDOP of the two
    al2 = Aligner()
    al2.add(fix(eps[0].time_utc_s, eps[0].lat_deg, eps[0].lon_deg, alt=500.0))
    al2.add(fix(eps[1].time_utc_s, eps[1].lat_deg, eps[1].lon_deg, alt=None, mode="2d"))
    p2 = al2.position_at(eps[0].time_utc_s + 0.5)
    assert (p2["alt_m"], p2["fix"]) == (None, "2d")


def test_interpolation_across_the_antimeridian() -> None:
    al = Aligner()
    al.add(fix(T0, -17.0, 179.9999))
    al.add(fix(T0 + 1, -17.0, -179.9999))  # 21 m east across the date line
    p = al.position_at(T0 + 0.5)
    assert abs(p["lon_deg"]) == 180.0


def test_history_is_pruned() -> None:
    al = Aligner(AlignConfig(history_s=5.0))
    for ep in drive(20):
        al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg))
    assert len(al) == 6
    assert al.span_utc_s == (T0 + 14, T0 + 19)


def test_clock_offset_is_a_robust_median(caplog: pytest.LogCaptureFixture) -> None:
    al = Aligner(AlignConfig(clock_warn_s=2.0))
    assert al.clock_offset() is None
    eps = drive(40)
    with caplog.at_level(logging.WARNING):
        for i, ep in enumerate(eps):
            late = 30.0 if i % 10 == 0 else 0.0  # a loaded machine read some fixes very late
            al.add(fix(ep.time_utc_s, ep.lat_deg, ep.lon_deg, recv_utc=ep.time_utc_s + 3.25 + 0.01 * (i % 3) + late))
    est = al.clock_offset()
    assert est.samples == 40
    assert est.offset_s == pytest.approx(3.26, abs=0.011)
    assert est.spread_s < 0.02
    assert "laptop clock is +3.26 s from GPS time" in caplog.text


def test_replayed_fixes_have_no_clock_offset() -> None:
    al, _ = aligner_for()
    assert al.clock_offset() is None
