"""Locating one transmitter from received power measured at many positions, with an honest 95 % region.

This module is the search: grids, starts, outliers, the region and the refusals. The model it
searches (its knobs, the profile on grids, the least-squares fit from one start) is ``model.py``,
what it returns (``Estimate``, ``Refusal``, the CONTRACT ``location`` object) ``estimate.py``, the
region's shape ``region.py``; this docstring describes the method as a whole.

Model
-----
Each reading ``i`` is a received power ``P_i`` (calibrated dBm or relative dBFS: both work, because
the transmit term is unknown) at a position projected onto a local east/north plane
(:mod:`sensor.locate.enu`). The log-distance model with log-normal shadowing says

    P_i = A − 10·n·log10(d_i) + X_i,   d_i = |(x, y) − (e_i, n_i)|,   X_i ~ N(0, σ²)

with four unknowns: the position (x, y), the transmit term ``A`` (EIRP minus the path loss at 1 m,
in the readings' unit) and the path-loss exponent ``n``. ``n`` is bounded (2..5 by default) and
carries a Gaussian prior (3.0 ± 0.75 by default: urban GSM exponents are 2.7–4): a drive along
one street cannot separate a near transmitter with a steep exponent from a far one with a shallow
exponent, and the prior is what keeps the fit from running off to infinity in that case. Distances
are clamped at ``min_distance_m`` (the model says nothing about the near field).

Correlated readings
-------------------
Shadowing is a field over space with correlation exp(−Δd / ``decorrelation_m``) (Gudmundson; 50 m
by default, PathLossModel's value), so readings closer together than that are not independent: a
car stopped at a light must not outvote a whole street. The fit is generalised least squares with
that covariance: C_ij = (1 − η)·exp(−d_ij / d_corr) + δ_ij·η / w_i, where η = ``nugget_fraction``
is the independent part (what is left of fast fading and receiver noise in one reading) and w_i the
reading's weight (weights scale only that independent part: a distrusted reading adds noise, it
cannot make the shadowing go away). Residuals are whitened with K = L⁻¹ (C = L·Lᵀ), after which they
are independent, so the statistics below count them honestly: forty readings at one traffic light
are worth barely more than one. To bound the cost, readings within ``cell_m`` (10 m: correlation
≥ 0.8) are averaged first into cells (at most ``max_cells``; the cells grow when there are more);
m, the number of cells, is the number of observations.

Fit
---
1. Profile on a grid: for fixed (x, y) the model is linear in (A, n), so the generalised
   least-squares (A, n) — with the exponent prior as one pseudo-observation and the bounds by
   clipping, exact for this convex quadratic — has a closed form. :func:`sensor.locate.model.profile_rss` evaluates the
   residual sum of squares RSS(x, y) for thousands of candidate positions at once (numpy
   broadcasting, one matrix product for the whitening). The coarse grid is 40 m near the data and
   grows geometrically out to ``max_radius_m`` beyond it, so an unbounded region is seen, not cut off.
2. Robust refinement: ``scipy.optimize.least_squares`` (soft-L1 loss, f_scale = the nominal
   shadowing σ) from several starts — the two lowest local minima of the grid, the mirror image of
   the best one across the drive's main axis (a straight drive leaves a left/right ambiguity), the
   strongest cell's position and the centroid — keeping the lowest cost.
3. Outliers: readings whose raw residual exceeds ``outlier_sigmas`` robust σ (1.4826 × MAD, each
   cell counting once, at least ``min_sigma_db``) are dropped (at most ``max_outlier_fraction`` of
   them, the worst first) and everything is done again on the rest; the final estimate is the
   plain (non-robust) GLS minimum, refined from the grid's best node.

Confidence region
-----------------
Profile likelihood with an F calibration: the region is every (x, y) with

    RSS(x, y) ≤ RSS_min + c · 2 · s² · F(2, ν; 0.95),

where s² pools the fit's residual variance RSS_min / (m − 4) with the nominal σ² given
``sigma_prior_dof`` pseudo-degrees of freedom (a conjugate prior on σ²: few positions lean on the
nominal σ, many on their own scatter) and ν = m − 4 + ``sigma_prior_dof``. For a linear model
c = 1 would be exact; the log-distance model is strongly nonlinear at the distances that matter
(the likelihood is banana-shaped and the minimum biased), and on simulated street drives c = 1
covered the truth only 87 % of the time (33 % at a nominal 50 %). c = ``threshold_scale`` = 1.5
restores ≥ 93 % there (bench/bench_locate.py, also with shadowing the fit does not model).
The region is evaluated on a fine grid (5 m) around the coarse region; each connected part becomes
one convex polygon (convex hull of its grid cells). A straight drive gives a region on both sides
of the road when the data cannot tell the sides apart (``mirror_ambiguous``: the estimate's mirror
image across the drive's main axis is in the region, in a basin of its own). ``radius_m`` is the
largest distance from the estimate to the region (cell corners included): one number that
honestly includes both sides. An ellipse (centre, semi-axes of the uniform distribution with the
region's second moments, azimuth) is a cheap summary besides.

Refusals
--------
:class:`Refusal` (never an exception) when fewer than ``min_positions`` distinct positions
``min_separation_m`` apart remain, when all positions lie within ``min_extent_m``, or when the
region is unbounded or wider than ``max_radius_m``.

Guidance
--------
Every estimate, and a refusal whose fit ran but whose region was unbounded, carries ``next_look``
(:mod:`sensor.locate.guidance`): the point where one more reading would shrink the region's spread
most, with its bearing and distance from the estimate and the angle the readings leave uncovered.
On the benchmark's searches one more car sent there locates better than one more car driving at
random (bench/bench_locate.py).

Moving transmitters
-------------------
:func:`sensor.locate.moving.track` fits sliding time windows (a track of timed estimates) and tests "one fixed position"
against "one position per disjoint time segment, same A and n" with an F test on the two whitened
residual sums of squares (nested least squares; cells never mix segments). It flags a move when
the test rejects at ``moving_alpha`` *and* the segment positions lie further apart than the median
radius of the segments' own estimates (so a statistically significant but small shift — model
error, or a fit wandering inside its region — does not flag a parked station).

Assumptions and limits: one transmitter per call (the caller separates cells by ARFCN + BSIC);
omnidirectional antenna (a sectored or directional fake station biases the estimate towards its main
lobe); no censoring model (readings too weak to decode are simply missing, which flattens the fitted
exponent for distant streets; ``sensor/locate/joint.py`` takes them as censored); the plane is good
to ~0.1 % within 5 km. Shadowing is taken as the transmitter's alone: the part the receiver's
surroundings add to every transmitter heard at a place is taken off beforehand by
``sensor/locate/reference.py`` (``locate_among``) when real cells were heard on the same scans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, optimize, spatial, stats

from sensor.locate.enu import lat_lon_from_enu
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.guidance import NextLook, next_look
from sensor.locate.model import LocateConfig, least_squares_fit, plane_observations, profile_at, start_at
from sensor.locate.observations import Observations, Reading, distinct_positions, readings_arrays
from sensor.locate.region import mapped_region, reaches_edge

_N_PARAMS = 4  # x, y, A, n


# ---------------------------------------------------------------------------------------------
# Starts and helpers of the search


def _main_axis(obs: Observations) -> tuple[np.ndarray, np.ndarray]:
    """Centroid and unit direction of the drive's main axis (principal component of the cells)."""
    pts = np.column_stack((obs.cell_east_m, obs.cell_north_m))
    c = pts.mean(axis=0)
    _, vecs = np.linalg.eigh((pts - c).T @ (pts - c))
    return c, vecs[:, -1]


def _mirror(point: np.ndarray, centre: np.ndarray, axis: np.ndarray) -> np.ndarray:
    v = point - centre
    return centre + 2 * (v @ axis) * axis - v


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return float(x[order][np.searchsorted(cw, 0.5 * cw[-1])])


# ---------------------------------------------------------------------------------------------
# Grids and regions


def _axis(lo: float, hi: float, step: float, reach: float, growth: float = 1.3) -> tuple[np.ndarray, int]:
    """Uniform ``step`` over [lo, hi], then geometric steps outwards until ``reach`` beyond each end.
    Returns the axis and the number of its outer (geometric) points on each side."""
    inner = lo + step * np.arange(int(np.ceil((hi - lo) / step)) + 1)
    out = []
    s, x = step, 0.0
    while x < reach:
        s *= growth
        x += s
        out.append(x)
    o = np.array(out)
    return np.concatenate((inner[0] - o[::-1], inner, inner[-1] + o)), len(o)


@dataclass(frozen=True, slots=True, eq=False)
class _Grid:
    east_m: np.ndarray  # 1-D axes
    north_m: np.ndarray
    rss: np.ndarray  # (north, east)
    exponent: np.ndarray
    tx_term_db: np.ndarray


def _evaluate(e_axis: np.ndarray, n_axis: np.ndarray, obs: Observations, cfg: LocateConfig) -> _Grid:
    gx, gy = np.meshgrid(e_axis, n_axis)
    rss, expo, tx = profile_at(gx, gy, obs, cfg)
    return _Grid(e_axis, n_axis, rss, expo, tx)


def _coarse_grid(obs: Observations, cfg: LocateConfig) -> _Grid:
    m = cfg.coarse_margin_m
    reach = cfg.max_radius_m + 500.0
    e_axis, _ = _axis(obs.east_m.min() - m, obs.east_m.max() + m, cfg.coarse_step_m, reach)
    n_axis, _ = _axis(obs.north_m.min() - m, obs.north_m.max() + m, cfg.coarse_step_m, reach)
    return _evaluate(e_axis, n_axis, obs, cfg)


def _local_minima(g: _Grid, k: int) -> list[np.ndarray]:
    """Positions of the ``k`` lowest local minima of the grid (3 × 3 neighbourhoods)."""
    is_min = g.rss == ndimage.minimum_filter(g.rss, size=3, mode="nearest")
    rows, cols = np.nonzero(is_min)
    order = np.argsort(g.rss[rows, cols])[:k]
    return [np.array([g.east_m[cols[i]], g.north_m[rows[i]]]) for i in order]


def _pooled(rss_min: float, m: int, cfg: LocateConfig) -> tuple[float, float, float | None]:
    """s² (the fit's residual variance pooled with the nominal σ²), its degrees of freedom ν, and
    the fit's own σ (None without dof)."""
    dof = m - _N_PARAMS
    own = np.sqrt(rss_min / dof) if dof > 0 else None
    nu = max(dof, 0) + cfg.sigma_prior_dof
    s2 = (max(dof, 0) * (own**2 if own is not None else 0.0) + cfg.sigma_prior_dof * cfg.nominal_sigma_db**2) / nu
    return s2, nu, (float(own) if own is not None else None)


def _threshold(rss_min: float, m: int, cfg: LocateConfig) -> tuple[float, float | None]:
    """The RSS bound of the confidence region, and the fit's own σ (None without dof)."""
    s2, nu, own = _pooled(rss_min, m, cfg)
    return rss_min + cfg.threshold_scale * 2.0 * s2 * float(stats.f.ppf(cfg.confidence, 2, nu)), own


def _look(
    obs: Observations, g: _Grid, mask: np.ndarray, theta: np.ndarray, rss_min: float, cfg: LocateConfig
) -> NextLook | None:
    """Where one more reading would separate the positions of the region (``mask`` of ``g``) best."""
    rows, cols = np.nonzero(mask)
    s2, _, _ = _pooled(rss_min, obs.n_cells, cfg)
    return next_look(
        g.east_m[cols],
        g.north_m[rows],
        g.tx_term_db[rows, cols],
        g.exponent[rows, cols],
        g.rss[rows, cols],
        np.gradient(g.east_m)[cols] * np.gradient(g.north_m)[rows],
        rss_min=rss_min,
        sigma_db=float(np.sqrt(s2)),
        cell_east_m=obs.cell_east_m,
        cell_north_m=obs.cell_north_m,
        cell_power_db=obs.cell_power_db,
        whiten=obs.whiten,
        reading_east_m=obs.east_m,
        reading_north_m=obs.north_m,
        estimate_xy=(float(theta[0]), float(theta[1])),
        decorrelation_m=cfg.decorrelation_m,
        nugget=cfg.nugget_fraction,
        min_distance_m=cfg.min_distance_m,
        origin=(obs.lat0_deg, obs.lon0_deg),
    )


# ---------------------------------------------------------------------------------------------
# Locating


def _geometry_refusal(obs: Observations, cfg: LocateConfig) -> Refusal | None:
    k = distinct_positions(obs.east_m, obs.north_m, cfg.min_separation_m)
    if k < cfg.min_positions:
        return Refusal(
            f"measured from {k} distinct position(s) {cfg.min_separation_m:g} m apart; {cfg.min_positions} are needed",
            k,
        )
    extent = _extent_m(np.column_stack((obs.east_m, obs.north_m)))
    if extent < cfg.min_extent_m:
        return Refusal(
            f"all positions lie within {extent:.0f} m; at least {cfg.min_extent_m:g} m of spread is needed", k
        )
    return None


def _extent_m(pts: np.ndarray) -> float:
    """Largest distance between two of the points (over the convex hull's vertices when there is one)."""
    c = pts - pts.mean(axis=0)
    s = np.linalg.svd(c, compute_uv=False)
    if len(pts) >= 3 and s[-1] > 1e-6 * max(s[0], 1e-9):
        pts = pts[spatial.ConvexHull(pts).vertices]
    return float(spatial.distance.pdist(pts).max()) if len(pts) > 1 else 0.0


def _robust(obs: Observations, coarse: _Grid, cfg: LocateConfig) -> np.ndarray:
    """Best soft-L1 fit over several starts; returns θ = (x, y, A, n)."""
    centre, axis = _main_axis(obs)
    strongest = int(np.argmax(obs.cell_power_db))
    cand = _local_minima(coarse, 2)
    cand.append(_mirror(cand[0], centre, axis))
    cand += [np.array([obs.cell_east_m[strongest], obs.cell_north_m[strongest]]), centre]
    starts: list[np.ndarray] = []
    for c in cand:
        if all(np.hypot(*(c - s)) > 20.0 for s in starts):
            starts.append(c)
    fits = [least_squares_fit(obs, start_at(obs, s[0], s[1], cfg), cfg, "soft_l1") for s in starts]
    return min(fits, key=lambda r: r.cost).x


def _raw_residuals(theta: np.ndarray, obs: Observations, cfg: LocateConfig) -> np.ndarray:
    x, y, a, n = theta
    d2 = np.maximum((x - obs.east_m) ** 2 + (y - obs.north_m) ** 2, cfg.min_distance_m**2)
    return obs.power_db - a + 5.0 * n * np.log10(d2)


def _outliers(theta: np.ndarray, obs: Observations, cfg: LocateConfig) -> np.ndarray:
    """Indices (into obs' readings) of readings beyond ``outlier_sigmas`` robust σ (1.4826 × MAD,
    each cell counting once), the worst first, at most ``max_outlier_fraction`` of them."""
    r = np.abs(_raw_residuals(theta, obs, cfg))
    per_cell = 1.0 / np.bincount(obs.cell_of)[obs.cell_of]
    sigma = max(1.4826 * _weighted_median(r, per_cell), cfg.min_sigma_db)
    bad = np.nonzero(r > cfg.outlier_sigmas * sigma)[0]
    cap = int(np.floor(cfg.max_outlier_fraction * len(r)))
    return bad[np.argsort(r[bad])[::-1][:cap]]


def _fine_grid(coarse: _Grid, mask: np.ndarray, cfg: LocateConfig) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(mask)
    i0, i1 = max(rows.min() - 2, 0), min(rows.max() + 2, len(coarse.north_m) - 1)
    j0, j1 = max(cols.min() - 2, 0), min(cols.max() + 2, len(coarse.east_m) - 1)
    e0, e1 = coarse.east_m[j0], coarse.east_m[j1]
    n0, n1 = coarse.north_m[i0], coarse.north_m[i1]
    step = max(cfg.fine_step_m, (e1 - e0) / cfg.fine_max_points, (n1 - n0) / cfg.fine_max_points)
    return e0 + step * np.arange(int(np.ceil((e1 - e0) / step)) + 1), n0 + step * np.arange(
        int(np.ceil((n1 - n0) / step)) + 1
    )


def _final(
    obs: Observations, coarse: _Grid, theta0: np.ndarray, cfg: LocateConfig
) -> tuple[np.ndarray, float, _Grid, np.ndarray] | Refusal:
    """Least-squares estimate, its RSS, and the fine grid with the region mask; or a refusal."""
    k = distinct_positions(obs.east_m, obs.north_m, cfg.min_separation_m)
    best = _better_from_grid(obs, coarse, least_squares_fit(obs, theta0, cfg, "linear"), cfg)
    rss_min = min(2.0 * best.cost, float(coarse.rss.min()))
    bound, _ = _threshold(rss_min, obs.n_cells, cfg)
    mask = _with_node(coarse, coarse.rss <= bound, best.x)
    if reaches_edge(mask):
        return Refusal(
            f"the data cannot bound the position: the {cfg.confidence:.0%} region reaches "
            f"beyond {cfg.max_radius_m:g} m",
            k,
            _look(obs, coarse, mask, best.x, rss_min, cfg),
        )
    fe, fn = _fine_grid(coarse, mask, cfg)
    fine = _evaluate(fe, fn, obs, cfg)
    if fine.rss.min() < rss_min:
        best = _better_from_grid(obs, fine, best, cfg)
        rss_min = min(2.0 * best.cost, float(fine.rss.min()))
    bound, _ = _threshold(rss_min, obs.n_cells, cfg)
    return best.x, rss_min, fine, _with_node(fine, fine.rss <= bound, best.x)


def _better_from_grid(
    obs: Observations, g: _Grid, best: optimize.OptimizeResult, cfg: LocateConfig
) -> optimize.OptimizeResult:
    """A least-squares fit started at the grid's lowest node, if it ends lower than ``best``."""
    i, j = np.unravel_index(np.argmin(g.rss), g.rss.shape)
    r = least_squares_fit(obs, start_at(obs, g.east_m[j], g.north_m[i], cfg), cfg, "linear")
    return r if r.cost < best.cost else best


def _with_node(g: _Grid, mask: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The mask with the grid node nearest the estimate set: the region always holds its own estimate
    (the refined minimum can lie between nodes, below every node's RSS)."""
    out = mask.copy()
    out[np.argmin(np.abs(g.north_m - theta[1])), np.argmin(np.abs(g.east_m - theta[0]))] = True
    return out


def _method(obs: Observations, n_in: int, rejected: int, lobes: int, mirror: bool, cfg: LocateConfig) -> str:
    prior = (
        f"exponent prior {cfg.exponent_prior:g}±{cfg.exponent_prior_sd:g}"
        if cfg.exponent_prior_sd is not None
        else "no exponent prior"
    )
    lo, hi = cfg.exponent_bounds
    text = (
        f"log-distance fit (robust soft-L1 from several starts, then least squares) of {len(obs.power_db)} of "
        f"{n_in} readings ({obs.n_cells} cells), shadowing correlated over {cfg.decorrelation_m:g} m (GLS); "
        f"{prior} in [{lo:g}, {hi:g}]; "
        f"{rejected} outlier(s) rejected (> {cfg.outlier_sigmas:g} robust σ); "
        f"{cfg.confidence:.0%} region by profile likelihood (F test), {lobes} part(s)"
    )
    return text + ("; mirror ambiguity: the drive cannot tell the two sides of its main axis apart" if mirror else "")


def locate(
    readings: Iterable[Reading] | Sequence[Sequence[float]] | np.ndarray, config: LocateConfig | None = None
) -> Estimate | Refusal:
    """Locate one transmitter from its readings (see the module docstring for the method).

    ``readings`` are :class:`Reading` objects or rows (lat_deg, lon_deg, power_db, t_s[, weight]).
    Rows with a non-finite value or a weight ≤ 0 are ignored. Returns an :class:`Estimate` or a
    :class:`Refusal` saying why no location can be given.
    """
    cfg = config or LocateConfig()
    a = readings_arrays(readings)
    ok = np.all(np.isfinite(a), axis=1) & (a[:, 4] > 0)
    index = np.nonzero(ok)[0]
    if not len(index):
        return Refusal("no usable readings", 0)
    obs = plane_observations(a[index], index, cfg)
    refusal = _geometry_refusal(obs, cfg)
    if refusal is not None:
        return refusal
    coarse = _coarse_grid(obs, cfg)
    theta = _robust(obs, coarse, cfg)
    bad = _outliers(theta, obs, cfg)
    if len(bad):
        keep = np.setdiff1d(np.arange(len(obs.power_db)), bad)
        obs = plane_observations(a[index[keep]], index[keep], cfg, origin=(obs.lat0_deg, obs.lon0_deg))
        refusal = _geometry_refusal(obs, cfg)
        if refusal is not None:
            return refusal
        coarse = _coarse_grid(obs, cfg)
    out = _final(obs, coarse, theta, cfg)
    if isinstance(out, Refusal):
        return out
    theta, rss_min, fine, mask = out
    k = distinct_positions(obs.east_m, obs.north_m, cfg.min_separation_m)
    x, y = theta[0], theta[1]
    rows, cols = np.nonzero(mask)
    half = np.hypot(np.gradient(fine.east_m).max(), np.gradient(fine.north_m).max()) / 2
    radius = float(np.max(np.hypot(fine.east_m[cols] - x, fine.north_m[rows] - y), initial=0.0) + half)
    look = _look(obs, fine, mask, theta, rss_min, cfg)
    if radius > cfg.max_radius_m:
        return Refusal(
            f"the {cfg.confidence:.0%} region is {radius:.0f} m wide, more than {cfg.max_radius_m:g} m", k, look
        )
    bound, sigma = _threshold(rss_min, obs.n_cells, cfg)
    centre, axis = _main_axis(obs)
    mx, my = _mirror(np.array([x, y]), centre, axis)
    r_mirror, r_mid = profile_at(np.array([mx, (x + mx) / 2]), np.array([my, (y + my) / 2]), obs, cfg)[0]
    mirror = bool(r_mirror <= bound and r_mid > r_mirror)  # a second basin across the axis, not the same one
    region, ellipse = mapped_region(fine.east_m, fine.north_m, mask, fine.rss, (obs.lat0_deg, obs.lon0_deg))
    lat, lon = lat_lon_from_enu(x, y, obs.lat0_deg, obs.lon0_deg)
    return Estimate(
        lat_deg=float(lat),
        lon_deg=float(lon),
        radius_m=radius,
        n_positions=k,
        exponent=float(theta[3]),
        tx_term_db=float(theta[2]),
        sigma_db=sigma,
        region=region,
        ellipse=ellipse,
        n_readings=len(obs.power_db),
        rejected=tuple(int(i) for i in np.sort(index[bad])) if len(bad) else (),
        mirror_ambiguous=mirror,
        method=_method(obs, len(a), len(bad), len(region), mirror, cfg),
        next_look=look,
    )
