"""The 95 % region of a located transmitter as geometry: the convex parts of a grid mask, its
moment ellipse, and point-in-region tests (``fit.py`` makes the mask; this is only its shape)."""

from __future__ import annotations

import numpy as np
from scipy import ndimage, spatial

from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu
from sensor.locate.estimate import Ellipse, Estimate

Polygons = tuple[tuple[tuple[float, float], ...], ...]


def reaches_edge(mask: np.ndarray) -> bool:
    """Whether a region mask touches its grid's outer ring: the region is not bounded by the grid."""
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def mapped_region(
    east_m: np.ndarray, north_m: np.ndarray, mask: np.ndarray, score: np.ndarray, origin: tuple[float, float]
) -> tuple[Polygons, Ellipse]:
    """The region ``mask`` (on the grid of axes ``east_m`` × ``north_m``, ``score`` the fit's figure on
    it) as an :class:`Estimate` holds it: its parts' polygons in (lat, lon) around ``origin``, and its
    moment ellipse."""
    parts = region_parts(east_m, north_m, mask, score)
    polygons = tuple(
        tuple(zip(*(np.round(v, 7).tolist() for v in lat_lon_from_enu(p[:, 0], p[:, 1], *origin)))) for p in parts
    )
    c, sa, sb, az = region_ellipse(east_m, north_m, mask)
    clat, clon = lat_lon_from_enu(c[0], c[1], *origin)
    return polygons, Ellipse(float(clat), float(clon), sa, sb, az)


def region_parts(east_m: np.ndarray, north_m: np.ndarray, mask: np.ndarray, rss: np.ndarray) -> list[np.ndarray]:
    """Convex hulls (vertices in the plane, counter-clockwise) of the connected parts of ``mask``
    on the grid of axes ``east_m`` × ``north_m``, each grid point standing for its cell; the part
    holding the lowest ``rss`` first."""
    labels, k = ndimage.label(mask, structure=np.ones((3, 3)))
    he = np.gradient(east_m) / 2
    hn = np.gradient(north_m) / 2
    parts = []
    best = []
    for lab in range(1, k + 1):
        rows, cols = np.nonzero(labels == lab)
        ce, cn = east_m[cols], north_m[rows]
        de, dn = he[cols], hn[rows]
        corners = np.column_stack(
            (
                np.concatenate((ce - de, ce + de, ce + de, ce - de)),
                np.concatenate((cn - dn, cn - dn, cn + dn, cn + dn)),
            )
        )
        hull = spatial.ConvexHull(corners)
        parts.append(corners[hull.vertices])
        best.append(rss[rows, cols].min())
    return [parts[i] for i in np.argsort(best)]


def region_ellipse(east_m: np.ndarray, north_m: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    """Centre, semi-axes and azimuth (degrees clockwise from north) of the ellipse a uniform spread
    with the moments of ``mask``'s grid points fills."""
    rows, cols = np.nonzero(mask)
    pts = np.column_stack((east_m[cols], north_m[rows]))
    c = pts.mean(axis=0)
    vals, vecs = np.linalg.eigh(np.cov(pts.T) if len(pts) > 1 else np.zeros((2, 2)))
    half_cell = np.array([np.gradient(east_m).mean(), np.gradient(north_m).mean()]) / 2
    a = 2 * np.sqrt(max(vals[1], 0.0)) + np.hypot(*half_cell)
    b = 2 * np.sqrt(max(vals[0], 0.0)) + np.hypot(*half_cell)
    az = float(np.degrees(np.arctan2(vecs[0, 1], vecs[1, 1]))) % 180.0
    return c, float(a), float(b), az


def point_in_polygon(x: float, y: float, poly: np.ndarray) -> bool:
    """Even-odd rule (ray casting) for a simple polygon given as an (N, 2) vertex array."""
    px, py = poly[:, 0], poly[:, 1]
    qx, qy = np.roll(px, -1), np.roll(py, -1)
    crosses = (py > y) != (qy > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xi = px + (y - py) * (qx - px) / (qy - py)
    return bool(np.count_nonzero(crosses & (x < xi)) % 2)


def region_contains(estimate: Estimate, lat_deg: float, lon_deg: float) -> bool:
    """Whether (lat_deg, lon_deg) lies inside the estimate's confidence region (any of its parts)."""
    x, y = enu_from_lat_lon(lat_deg, lon_deg, estimate.lat_deg, estimate.lon_deg)
    for part in estimate.region:
        lat, lon = np.array(part).T
        pe, pn = enu_from_lat_lon(lat, lon, estimate.lat_deg, estimate.lon_deg)
        if point_in_polygon(float(x), float(y), np.column_stack((pe, pn))):
            return True
    return False
