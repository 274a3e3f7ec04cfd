"""Calibration files: round trip, the device they belong to, and dBFS → dBm."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sensor.errors import ConfigError
from sensor.scan.calibration import (
    Calibration,
    CellRecord,
    PowerCalibration,
    applied_ppm,
    calibration_path,
    device_identity,
    device_key,
    find_calibration,
    load_calibration,
    load_nominal_power,
    rssi_dbm,
    save_calibration,
)
from sensor.sources.base import SourceInfo


def example(serial: str = "FBS0001") -> Calibration:
    return Calibration(
        serial=serial,
        driver="rtlsdr",
        ppm=-40.0123456789,
        spread_ppm=0.0123,
        measured_utc="2026-05-01T12:00:00Z",
        cells_used=[
            CellRecord(
                arfcn=58,
                offset_hz=37868.25,
                ppm=-40.002,
                downlink_hz=946.6e6,
                band="P-GSM900",
                bsic=12,
                measurements=4,
                scatter_ppm=0.001,
            ),
            CellRecord(arfcn=1000, offset_hz=37215.0, ppm=-40.01, downlink_hz=930.2e6, band="E-GSM900"),
        ],
        cells_rejected=[
            CellRecord(
                arfcn=63,
                offset_hz=42646.0,
                ppm=-45.0,
                downlink_hz=947.6e6,
                band="P-GSM900",
                bsic=17,
                reason='-5.00 ppm from the other cells ("fake"?)\tünïcode \x7f',
            ),
        ],
        temperature_note="in the car, 30 min after start",
        source_id="rtlsdr:FBS0001",
        profile="rtlsdr-r820t",
        power=PowerCalibration(
            source="reference",
            full_scale_dbm=[(0.0, -12.0), (20.0, -31.0), (40.0, -52.5)],
            uncertainty_db=1.0,
            note="signal generator, 947 MHz",
        ),
    )


def test_round_trip(tmp_path: Path) -> None:
    cal = example()
    path = save_calibration(cal, tmp_path)
    assert path == tmp_path / "FBS0001.toml" == calibration_path("FBS0001", tmp_path)
    assert load_calibration(path) == cal
    assert find_calibration("FBS0001", directory=tmp_path) == cal
    assert applied_ppm("FBS0001", directory=tmp_path) == cal.ppm
    assert not list(tmp_path.glob(".*.tmp"))
    minimal = dataclasses.replace(
        cal, cells_used=[], cells_rejected=[], temperature_note=None, power=None, source_id=None, profile=None
    )
    assert load_calibration(save_calibration(minimal, tmp_path)) == minimal


def test_no_file_is_no_calibration(tmp_path: Path) -> None:
    assert find_calibration("FBS0002", directory=tmp_path) is None
    assert applied_ppm("FBS0002", directory=tmp_path) is None


def test_a_file_for_another_device_is_refused(tmp_path: Path) -> None:
    path = save_calibration(example("FBS0001"), tmp_path)
    path.rename(tmp_path / "FBS0002.toml")
    with pytest.raises(ConfigError) as info:
        applied_ppm("FBS0002", directory=tmp_path)
    msg = str(info.value)
    assert "'FBS0001'" in msg and "'FBS0002'" in msg and "key 'serial'" in msg and "\n" not in msg
    with pytest.raises(ConfigError, match="not 'FBS0003'"):
        load_calibration(tmp_path / "FBS0002.toml", serial="FBS0003")


def test_bad_files_name_the_key(tmp_path: Path) -> None:
    path = save_calibration(example(), tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("ppm = -40.0123456789", "ppm = -400.0"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'ppm': -400.0 is below the minimum -200.0"):
        load_calibration(path)
    path.write_text(
        text.replace('measured_utc = "2026-05-01T12:00:00Z"', 'measured_utc = "yesterday"'), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="not an ISO 8601 time"):
        load_calibration(path)
    path.write_text(text.replace('source = "reference"', 'source = "guess"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"key 'power.source': 'guess' is not one of 'reference', 'nominal'"):
        load_calibration(path)


def test_records_must_say_why_they_were_rejected() -> None:
    cell = example().cells_used[0]
    with pytest.raises(ValueError, match="needs a reason"):
        dataclasses.replace(example(), cells_rejected=[cell])
    with pytest.raises(ValueError, match="has a rejection reason"):
        dataclasses.replace(example(), cells_used=[dataclasses.replace(cell, reason="no")])


def test_device_names() -> None:
    assert device_key("sim:patrol") == "sim-patrol"
    assert device_key(" rtlsdr:FBS 0001/x ") == "rtlsdr-FBS-0001-x"
    assert device_key("0000000000000000a06063c8234e925f") == "0000000000000000a06063c8234e925f"
    with pytest.raises(ConfigError):
        device_key(":/:")
    info = SourceInfo("sim:patrol", "sim", None, None, True, None, 2.4e6, 2.04e6, "cu8")
    assert device_identity(info) == "sim-patrol"
    assert device_identity(dataclasses.replace(info, serial="FBS0001", source_id="rtlsdr:FBS0001")) == "FBS0001"


def test_power_tables_and_rssi_dbm() -> None:
    nominal = load_nominal_power("R820T")
    assert nominal is not None and nominal.source == "nominal" and nominal.uncertainty_db == 6.0
    assert nominal.full_scale_at(33.8) == pytest.approx(-43.8)
    assert rssi_dbm(-20.0, 33.8, nominal) == pytest.approx(-63.8)
    for tuner in ("R828D", "E4000", "MAX2837"):
        assert load_nominal_power(tuner) is not None
    assert load_nominal_power(None) is None and load_nominal_power("NOSUCH") is None
    cal = example()
    assert rssi_dbm(-10.0, 30.0, cal) == pytest.approx(-10.0 - 41.75)  # between 20 and 40 dB
    assert rssi_dbm(-10.0, 0.0, cal) == -22.0
    assert rssi_dbm(-10.0, 45.0, cal) is None  # beyond the table
    assert rssi_dbm(-10.0, None, cal) is None  # automatic gain
    assert rssi_dbm(None, 30.0, cal) is None
    assert rssi_dbm(-10.0, 30.0, None) is None
    assert rssi_dbm(-10.0, 30.0, dataclasses.replace(cal, power=None)) is None
    one = PowerCalibration(source="nominal", full_scale_dbm=[(10.0, -20.0)])
    assert one.full_scale_at(10.0) == -20.0 and one.full_scale_at(11.0) is None
    with pytest.raises(ValueError, match="ascending gain"):
        PowerCalibration(source="nominal", full_scale_dbm=[(10.0, -20.0), (5.0, -15.0)])
