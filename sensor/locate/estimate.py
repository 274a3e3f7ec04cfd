"""What localisation returns: an :class:`Estimate` (the point, its 95 % region, its ellipse and what
the fit learnt) or a :class:`Refusal` (why not), and CONTRACT.md's ``location`` object made from an
estimate. ``fit.py`` makes them; ``region.py`` tests points against an estimate's region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sensor.locate.guidance import NextLook, look_object


@dataclass(frozen=True, slots=True)
class Ellipse:
    """Second-moment summary of the region: the ellipse a uniform spread with its moments fills."""

    lat_deg: float
    lon_deg: float
    semi_major_m: float
    semi_minor_m: float
    azimuth_deg: float  # of the major axis, clockwise from true north, in [0, 180)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A located transmitter: the point, its 95 % region, and what the fit learnt on the way."""

    lat_deg: float
    lon_deg: float
    radius_m: float  # every point of the region is within this of (lat_deg, lon_deg)
    n_positions: int  # distinct positions (min_separation_m apart) that the fit used
    exponent: float  # path-loss exponent n
    tx_term_db: float  # A: power at 1 m, in the readings' unit (dBm or dBFS)
    sigma_db: float | None  # residual shadowing σ; None with no degrees of freedom left
    region: tuple[tuple[tuple[float, float], ...], ...]  # polygons of (lat_deg, lon_deg), unclosed
    ellipse: Ellipse
    n_readings: int  # readings used (after outliers)
    rejected: tuple[int, ...]  # indices (into the input) of readings rejected as outliers
    mirror_ambiguous: bool  # the estimate's mirror image across the drive's main axis is in the region too
    method: str  # one line: how this was obtained
    next_look: NextLook | None = None  # where one more reading would narrow the region most (sensor.locate.guidance)


@dataclass(frozen=True, slots=True)
class Refusal:
    """No location: the data cannot support one, and why."""

    reason: str
    n_positions: int
    next_look: NextLook | None = None  # where a fit was made but its region was unbounded: where to look next


def location_object(cell_key_fields: Mapping[str, Any], estimate: Estimate) -> dict[str, Any]:
    """CONTRACT.md's ``location`` object for a cell (``arfcn``, ``bsic``, ``cell_id`` taken from
    ``cell_key_fields``; absent ones are null), with extra fields: the region as a GeoJSON
    MultiPolygon (closed rings of [lon, lat], RFC 7946), the mirror-ambiguity flag, the ellipse,
    exponent, transmit term, σ, and ``next_look`` (``sensor.locate.guidance``: where one more reading
    would narrow the region most)."""
    rings = [[[lon, lat] for lat, lon in part] + [[part[0][1], part[0][0]]] for part in estimate.region]
    el = estimate.ellipse
    return {
        "type": "location",
        "schema": 1,
        "arfcn": cell_key_fields.get("arfcn"),
        "bsic": cell_key_fields.get("bsic"),
        "cell_id": cell_key_fields.get("cell_id"),
        "lat_deg": round(estimate.lat_deg, 7),
        "lon_deg": round(estimate.lon_deg, 7),
        "radius_m": round(estimate.radius_m, 1),
        "n_positions": estimate.n_positions,
        "region": {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]},  # rings counter-clockwise
        "mirror_ambiguous": estimate.mirror_ambiguous,
        "ellipse": {
            "lat_deg": round(el.lat_deg, 7),
            "lon_deg": round(el.lon_deg, 7),
            "semi_major_m": round(el.semi_major_m, 1),
            "semi_minor_m": round(el.semi_minor_m, 1),
            "azimuth_deg": round(el.azimuth_deg, 1),
        },
        "exponent": round(estimate.exponent, 3),
        "tx_term_db": round(estimate.tx_term_db, 2),
        "sigma_db": None if estimate.sigma_db is None else round(estimate.sigma_db, 2),
        "next_look": look_object(estimate.next_look),
    }
