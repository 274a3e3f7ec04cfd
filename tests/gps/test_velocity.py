"""The receiver's velocity in the ``position`` object: as the GPS reported it (NMEA RMC, VTG, gpsd
TPV, GPX 1.0), else the track's derivative; None where neither is known."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sensor.gps.align import AlignConfig, Aligner
from sensor.gps.fix import Fix
from sensor.gps.gpsd import GpsdReports
from sensor.gps.stats import GeoStats
from sensor.gps.track import TrackSource
from tests.gps.drive import START, drive, gpx, nmea_log

T0 = START.timestamp()


def _velocity(p: dict | None) -> tuple[float | None, float | None]:
    assert p is not None
    return p["speed_m_s"], p["heading_deg"]


def test_rmc_speed_and_course(tmp_path: Path) -> None:
    # the RMC reports 9 m/s on course 200° while the positions move at 15 m/s on 45°: reported wins
    eps = drive(6, speed_m_s=15.0, heading_deg=45.0)
    reported = [type(e)(e.time_utc_s, e.lat_deg, e.lon_deg, True, speed_m_s=9.0, track_deg=200.0) for e in eps]
    path = tmp_path / "rmc.nmea"
    path.write_text(nmea_log(reported, kinds=("RMC", "GGA")))
    with TrackSource(path) as src:
        speed, heading = _velocity(src.position_at(T0 + 2.0))
        assert speed == pytest.approx(9.0, abs=0.01) and heading == pytest.approx(200.0, abs=0.05)
        speed, heading = _velocity(src.position_at(T0 + 2.5))  # interpolated between two reports
        assert speed == pytest.approx(9.0, abs=0.01) and heading == pytest.approx(200.0, abs=0.05)


def test_vtg_gives_the_velocity_a_gga_log_lacks(tmp_path: Path) -> None:
    eps = drive(6, speed_m_s=12.0, heading_deg=300.0)
    reported = [type(e)(e.time_utc_s, e.lat_deg, e.lon_deg, True, speed_m_s=7.0, track_deg=10.0) for e in eps]
    path = tmp_path / "vtg.nmea"
    path.write_text(nmea_log(reported, kinds=("GGA", "VTG")))
    with TrackSource(path, date=dt.date(2024, 6, 15)) as src:
        assert _velocity(src.position_at(T0 + 3.0)) == (pytest.approx(7.0, abs=0.01), pytest.approx(10.0, abs=0.05))


def test_gga_only_track_gets_the_derivative(tmp_path: Path) -> None:
    path = tmp_path / "gga.nmea"
    path.write_text(nmea_log(drive(8, speed_m_s=13.9, heading_deg=135.0), kinds=("GGA",)))
    with TrackSource(path, date=dt.date(2024, 6, 15)) as src:
        for t in (T0, T0 + 3.0, T0 + 3.4, T0 + 7.0, T0 + 7.5):  # first fix, middle, between, last, held
            speed, heading = _velocity(src.position_at(t))
            assert speed == pytest.approx(13.9, abs=0.05), t
            assert heading == pytest.approx(135.0, abs=0.1), t


def test_gpx_11_track_gets_the_derivative(tmp_path: Path) -> None:
    eps = drive(5, speed_m_s=20.0, heading_deg=270.0)
    path = tmp_path / "d.gpx"
    path.write_text(gpx(eps))
    with TrackSource(path) as src:
        assert _velocity(src.position_at(T0 + 1.5)) == (pytest.approx(20.0, abs=0.05), pytest.approx(270.0, abs=0.1))


def test_no_derivative_across_a_gap_or_an_outage() -> None:
    al = Aligner(AlignConfig(max_span_s=2.0, max_age_s=1.0))
    for i, ep in enumerate(drive(3)):
        assert al.add(Fix(time_utc_s=T0 + 10 * i, lat_deg=ep.lat_deg, lon_deg=ep.lon_deg, alt_m=None, mode="2d"))
    assert _velocity(al.position_at(T0 + 10.0)) == (None, None)  # neighbours 10 s away: not joined
    al2 = Aligner()
    eps = drive(3)
    al2.add(Fix(time_utc_s=T0, lat_deg=eps[0].lat_deg, lon_deg=eps[0].lon_deg, alt_m=None, mode="2d"))
    al2.add_no_fix(T0 + 0.5)
    al2.add(Fix(time_utc_s=T0 + 1, lat_deg=eps[1].lat_deg, lon_deg=eps[1].lon_deg, alt_m=None, mode="2d"))
    assert _velocity(al2.position_at(T0)) == (None, None)


def test_standing_car_has_a_speed_and_no_heading() -> None:
    al = Aligner()
    eps = drive(1)
    for i in range(4):
        al.add(Fix(time_utc_s=T0 + i, lat_deg=eps[0].lat_deg, lon_deg=eps[0].lon_deg, alt_m=None, mode="2d"))
    assert _velocity(al.position_at(T0 + 1.5)) == (0.0, None)


def test_heading_interpolates_the_short_way_round() -> None:
    al = Aligner()
    eps = drive(2, speed_m_s=10.0, heading_deg=0.0)
    for ep, course in zip(eps, (350.0, 20.0)):
        al.add(Fix(time_utc_s=ep.time_utc_s, lat_deg=ep.lat_deg, lon_deg=ep.lon_deg, alt_m=None, mode="2d",
                   speed_m_s=10.0, track_deg=course))  # fmt: skip
    assert _velocity(al.position_at(T0 + 0.5)) == (10.0, pytest.approx(5.0, abs=0.05))


def test_gpsd_tpv_speed_and_track() -> None:
    reports = GpsdReports("g", GeoStats())
    tpv = {"class": "TPV", "mode": 3, "time": "2024-06-15T12:00:00.000Z", "lat": 48.1, "lon": 11.5,
           "altMSL": 520.0, "speed": 11.2, "track": 271.5}  # fmt: skip
    fix = reports.line(json.dumps(tpv).encode(), received_mono_s=1.0, received_utc_s=T0)
    assert isinstance(fix, Fix)
    assert _velocity(fix.position(T0)) == (11.2, 271.5)
    no_speed = reports.line(
        json.dumps({**tpv, "time": "2024-06-15T12:00:01.000Z", "speed": None, "track": None}).encode(),
        received_mono_s=2.0,
        received_utc_s=T0 + 1,
    )
    assert isinstance(no_speed, Fix) and _velocity(no_speed.position(T0 + 1)) == (None, None)
