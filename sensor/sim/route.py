"""A drive along waypoints at constant speed: position at any time, distance travelled."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.sim.propagation import EARTH_RADIUS_M, distance_m


@dataclass(frozen=True, slots=True, eq=False)
class Drive:
    lat_deg: np.ndarray  # waypoints
    lon_deg: np.ndarray
    cum_m: np.ndarray  # distance travelled at each waypoint
    speed_m_s: float

    @classmethod
    def from_points(cls, points: list[tuple[float, float]], speed_m_s: float) -> Drive:
        lat = np.array([p[0] for p in points], dtype=np.float64)
        lon = np.array([p[1] for p in points], dtype=np.float64)
        legs = distance_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) if len(lat) > 1 else np.empty(0)
        return cls(lat, lon, np.concatenate(([0.0], np.cumsum(legs))), float(speed_m_s))

    @property
    def length_m(self) -> float:
        return float(self.cum_m[-1])

    def travelled_m(self, t_s: np.ndarray | float) -> np.ndarray:
        """Distance travelled at time ``t_s``; the car stops at the last waypoint."""
        return np.clip(np.asarray(t_s, dtype=np.float64) * self.speed_m_s, 0.0, self.length_m)

    def position(self, t_s: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """(lat_deg, lon_deg) at time ``t_s`` (linear between waypoints: fine over city blocks)."""
        s = self.travelled_m(t_s)
        if len(self.lat_deg) == 1:
            return np.full_like(s, self.lat_deg[0]), np.full_like(s, self.lon_deg[0])
        return np.interp(s, self.cum_m, self.lat_deg), np.interp(s, self.cum_m, self.lon_deg)


def offset_position(lat_deg: float, lon_deg: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m``/``east_m`` metres from (lat, lon) (flat-earth, fine for a few km)."""
    dlat = np.degrees(north_m / EARTH_RADIUS_M)
    dlon = np.degrees(east_m / (EARTH_RADIUS_M * np.cos(np.radians(lat_deg))))
    return float(lat_deg + dlat), float(lon_deg + dlon)
