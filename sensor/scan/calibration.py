"""Per-device calibration results on disk, and signal levels in dBm.

``fbs-sensor calibrate`` writes ``calibration/<device>.toml`` (``project_dir('calibration')``, or a
directory given); the scanner reads it back with ``applied_ppm(serial)`` and corrects the tuning by
that many ppm. The file name is the device's serial (``rtl_eeprom -s``, ``hackrf_info``) made safe
for a file name (``device_key``); a receiver without a serial, like the simulator's virtual radio,
is known by its source id instead (``sim:patrol`` → ``sim-patrol``, ``device_identity``).

The file repeats the serial inside. A file whose serial is not the device's (copied or renamed by
hand) is refused with a ``ConfigError`` naming both serials, never applied: a correction of tens of
ppm meant for another dongle moves 1800 MHz carriers by a whole channel, which is worse than no
correction. No file is no calibration: ``find_calibration`` returns None, ``applied_ppm`` None, and
the caller uses the profile's ``default_ppm``.

Power: dBFS → dBm at the antenna needs the antenna power that reads 0 dBFS at the gain in use.
A calibration may carry a measured table (``source = "reference"``); otherwise the tuner's nominal
table (``firmware-config/power/<tuner>.toml``, ``source = "nominal"`` with its uncertainty) serves.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from sensor.errors import ConfigError
from sensor.resources import project_dir
from sensor.schema import bounded, load_dataclass, read_toml
from sensor.sources.base import SourceInfo

SCHEMA = 1


@dataclass(frozen=True, slots=True)
class CellRecord:
    """One cell's contribution to a calibration (or why it was left out)."""

    arfcn: int = bounded(min=0, max=1023)
    offset_hz: float = bounded(doc="median carrier offset as received − nominal, Hz")
    ppm: float = bounded(doc="receiver clock error this cell implies")
    downlink_hz: float = bounded(min=1e6, doc="the cell's nominal downlink carrier")
    band: str | None = None
    bsic: int | None = bounded(None, min=0, max=63)
    measurements: int = bounded(1, min=1)
    scatter_ppm: float | None = bounded(None, min=0.0, doc="robust spread of the cell's own measurements")
    reason: str | None = None  # why it was rejected (cells_rejected only)


@dataclass(frozen=True, slots=True)
class PowerCalibration:
    """The antenna power that reads 0 dBFS, per gain setting."""

    source: Literal["reference", "nominal"]
    full_scale_dbm: list[tuple[float, float]]  # (gain_db, dBm at 0 dBFS), ascending gain
    uncertainty_db: float | None = bounded(None, min=0.0)
    tuner: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if not self.full_scale_dbm:
            raise ValueError("full_scale_dbm needs at least one [gain_db, dBm] pair")
        gains = [g for g, _ in self.full_scale_dbm]
        if any(b <= a for a, b in pairwise(gains)):
            raise ValueError("full_scale_dbm must be in ascending gain order, each gain once")

    def full_scale_at(self, gain_db: float) -> float | None:
        """dBm that reads 0 dBFS at ``gain_db``, interpolated between listed gains; None outside them."""
        table = self.full_scale_dbm
        if not table[0][0] <= gain_db <= table[-1][0]:
            return None
        for (g0, p0), (g1, p1) in pairwise(table):
            if g0 <= gain_db <= g1:
                return p0 + (p1 - p0) * (gain_db - g0) / (g1 - g0)
        return table[0][1]  # a one-entry table at exactly that gain


@dataclass(frozen=True, slots=True)
class Calibration:
    """What ``calibration/<device>.toml`` holds."""

    serial: str  # the device's serial, or its sanitised source id when it has none
    driver: str
    ppm: float = bounded(min=-200.0, max=200.0, doc="receiver clock error: positive = LO high")
    spread_ppm: float = bounded(min=0.0, doc="robust standard deviation of the accepted cells' ppm")
    measured_utc: str = bounded(doc="ISO 8601, e.g. 2026-05-01T12:00:00Z")
    method: str = "fcch-offsets"
    cells_used: list[CellRecord] = field(default_factory=list)
    cells_rejected: list[CellRecord] = field(default_factory=list)
    temperature_note: str | None = None
    source_id: str | None = None
    profile: str | None = None
    power: PowerCalibration | None = None
    schema: int = bounded(SCHEMA, min=1, max=SCHEMA)

    def __post_init__(self) -> None:
        if not self.serial.strip():
            raise ValueError("serial must not be empty")
        try:
            datetime.fromisoformat(self.measured_utc.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"measured_utc {self.measured_utc!r} is not an ISO 8601 time") from None
        if any(c.reason for c in self.cells_used):
            raise ValueError("cells_used: a used cell has a rejection reason")
        if any(not c.reason for c in self.cells_rejected):
            raise ValueError("cells_rejected: every rejected cell needs a reason")


# --- device names ------------------------------------------------------------------------------


def device_key(identity: str) -> str:
    """``identity`` (a serial or a source id) as a file name: letters, digits, '.', '_' and '-'."""
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", identity.strip()).strip(".-")
    if not key:
        raise ConfigError(f"device {identity!r} has no usable name for a calibration file")
    return key


def device_identity(info: SourceInfo) -> str:
    """What a receiver's calibration is filed under: its serial, else its sanitised source id."""
    return info.serial if info.serial else device_key(info.source_id)


def calibration_dir(directory: str | Path | None = None) -> Path:
    return Path(directory) if directory is not None else project_dir("calibration")


def calibration_path(serial: str, directory: str | Path | None = None) -> Path:
    return calibration_dir(directory) / f"{device_key(serial)}.toml"


# --- reading and writing -----------------------------------------------------------------------


def load_calibration(path: str | Path, *, serial: str | None = None) -> Calibration:
    """A calibration file; with ``serial``, refused unless it is that device's."""
    path = Path(path)
    cal = load_dataclass(Calibration, read_toml(path), str(path))
    if serial is not None and cal.serial != serial:
        raise ConfigError(
            f"{path}: key 'serial': the file is for device {cal.serial!r}, not {serial!r} "
            f"(run `fbs-sensor calibrate` with this device, or remove the file)"
        )
    return cal


def find_calibration(serial: str, *, directory: str | Path | None = None) -> Calibration | None:
    """The calibration of device ``serial``, None when it has none."""
    path = calibration_path(serial, directory)
    if not path.is_file():
        return None
    return load_calibration(path, serial=serial)


def applied_ppm(serial: str, *, directory: str | Path | None = None) -> float | None:
    """The correction the scanner applies to device ``serial``: its calibrated ppm, None without one."""
    cal = find_calibration(serial, directory=directory)
    return None if cal is None else cal.ppm


def save_calibration(cal: Calibration, directory: str | Path | None = None) -> Path:
    """Write ``cal`` to ``<directory>/<device>.toml`` (atomically) and return the path."""
    path = calibration_path(cal.serial, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Calibration of {cal.serial} ({cal.driver}), written by `fbs-sensor calibrate`.\n"
        f"# ppm: receiver clock error, positive = LO high; the scanner corrects tunings by it.\n"
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(header + "\n".join(_toml_lines(cal)) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"cannot write {v} to a calibration file")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _toml_lines(obj: Any, prefix: str = "") -> list[str]:
    """A dataclass as TOML: its plain values, then its tables, then its arrays of tables (None left out)."""
    plain, tables, arrays = [], [], []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if v is None:
            continue
        if dataclasses.is_dataclass(v):
            tables.append((f.name, v))
        elif isinstance(v, list) and v and all(dataclasses.is_dataclass(x) for x in v):
            arrays.append((f.name, v))
        else:
            plain.append(f"{f.name} = {_toml_value(v)}")
    lines = plain
    for name, v in tables:
        lines += ["", f"[{prefix}{name}]"] + _toml_lines(v, f"{prefix}{name}.")
    for name, items in arrays:
        for item in items:
            lines += ["", f"[[{prefix}{name}]]"] + _toml_lines(item, f"{prefix}{name}.")
    return lines


# --- power -------------------------------------------------------------------------------------


def power_tables_dir() -> Path:
    return project_dir("firmware-config") / "power"


def load_nominal_power(tuner: str | None) -> PowerCalibration | None:
    """The tuner's nominal table (``firmware-config/power/<tuner>.toml``), None when there is none."""
    if not tuner:
        return None
    path = power_tables_dir() / f"{tuner.lower()}.toml"
    if not path.is_file():
        return None
    return load_dataclass(PowerCalibration, read_toml(path), str(path))


def rssi_dbm(
    rssi_dbfs: float | None, gain_db: float | None, calibration: Calibration | PowerCalibration | None
) -> float | None:
    """Power at the antenna in dBm for a level of ``rssi_dbfs`` at ``gain_db``; None where unknown
    (no level, automatic gain, no power table, or a gain outside the table)."""
    power = calibration.power if isinstance(calibration, Calibration) else calibration
    if rssi_dbfs is None or gain_db is None or power is None:
        return None
    full_scale = power.full_scale_at(gain_db)
    return None if full_scale is None else rssi_dbfs + full_scale
