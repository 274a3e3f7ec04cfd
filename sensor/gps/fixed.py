"""A fixed position from the configuration: a parked sensor with no GPS, or a surveyed site.

Its fix mode is ``"fixed"`` and it is valid at every time (``age_s`` 0), including samples whose
time is unknown.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sensor.errors import ConfigError
from sensor.gps.fix import Fix
from sensor.gps.source import PositionSource
from sensor.schema import bounded, load_dataclass


@dataclass(frozen=True, slots=True)
class FixedPositionConfig:
    lat_deg: float = bounded(min=-90.0, max=90.0, doc="WGS84 latitude, north positive")
    lon_deg: float = bounded(min=-180.0, max=180.0, doc="WGS84 longitude, east positive")
    alt_m: float | None = bounded(None, min=-1000.0, max=20000.0, doc="height above mean sea level")


class FixedSource(PositionSource):
    def __init__(self, lat_deg: float, lon_deg: float, alt_m: float | None = None) -> None:
        super().__init__("fixed")
        try:
            self._fix = self._make(time.time(), lat_deg, lon_deg, alt_m)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"fixed position {lat_deg}, {lon_deg}: {exc}") from None
        self.lat_deg, self.lon_deg, self.alt_m = lat_deg, lon_deg, alt_m

    @classmethod
    def from_config(cls, table: Any, where: str = "config") -> FixedSource:
        """From a TOML table ``{lat_deg = .., lon_deg = .., alt_m = ..}``; ``ConfigError`` names the key."""
        cfg = load_dataclass(FixedPositionConfig, table, where)
        return cls(cfg.lat_deg, cfg.lon_deg, cfg.alt_m)

    @staticmethod
    def _make(t: float, lat_deg: float, lon_deg: float, alt_m: float | None) -> Fix:
        # a sensor at a configured place stands: its speed is known, and zero
        return Fix(
            time_utc_s=t, lat_deg=lat_deg, lon_deg=lon_deg, alt_m=alt_m, mode="fixed", speed_m_s=0.0, source="fixed"
        )

    def _start(self) -> None:
        self.health.fix()
        self.stats.fixes += 1

    def latest(self) -> Fix:
        return self._make(time.time(), self.lat_deg, self.lon_deg, self.alt_m)

    @property
    def has_fix(self) -> bool:
        return True

    def fixes(self, timeout_s: float | None = None) -> Iterator[Fix]:
        yield self.latest()

    def position_at(self, time_utc_s: float | None) -> dict[str, Any]:
        return self._fix.position(age_s=0.0)
