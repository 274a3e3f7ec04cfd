"""Districts from the user's GeoJSON (``--area``), and which of them a point lies in.

Accepted: a FeatureCollection, a Feature, or a bare Polygon/MultiPolygon geometry, coordinates as
GeoJSON orders them (longitude, latitude). A feature's name is its ``name`` property (or ``NAME``,
``name_en``, then its first text property, then "district N"); features of other geometry types
are skipped and said so. Anything else (not JSON, no polygon, a ring of fewer than four positions,
coordinates that are not numbers on the globe) is an ``InputError`` naming the file.

Point in polygon: even-odd ray casting, vectorised over the points for each edge, after a bounding-
box cut; holes (inner rings) fall out of the even-odd rule.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sensor.errors import InputError

_NAME_KEYS = ("name", "NAME", "name_en", "Name")


@dataclass(frozen=True)
class District:
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]  # per polygon, its rings as (n, 2) arrays of (lon, lat)
    box: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max

    def contains(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """A boolean mask: which of the points lie inside (on an edge: either way)."""
        lon_min, lat_min, lon_max, lat_max = self.box
        inside = np.zeros(len(lat_deg), dtype=bool)
        near = np.flatnonzero((lat_deg >= lat_min) & (lat_deg <= lat_max) & (lon_deg >= lon_min) & (lon_deg <= lon_max))
        if not len(near):
            return inside
        x, y = lon_deg[near], lat_deg[near]
        for rings in self.polygons:
            odd = np.zeros(len(near), dtype=bool)
            for ring in rings:
                x0, y0 = ring[:-1, 0], ring[:-1, 1]
                x1, y1 = ring[1:, 0], ring[1:, 1]
                for ax, ay, bx, by in zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist()):
                    if ay == by:
                        continue
                    crosses = (ay > y) != (by > y)
                    odd ^= crosses & (x < ax + (y - ay) * (bx - ax) / (by - ay))
            inside[near] |= odd
        return inside


def _ring(coords: Any, where: str) -> np.ndarray:
    if not isinstance(coords, list) or len(coords) < 4:
        raise InputError(f"{where}: a ring needs at least four positions")
    try:
        ring = np.array([[float(p[0]), float(p[1])] for p in coords], dtype=float)
    except (TypeError, ValueError, IndexError):
        raise InputError(f"{where}: a position is not [longitude, latitude]") from None
    if not np.isfinite(ring).all() or (np.abs(ring[:, 0]) > 180).any() or (np.abs(ring[:, 1]) > 90).any():
        raise InputError(f"{where}: coordinates outside longitude ±180, latitude ±90")
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])  # GeoJSON closes rings; be lenient with one that does not
    return ring


def _polygons(geometry: Any, where: str) -> tuple[tuple[np.ndarray, ...], ...] | None:
    if not isinstance(geometry, dict):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        parts = [coords]
    elif kind == "MultiPolygon":
        parts = coords if isinstance(coords, list) else None
    else:
        return None
    if not parts or not all(isinstance(p, list) and p for p in parts):
        raise InputError(f"{where}: {kind} without rings")
    return tuple(tuple(_ring(r, where) for r in part) for part in parts)


def _name(properties: Any, k: int) -> str:
    props = properties if isinstance(properties, dict) else {}
    for key in _NAME_KEYS:
        if isinstance(props.get(key), str) and props[key].strip():
            return props[key].strip()
    text = next((v for v in props.values() if isinstance(v, str) and v.strip()), None)
    return text.strip() if text else f"district {k}"


def load_districts(path: str | Path) -> tuple[list[District], int]:
    """The districts of a GeoJSON file and how many features were skipped (not polygons)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the area ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not GeoJSON ({exc})") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not GeoJSON (no object at the top)")
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError(f"{path}: a FeatureCollection without a features list")
    elif doc.get("type") == "Feature":
        features = [doc]
    else:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    out, skipped = [], 0
    for k, f in enumerate(features, 1):
        if not isinstance(f, dict):
            raise InputError(f"{path}: feature {k} is not an object")
        polygons = _polygons(f.get("geometry"), f"{path}: feature {k}")
        if polygons is None:
            skipped += 1
            continue
        every = np.vstack([r for p in polygons for r in p])
        box = (float(every[:, 0].min()), float(every[:, 1].min()), float(every[:, 0].max()), float(every[:, 1].max()))
        out.append(District(_name(f.get("properties"), k), polygons, box))
    if not out:
        raise InputError(f"{path}: no Polygon or MultiPolygon feature")
    return out, skipped


def district_of(districts: list[District], lat_deg: float, lon_deg: float) -> str | None:
    """The name of the first district holding the point, or None."""
    if math.isnan(lat_deg) or math.isnan(lon_deg):
        return None
    lat, lon = np.array([lat_deg]), np.array([lon_deg])
    return next((d.name for d in districts if d.contains(lat, lon)[0]), None)
