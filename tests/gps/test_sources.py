"""Fix and position objects, the fixed source, and opening sources from a spec string."""

from __future__ import annotations

import time

import pytest

from sensor.errors import ConfigError
from sensor.gps import open_position_source
from sensor.gps.fix import Fix
from sensor.gps.fixed import FixedSource
from sensor.gps.gpsd import GpsdSource
from sensor.gps.serial_nmea import SerialNmeaSource
from sensor.gps.track import TrackSource

T = 1718452800.0


def test_position_object_matches_the_contract() -> None:
    f = Fix(time_utc_s=T, lat_deg=48.123456789, lon_deg=11.5, alt_m=520.123, mode="3d", hdop=0.91)
    assert f.position(T + 0.25) == {"lat_deg": 48.1234568, "lon_deg": 11.5, "alt_m": 520.12, "fix": "3d",
                                    "hdop": 0.91, "age_s": 0.25, "speed_m_s": None, "heading_deg": None}  # fmt: skip
    moving = Fix(time_utc_s=T, lat_deg=48.0, lon_deg=11.0, alt_m=None, mode="3d", speed_m_s=12.345, track_deg=359.96)
    assert (moving.position(T)["speed_m_s"], moving.position(T)["heading_deg"]) == (12.35, 0.0)
    standing = Fix(time_utc_s=T, lat_deg=48.0, lon_deg=11.0, alt_m=None, mode="3d", speed_m_s=0.1, track_deg=87.0)
    assert (standing.position(T)["speed_m_s"], standing.position(T)["heading_deg"]) == (0.1, None)
    assert Fix(time_utc_s=T, lat_deg=1.0, lon_deg=2.0, alt_m=None, mode="2d").position(T)["alt_m"] is None


@pytest.mark.parametrize(
    "bad",
    [dict(lat_deg=91.0), dict(lon_deg=-180.5), dict(lat_deg=float("nan")), dict(lat_deg=0.0, lon_deg=0.0),
     dict(mode="4d"), dict(alt_m=1e6), dict(hdop=0.0), dict(satellites=-1), dict(speed_m_s=900.0),
     dict(track_deg=400.0), dict(time_utc_s=0.0), dict(satellites=True)],
)  # fmt: skip
def test_fix_rejects_absurd_values(bad: dict) -> None:
    good = dict(time_utc_s=T, lat_deg=48.0, lon_deg=11.0, alt_m=None, mode="2d")
    with pytest.raises(ValueError):
        Fix(**{**good, **bad})


def test_fixed_source() -> None:
    src = FixedSource(48.1, 11.5, 520.0)
    with src:
        assert src.has_fix
        assert src.position_at(None) == {"lat_deg": 48.1, "lon_deg": 11.5, "alt_m": 520.0, "fix": "fixed",
                                         "hdop": None, "age_s": 0.0, "speed_m_s": 0.0,
                                         "heading_deg": None}  # fmt: skip
        assert src.position_at(T)["age_s"] == 0.0
        latest = src.latest()
        assert latest.mode == "fixed" and abs(latest.time_utc_s - time.time()) < 5
        assert [f.lat_deg for f in src.fixes()] == [48.1]


def test_fixed_source_from_config() -> None:
    src = FixedSource.from_config({"lat_deg": 48.1, "lon_deg": 11.5}, "sensor.toml")
    assert src.position_at(T)["alt_m"] is None
    with pytest.raises(ConfigError, match="sensor.toml: key 'lat_deg': 95.0 is above the maximum 90.0"):
        FixedSource.from_config({"lat_deg": 95.0, "lon_deg": 11.5}, "sensor.toml")
    with pytest.raises(ConfigError, match="unknown key 'lat'"):
        FixedSource.from_config({"lat": 48.0, "lon_deg": 11.5}, "sensor.toml")
    with pytest.raises(ConfigError):
        FixedSource(0.0, 0.0)


@pytest.mark.parametrize(
    ("spec", "cls", "name"),
    [
        ("gpsd", GpsdSource, "gpsd:127.0.0.1:2947"),
        ("gpsd://10.0.0.2", GpsdSource, "gpsd:10.0.0.2:2947"),
        ("gpsd://10.0.0.2:3000", GpsdSource, "gpsd:10.0.0.2:3000"),
        ("gpsd://[::1]:3000", GpsdSource, "gpsd:::1:3000"),
        ("serial:/dev/ttyACM0", SerialNmeaSource, "nmea:/dev/ttyACM0"),
        ("/dev/ttyUSB0@9600", SerialNmeaSource, "nmea:/dev/ttyUSB0"),
        ("fixed:48.1,11.5,520", FixedSource, "fixed"),
        ("track:drive.gpx", TrackSource, "track:drive.gpx"),
        ("drive.nmea", TrackSource, "track:drive.nmea"),
    ],
)
def test_open_position_source(spec: str, cls: type, name: str) -> None:
    src = open_position_source(spec)
    assert isinstance(src, cls) and src.name == name


def test_open_position_source_errors() -> None:
    assert open_position_source("none") is None
    assert open_position_source("/dev/ttyUSB0@9600").baud_rate == 9600
    for bad in ["bluetooth", "gpsd://host:99999", "serial:/dev/ttyS0@fast", "fixed:48.1", "fixed:a,b", "serial:"]:
        with pytest.raises(ConfigError):
            open_position_source(bad)


def test_gps_command_on_a_track(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from sensor.commands.gps import command
    from tests.gps.drive import drive, nmea_log

    path = tmp_path / "drive.nmea"
    path.write_text(nmea_log(drive(5, lost=[2])))
    result = CliRunner().invoke(command, ["--gps", f"track:{path}", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [x["type"] for x in lines] == ["fix"] * 4 + ["gps_summary"]
    assert lines[0]["position"]["fix"] == "3d" and lines[-1]["losses"] == 1
    bad = CliRunner().invoke(command, ["--gps", "bluetooth"])
    assert bad.exit_code != 0 and isinstance(bad.exception, ConfigError)


def test_gps_command_without_a_fix_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from sensor.cli import cli

    r = CliRunner().invoke(
        cli,
        ["gps", "--gps", f"serial:{tmp_path / 'ttyNOPE'}", "--seconds", "0.3"],
        env={"XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert r.exit_code == 2 and "no position fix" in r.stderr.strip().splitlines()[-1]
