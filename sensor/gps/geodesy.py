"""Small-distance geodesy on a sphere: enough to judge how far a car moved between two fixes.

Haversine on the mean Earth radius (IUGG R1 = 6,371,008.8 m) errs by < 0.5 % against WGS84
geodesics, which is far below GPS noise for the one-second hops it judges here.
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Great-circle distance between two points."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dp = p2 - p1
    dl = math.radians(lon2_deg - lon1_deg)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def lerp_lat_lon(
    lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float, frac: float
) -> tuple[float, float]:
    """Linear interpolation at ``frac`` ∈ [0, 1] from point 1 to point 2, across the antimeridian too.

    Linear in degrees is exact to millimetres over the tens of metres a car covers between fixes.
    """
    dlon = lon2_deg - lon1_deg
    if dlon > 180.0:
        dlon -= 360.0
    elif dlon < -180.0:
        dlon += 360.0
    lon = lon1_deg + frac * dlon
    if lon > 180.0:
        lon -= 360.0
    elif lon < -180.0:
        lon += 360.0
    return lat1_deg + frac * (lat2_deg - lat1_deg), lon


def bearing_deg(lat1_deg: float, lon1_deg: float, lat2_deg: float, lon2_deg: float) -> float:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from true north, [0, 360)."""
    p1, p2 = math.radians(lat1_deg), math.radians(lat2_deg)
    dl = math.radians(lon2_deg - lon1_deg)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(y, x)) % 360.0
