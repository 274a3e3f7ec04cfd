"""A local east/north plane (metres) around a reference point, for fitting over a few kilometres.

The projection is equirectangular on the sphere of ``geodesy.EARTH_RADIUS_M``, tangent at the
reference latitude: east = R·cos(lat0)·Δlon, north = R·Δlat. Within 5 km of the reference its
distances differ from great-circle ones by < 0.1 % at mid latitudes (the cos(lat) change across the
area), far below GPS noise and the metres a transmitter is located to. Longitudes are unwrapped
across the antimeridian. Vectorised: every argument may be a numpy array.
"""

from __future__ import annotations

import numpy as np

from sensor.gps.geodesy import EARTH_RADIUS_M


def _wrap_deg(x: np.ndarray) -> np.ndarray:
    """Angles folded into [-180, 180)."""
    return (np.asarray(x, dtype=np.float64) + 180.0) % 360.0 - 180.0


def enu_from_lat_lon(
    lat_deg: np.ndarray | float, lon_deg: np.ndarray | float, lat0_deg: float, lon0_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """(east_m, north_m) of points relative to the reference (lat0_deg, lon0_deg)."""
    east_m = EARTH_RADIUS_M * np.cos(np.radians(lat0_deg)) * np.radians(_wrap_deg(np.asarray(lon_deg) - lon0_deg))
    north_m = EARTH_RADIUS_M * np.radians(np.asarray(lat_deg, dtype=np.float64) - lat0_deg)
    return east_m, north_m


def lat_lon_from_enu(
    east_m: np.ndarray | float, north_m: np.ndarray | float, lat0_deg: float, lon0_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """(lat_deg, lon_deg) of plane points; the inverse of :func:`enu_from_lat_lon`."""
    lat_deg = lat0_deg + np.degrees(np.asarray(north_m, dtype=np.float64) / EARTH_RADIUS_M)
    lon_deg = _wrap_deg(
        lon0_deg + np.degrees(np.asarray(east_m, dtype=np.float64) / (EARTH_RADIUS_M * np.cos(np.radians(lat0_deg))))
    )
    return lat_deg, lon_deg
