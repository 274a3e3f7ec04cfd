"""Where the next reading would narrow a transmitter's region most: guidance for the cars searching.

A search that has seen the transmitter from one side only leaves a region stretched away from the
drive (bench/bench_locate.py: one-sided searches locate to about twice the error of those whose
readings surround the transmitter). The collector knows which positions its region still allows,
so it can say where a reading would tell them apart best; an analyst sends the next car there.

Method (a one-step Bayesian experiment design, vectorised over hypotheses and candidates):

* hypotheses: the positions of the region's grid (subsampled to at most ``MAX_HYPOTHESES``), each
  with its profile transmit term A_j and exponent n_j and the weight area_j·exp(−(RSS_j − RSS_min) / 2s²)
  that the fit's likelihood gives it (area_j: of its grid cell; the coarse grid grows outwards);
* candidates: points on rings around the estimate (``RING_M`` × every ``BEARING_STEP_DEG``);
* what a reading at candidate c would show under hypothesis j: the model's mean power
  A_j − 10·n_j·log10 d(c, x_j) plus the shadowing that the readings already taken predict there
  (simple kriging with the fit's correlation exp(−Δd / d_corr): the j-th residuals at the cells,
  weighted by ρ_cᵀC⁻¹), with the remaining variance σ²·(1 − ρ_cᵀC⁻¹ρ_c);
* score: the expected spread of the hypotheses' positions (trace of their covariance) once that
  reading is in, averaged over which hypothesis is true and over the reading's noise (3-point
  Gauss-Hermite); the candidate that leaves the least is the next look. A candidate near readings
  already taken scores badly (its shadowing is known already, so it tells little), one where the
  hypotheses predict different powers scores well. To bound the cost, only the ``SHORTLIST``
  candidates whose predictions differ most (in units of their remaining noise) are scored in full.

The best candidate is returned with its bearing and distance from the estimate, the spread in dB,
and the widest angle, seen from the estimate, in which no reading was taken (``gap_deg``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.locate.enu import lat_lon_from_enu

MAX_HYPOTHESES = 150
TRUTHS = 50  # hypotheses taken in turn as the truth when scoring a candidate in full
SHORTLIST = 32  # candidates scored in full (of those the predictions' spread ranks highest)
RING_M = (50.0, 100.0, 150.0, 250.0, 400.0, 600.0)
BEARING_STEP_DEG = 15.0


@dataclass(frozen=True, slots=True)
class NextLook:
    """The point where one more reading would narrow the region most."""

    lat_deg: float
    lon_deg: float
    bearing_deg: float  # from the estimate, clockwise from true north, in [0, 360)
    distance_m: float  # from the estimate
    spread_db: float  # weighted sd of the power a reading there would show, across the region's positions
    gap_deg: float  # the widest angle, seen from the estimate, holding no reading


def bearing_gap_deg(east_m: np.ndarray, north_m: np.ndarray, x: float, y: float) -> float:
    """The widest angle (degrees), seen from (x, y), that holds none of the points; 360 with
    fewer than two distinct bearings."""
    b = np.sort(np.degrees(np.arctan2(np.asarray(east_m) - x, np.asarray(north_m) - y)) % 360.0)
    if len(b) < 2 or np.ptp(b) < 1e-9:
        return 360.0
    return float(np.max(np.diff(np.append(b, b[0] + 360.0))))


def candidates(x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Candidate positions: rings ``RING_M`` around (x, y), a point every ``BEARING_STEP_DEG``."""
    bearings = np.radians(np.arange(0.0, 360.0, BEARING_STEP_DEG))
    r = np.repeat(np.asarray(RING_M), len(bearings))
    b = np.tile(bearings, len(RING_M))
    return x + r * np.sin(b), y + r * np.cos(b)


def _subsample(k: int, limit: int) -> np.ndarray:
    return np.arange(k) if k <= limit else np.unique(np.linspace(0, k - 1, limit).round().astype(int))


_NODES = np.array([-np.sqrt(3.0), 0.0, np.sqrt(3.0)])  # 3-point Gauss-Hermite for a standard normal
_NODE_WEIGHTS = np.array([1.0, 4.0, 1.0]) / 6.0  # (exact for polynomials up to degree 5)


def _expected_spread_m2(mean: np.ndarray, sd: np.ndarray, w: np.ndarray, hx: np.ndarray, hy: np.ndarray) -> np.ndarray:
    """Per candidate: the expected posterior spread (trace of the position covariance, m²) of the
    hypotheses after one reading there, averaged over which hypothesis is true (``TRUTHS`` of them,
    spread over the list, weighted by ``w``) and over that reading's noise (Gauss-Hermite nodes).
    ``mean`` (K, H): the power each hypothesis predicts at each candidate; ``sd`` (K,): the
    reading's remaining noise there."""
    t = _subsample(len(w), TRUTHS)
    wt = w[t] / w[t].sum()
    y = (mean[:, t, None] + sd[:, None, None] * _NODES) / sd[:, None, None]  # (K, truth, node), in σ
    z = y[..., None] - (mean / sd[:, None])[:, None, None, :]  # (K, truth, node, H)
    z *= z
    z *= -0.5
    z += np.log(np.maximum(w, 1e-300))
    z -= z.max(axis=-1, keepdims=True)
    p = np.exp(z, out=z)
    p /= p.sum(axis=-1, keepdims=True)
    mx, my = p @ hx, p @ hy
    spread = p @ (hx * hx + hy * hy) - mx * mx - my * my  # (K, truth, node)
    return (spread @ _NODE_WEIGHTS) @ wt


def next_look(
    hyp_east_m: np.ndarray,
    hyp_north_m: np.ndarray,
    hyp_tx_db: np.ndarray,
    hyp_exponent: np.ndarray,
    hyp_rss: np.ndarray,
    hyp_area_m2: np.ndarray,
    *,
    rss_min: float,
    sigma_db: float,
    cell_east_m: np.ndarray,
    cell_north_m: np.ndarray,
    cell_power_db: np.ndarray,
    whiten: np.ndarray,
    reading_east_m: np.ndarray,
    reading_north_m: np.ndarray,
    estimate_xy: tuple[float, float],
    decorrelation_m: float,
    nugget: float,
    min_distance_m: float,
    origin: tuple[float, float],
) -> NextLook | None:
    """The candidate where one more reading separates the region's hypotheses best (see the module
    docstring); None without hypotheses. ``whiten`` is the fit's K (KᵀK = C⁻¹ of the cells'
    shadowing correlation, in σ² units); ``hyp_*`` are the region's grid points and their
    profile fit (RSS, A, n); every position is on the plane of ``enu`` around ``origin`` (lat, lon)."""
    if not len(hyp_east_m):
        return None
    pick = _subsample(len(hyp_east_m), MAX_HYPOTHESES)
    hx, hy = np.asarray(hyp_east_m)[pick], np.asarray(hyp_north_m)[pick]
    ha, hn = np.asarray(hyp_tx_db)[pick], np.asarray(hyp_exponent)[pick]
    s2 = max(sigma_db, 1e-3) ** 2
    w = np.asarray(hyp_area_m2)[pick] * np.exp(-(np.asarray(hyp_rss)[pick] - rss_min) / (2.0 * s2))
    w /= w.sum()
    d2min = min_distance_m**2
    # residuals of each hypothesis at the cells: (H, m)
    d2 = np.maximum((hx[:, None] - cell_east_m) ** 2 + (hy[:, None] - cell_north_m) ** 2, d2min)
    resid = cell_power_db - ha[:, None] + 5.0 * hn[:, None] * np.log10(d2)
    x0, y0 = estimate_xy
    cx, cy = candidates(x0, y0)
    rho = (1.0 - nugget) * np.exp(-np.hypot(cx[:, None] - cell_east_m, cy[:, None] - cell_north_m) / decorrelation_m)
    krige = (rho @ whiten.T) @ whiten  # (K, m): ρ_cᵀ C⁻¹
    left = np.maximum(1.0 - np.einsum("km,km->k", krige, rho), nugget)  # remaining variance, σ² units
    d2c = np.maximum((cx[:, None] - hx) ** 2 + (cy[:, None] - hy) ** 2, d2min)  # (K, H)
    mean = ha - 5.0 * hn * np.log10(d2c) + krige @ resid.T
    mu = mean @ w
    spread2 = ((mean - mu[:, None]) ** 2) @ w
    short = np.argsort(spread2 / left)[::-1][:SHORTLIST]  # the cheap score first, then the full one
    best = int(short[np.argmin(_expected_spread_m2(mean[short], np.sqrt(left[short] * s2), w, hx, hy))])
    de, dn = cx[best] - x0, cy[best] - y0
    lat, lon = lat_lon_from_enu(cx[best], cy[best], *origin)
    return NextLook(
        lat_deg=float(lat),
        lon_deg=float(lon),
        bearing_deg=float(np.degrees(np.arctan2(de, dn)) % 360.0),
        distance_m=float(np.hypot(de, dn)),
        spread_db=float(np.sqrt(spread2[best])),
        gap_deg=bearing_gap_deg(reading_east_m, reading_north_m, x0, y0),
    )


_POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def compass(bearing_deg: float) -> str:
    """The eight-point compass direction of a bearing (degrees clockwise from north)."""
    return _POINTS[int(((bearing_deg % 360.0) + 22.5) // 45.0) % 8]


def look_object(look: NextLook | None) -> dict[str, float | str] | None:
    """A ``NextLook`` as JSON (the ``next_look`` extension of CONTRACT.md's ``location`` objects)."""
    if look is None:
        return None
    return {
        "lat_deg": round(look.lat_deg, 7),
        "lon_deg": round(look.lon_deg, 7),
        "bearing_deg": round(look.bearing_deg, 1),
        "direction": compass(look.bearing_deg),
        "distance_m": round(look.distance_m, 1),
        "spread_db": round(look.spread_db, 2),
        "gap_deg": round(look.gap_deg, 1),
    }


def look_words(look: NextLook | None) -> str:
    """One phrase for a table: where to take the next reading, and why."""
    if look is None:
        return ""
    seen = f"; readings leave a {look.gap_deg:.0f}° gap" if look.gap_deg >= 120.0 else ""
    return f"next reading best {look.distance_m:.0f} m {compass(look.bearing_deg)} of the estimate{seen}"
