"""Power readings as the localisation fits see them: on a local east/north plane, averaged into
cells, with the matrix that whitens their correlated shadowing (``sensor/locate/fit.py``'s model
says why); and how many distinct positions they hold. Shared by ``locate`` (one fixed
transmitter), ``moving`` (time windows, a track) and ``reference`` (real cells alongside).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu


@dataclass(frozen=True, slots=True)
class Reading:
    """One power reading of one transmitter at one position and time."""

    lat_deg: float
    lon_deg: float
    power_db: float  # dBm or dBFS: the model's transmit term absorbs the offset
    t_s: float
    weight: float = 1.0  # relative trust (e.g. from SNR); divides the reading's independent noise


@dataclass(frozen=True, slots=True, eq=False)
class Observations:
    """Readings on the plane, their cells (averaged readings) and the cells' whitening matrix."""

    east_m: np.ndarray  # per reading
    north_m: np.ndarray
    power_db: np.ndarray
    t_s: np.ndarray
    index: np.ndarray  # positions of these readings in the caller's input
    cell_of: np.ndarray  # per reading: its cell
    cell_east_m: np.ndarray  # per cell: weighted means
    cell_north_m: np.ndarray
    cell_power_db: np.ndarray
    whiten: np.ndarray  # K with K·C·Kᵀ = I for the cells' shadowing covariance C (in σ² units)
    lat0_deg: float
    lon0_deg: float

    @property
    def n_cells(self) -> int:
        return len(self.cell_power_db)


def readings_arrays(readings: Iterable[Reading] | Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Readings as an (N, 5) float array: lat_deg, lon_deg, power_db, t_s, weight (1 if absent)."""
    if isinstance(readings, np.ndarray):
        a = np.asarray(readings, dtype=np.float64)
    else:
        rows = [
            (r.lat_deg, r.lon_deg, r.power_db, r.t_s, r.weight) if isinstance(r, Reading) else tuple(r)
            for r in readings
        ]
        a = np.array([tuple(r) + (1.0,) * (5 - len(r)) for r in rows], dtype=np.float64).reshape(-1, 5)
    if a.ndim != 2 or a.shape[1] not in (4, 5):
        raise ValueError(f"readings need 4 or 5 columns (lat, lon, power, t[, weight]), got shape {a.shape}")
    if a.shape[1] == 4:
        a = np.column_stack((a, np.ones(len(a))))
    return a


def aggregate_cells(
    east_m: np.ndarray,
    north_m: np.ndarray,
    power_db: np.ndarray,
    weight: np.ndarray,
    *,
    cell_m: float,
    max_cells: int,
    key: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted means of readings in squares of ``cell_m`` (doubled until at most ``max_cells``
    are occupied), kept apart by ``key`` when given. Returns (cell of each reading, east, north,
    power, weight sum) of the cells."""
    size = cell_m
    while True:
        cols = [np.floor(east_m / size), np.floor(north_m / size)] + ([key] if key is not None else [])
        _, inv = np.unique(np.column_stack(cols), axis=0, return_inverse=True)
        inv = inv.ravel()
        if inv.max() + 1 <= max_cells:
            break
        size *= 2.0
    sw = np.bincount(inv, weight)
    return (
        inv,
        np.bincount(inv, weight * east_m) / sw,
        np.bincount(inv, weight * north_m) / sw,
        np.bincount(inv, weight * power_db) / sw,
        sw,
    )


def shadowing_whitener(
    east_m: np.ndarray, north_m: np.ndarray, weight: np.ndarray, *, decorrelation_m: float, nugget: float
) -> np.ndarray:
    """The matrix K that whitens shadowing at these positions: K·C·Kᵀ = I for

        C_ij = (1 − nugget)·exp(−d_ij / decorrelation_m) + δ_ij·nugget / weight_i

    (Gudmundson's exponential correlation in distance, plus independent measurement noise that a
    reading's weight — or a cell's number of readings — divides), in units of σ²."""
    d = np.hypot(east_m[:, None] - east_m, north_m[:, None] - north_m)
    c = (1.0 - nugget) * np.exp(-d / decorrelation_m)
    c[np.diag_indices_from(c)] += nugget / weight
    from scipy import linalg  # here: importing the readings' types need not import it

    low = linalg.cholesky(c, lower=True)
    return linalg.solve_triangular(low, np.eye(len(c)), lower=True)


def distinct_positions(east_m: np.ndarray, north_m: np.ndarray, separation_m: float) -> int:
    """How many positions are pairwise at least ``separation_m`` apart (greedy, in input order; 1 %
    tolerance, so readings taken every ``separation_m`` all count despite rounding). Kept positions
    are bucketed on a ``separation_m`` grid: each new one is compared with the 3 × 3 buckets around
    it only, not with all kept."""
    limit = 0.99 * separation_m
    if not limit > 0:
        return len(east_m)
    buckets: dict[tuple[int, int], list[tuple[float, float]]] = {}
    kept = 0
    for e, n in zip(np.asarray(east_m, dtype=float).tolist(), np.asarray(north_m, dtype=float).tolist(), strict=True):
        i, j = math.floor(e / separation_m), math.floor(n / separation_m)
        near = (p for di in (-1, 0, 1) for dj in (-1, 0, 1) for p in buckets.get((i + di, j + dj), ()))
        if all(math.hypot(pe - e, pn - n) >= limit for pe, pn in near):
            buckets.setdefault((i, j), []).append((e, n))
            kept += 1
    return kept


def on_plane(
    a: np.ndarray,
    index: np.ndarray,
    *,
    cell_m: float,
    max_cells: int,
    decorrelation_m: float,
    nugget: float,
    origin: tuple[float, float] | None = None,
    key: np.ndarray | None = None,
) -> Observations:
    """``readings_arrays`` rows on the plane around ``origin`` (default: the data's centre,
    longitudes unwrapped through the first), averaged into cells (kept apart by ``key``), with the
    cells' whitener; ``index``: where these rows are in the caller's input."""
    lat, lon = a[:, 0], a[:, 1]
    lat0, lon0 = origin if origin is not None else (float(np.mean(lat)), float(lon[0]))
    e, n = enu_from_lat_lon(lat, lon, lat0, lon0)
    if origin is None:
        lat0, lon0 = (float(v) for v in lat_lon_from_enu(np.mean(e), np.mean(n), lat0, lon0))
        e, n = enu_from_lat_lon(lat, lon, lat0, lon0)
    cell_of, ce, cn, cp, cw = aggregate_cells(e, n, a[:, 2], a[:, 4], cell_m=cell_m, max_cells=max_cells, key=key)
    k = shadowing_whitener(ce, cn, cw, decorrelation_m=decorrelation_m, nugget=nugget)
    return Observations(e, n, a[:, 2], a[:, 3], index, cell_of, ce, cn, cp, k, lat0, lon0)
