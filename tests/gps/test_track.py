"""Track files for replays: NMEA logs and GPX, sidecar lookup, positions by GPS time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sensor.errors import InputError
from sensor.gps.fix import Fix, NoFix
from sensor.gps.geodesy import distance_m
from sensor.gps.gpx import read_gpx
from sensor.gps.sidecar import sidecar_track
from sensor.gps.track import TrackSource, read_nmea_log
from tests.gps.drive import START, drive, gpx, nmea_log

T0 = START.timestamp()


def test_nmea_track_with_noise_and_comments(tmp_path: Path) -> None:
    eps = drive(20, lost=range(8, 11))
    text = "# gpsfake-style comment\n" + nmea_log(eps[:10]) + "\x00\xffgarbage line\r\n" + nmea_log(eps[10:])
    path = tmp_path / "drive.nmea"
    path.write_bytes(text.encode("latin-1"))
    with TrackSource(path) as src:
        fixes = list(src.fixes())
        assert len(fixes) == 17
        assert src.stats.losses == 1 and src.stats.recoveries == 1 and src.stats.sentences_bad == 1
        assert src.span_utc_s == (T0, T0 + 19)
        assert src.position_at(T0 + 9) is None
        p = src.position_at(T0 + 2.5)
        assert p["age_s"] == 0.5 and p["fix"] == "3d"
        mid = ((eps[2].lat_deg + eps[3].lat_deg) / 2, (eps[2].lon_deg + eps[3].lon_deg) / 2)
        assert distance_m(p["lat_deg"], p["lon_deg"], *mid) < 0.05
        assert src.position_at(T0 + 100) is None
        assert src.clock_offset() is None  # replayed: no reception times


def test_nmea_track_without_dates_needs_a_date(tmp_path: Path) -> None:
    path = tmp_path / "gga.nmea"
    path.write_text(nmea_log(drive(5), kinds=("GGA", "GSA")))
    assert [x for x in read_nmea_log(path) if isinstance(x, Fix)] == []
    fixes = read_nmea_log(path, date=dt.date(2024, 6, 15))
    assert [f.time_utc_s for f in fixes] == [T0 + i for i in range(5)]


def test_not_an_nmea_log(tmp_path: Path) -> None:
    path = tmp_path / "x.nmea"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match="not an NMEA log"):
        TrackSource(path).start()
    with pytest.raises(InputError, match="no such file"):
        TrackSource(tmp_path / "missing.nmea").start()


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_gpx_track(tmp_path: Path, version: str) -> None:
    eps = drive(10, lost=[4])
    path = tmp_path / "drive.gpx"
    path.write_text(gpx(eps, version=version))
    items = read_gpx(path)
    assert [type(i) for i in items] == [Fix] * 4 + [NoFix] + [Fix] * 5
    f = items[0]
    assert (f.time_utc_s, f.alt_m, f.mode, f.hdop, f.satellites) == (T0, 520.0, "3d", 0.9, 9)
    with TrackSource(path) as src:
        assert src.position_at(T0 + 4) is None
        assert src.position_at(T0 + 1.5)["age_s"] == 0.5


def test_gpx_segment_break_is_not_interpolated(tmp_path: Path) -> None:
    eps = drive(6)
    path = tmp_path / "segs.gpx"
    path.write_text(gpx([], segments=[eps[:3], eps[3:]]))
    with TrackSource(path) as src:
        assert len(list(src.fixes())) == 6
        assert src.position_at(T0 + 2.5) is None  # between segments, though 1 s apart
        assert src.position_at(T0 + 1.5) is not None


def test_bad_gpx(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gpx"
    broken.write_text("<gpx><trk><trkseg><trkpt lat=")
    with pytest.raises(InputError, match="not a valid GPX"):
        read_gpx(broken)
    other = tmp_path / "other.gpx"
    other.write_text("<kml></kml>")
    with pytest.raises(InputError, match="not a GPX file"):
        read_gpx(other)
    odd = tmp_path / "odd.gpx"
    odd.write_text('<gpx><trk><trkseg><trkpt lat="95" lon="11"><time>2024-06-15T12:00:00Z</time></trkpt>'
                   '<trkpt lat="48" lon="11"></trkpt><trkpt lat="x" lon="11"><time>2024-06-15T12:00:01Z</time>'
                   '</trkpt></trkseg></trk></gpx>')  # fmt: skip
    assert read_gpx(odd) == []


def test_sidecar_lookup(tmp_path: Path) -> None:
    (tmp_path / "rec.sigmf-meta").write_text("{}")
    assert sidecar_track(tmp_path / "rec.sigmf-meta") is None
    (tmp_path / "rec.gpx").write_text(gpx(drive(2)))
    assert sidecar_track(tmp_path / "rec.sigmf-meta") == tmp_path / "rec.gpx"
    (tmp_path / "rec.nmea").write_text(nmea_log(drive(2)))
    assert sidecar_track(tmp_path / "rec.sigmf-data") == tmp_path / "rec.nmea"
    assert sidecar_track(tmp_path / "rec.sigmf") == tmp_path / "rec.nmea"
    (tmp_path / "cap.cfile").write_bytes(b"")
    (tmp_path / "cap.gpx").write_text(gpx(drive(2)))
    assert sidecar_track(tmp_path / "cap.cfile") == tmp_path / "cap.gpx"
