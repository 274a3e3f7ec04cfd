"""Receiver profiles: declarative TOML in ``firmware-config/receivers/``, validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sensor.errors import ConfigError, InputError
from sensor.resources import project_dir
from sensor.schema import bounded, load_dataclass, read_toml
from sensor.sources.convert import parse_datatype

Driver = Literal["rtlsdr", "soapy", "hackrf"]

DEFAULT_PROFILE = {"rtlsdr": "rtlsdr-r820t", "hackrf": "hackrf-one", "soapy": "soapy-generic", "sim": "rtlsdr-r820t"}


@dataclass(frozen=True, slots=True)
class ReceiverProfile:
    name: str
    driver: Driver
    description: str
    tuning_range_hz: tuple[float, float]
    default_sample_rate_hz: float = bounded(min=1.0)
    usable_bandwidth_fraction: float = bounded(min=0.05, max=1.0)
    native_datatype: str = "cf32_le"
    tuner: str | None = None
    tuning_gaps_hz: list[tuple[float, float]] = field(default_factory=list)
    sample_rates_hz: list[float] = bounded([], min=1.0)
    sample_rate_range_hz: tuple[float, float] | None = None
    gain_steps_db: list[float] = field(default_factory=list)
    gain_range_db: tuple[float, float] | None = None
    gain_step_db: float | None = bounded(None, min=0.01)
    default_gain_db: float | None = None
    bias_tee: bool = False
    bias_tee_default: bool = False
    dc_spike: bool = True
    dc_spike_width_hz: float = bounded(0.0, min=0.0)
    default_ppm: float = bounded(0.0, min=-200.0, max=200.0)
    settle_s: float = bounded(0.0, min=0.0, max=5.0)
    serial_pattern: str | None = None

    def __post_init__(self) -> None:
        lo, hi = self.tuning_range_hz
        if not 0 < lo < hi:
            raise ValueError("tuning_range_hz must be [low, high] with 0 < low < high")
        if not self.sample_rates_hz and self.sample_rate_range_hz is None:
            raise ValueError("give sample_rates_hz (a list) or sample_rate_range_hz ([min, max])")
        if not self.rate_supported(self.default_sample_rate_hz):
            raise ValueError(f"default_sample_rate_hz {self.default_sample_rate_hz:g} is not a supported rate")
        if self.gain_steps_db and self.gain_range_db is not None:
            raise ValueError("give gain_steps_db or gain_range_db, not both")
        if self.default_gain_db is not None and not self.gain_supported(self.default_gain_db):
            raise ValueError(f"default_gain_db {self.default_gain_db} is outside the gain range")
        if self.bias_tee_default and not self.bias_tee:
            raise ValueError("bias_tee_default is true but the device has no bias tee")
        try:
            parse_datatype(self.native_datatype)
        except InputError as exc:
            raise ValueError(str(exc)) from None
        if self.serial_pattern is not None:
            try:
                re.compile(self.serial_pattern)
            except re.error as exc:
                raise ValueError(f"serial_pattern is not a valid regular expression: {exc}") from None

    def rate_supported(self, rate_hz: float) -> bool:
        if self.sample_rates_hz:
            return any(abs(rate_hz - r) < 0.5 for r in self.sample_rates_hz)
        assert self.sample_rate_range_hz is not None
        return self.sample_rate_range_hz[0] <= rate_hz <= self.sample_rate_range_hz[1]

    def can_tune(self, center_hz: float) -> bool:
        lo, hi = self.tuning_range_hz
        return lo <= center_hz <= hi and not any(a <= center_hz <= b for a, b in self.tuning_gaps_hz)

    def gain_limits_db(self) -> tuple[float, float] | None:
        if self.gain_steps_db:
            return min(self.gain_steps_db), max(self.gain_steps_db)
        return self.gain_range_db

    def gain_supported(self, gain_db: float) -> bool:
        limits = self.gain_limits_db()
        return limits is None or limits[0] <= gain_db <= limits[1]

    def nearest_gain_db(self, gain_db: float) -> float:
        """The settable gain closest to ``gain_db``."""
        if self.gain_steps_db:
            return min(self.gain_steps_db, key=lambda g: abs(g - gain_db))
        if self.gain_range_db is None:
            return gain_db
        lo, hi = self.gain_range_db
        g = min(max(gain_db, lo), hi)
        if self.gain_step_db:
            g = lo + round((g - lo) / self.gain_step_db) * self.gain_step_db
        return min(g, hi)

    @property
    def usable_bandwidth_hz(self) -> float:
        return self.default_sample_rate_hz * self.usable_bandwidth_fraction


def profiles_dir() -> Path:
    return project_dir("firmware-config") / "receivers"


def load_profile_file(path: str | Path) -> ReceiverProfile:
    path = Path(path)
    return load_dataclass(ReceiverProfile, read_toml(path), str(path))


def load_profile(name_or_path: str) -> ReceiverProfile:
    """A profile by name (``rtlsdr-r820t``) from firmware-config/receivers, or by file path."""
    if name_or_path.endswith(".toml") or "/" in name_or_path:
        return load_profile_file(name_or_path)
    path = profiles_dir() / f"{name_or_path}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in profiles_dir().glob("*.toml"))) or "none"
        raise ConfigError(f"no receiver profile named {name_or_path!r} (known: {known})")
    profile = load_profile_file(path)
    if profile.name != name_or_path:
        raise ConfigError(f"{path}: key 'name': {profile.name!r} does not match the file name {name_or_path!r}")
    return profile


def all_profiles() -> list[ReceiverProfile]:
    return [load_profile_file(p) for p in sorted(profiles_dir().glob("*.toml"))]
