"""The log-distance model the fits share: its knobs (:class:`LocateConfig`), the readings on the plane
as a configuration averages them, the profile residual sum of squares in closed form on grids of
candidate positions, and the robust or plain least-squares fit of (x, y, A, n) from one start.

``fit.py`` (one fixed transmitter and its region) and ``moving.py`` (sliding windows and the moving
test) both search with these; the method as a whole is described in ``fit.py``'s docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sensor.locate.observations import Observations, on_plane

if TYPE_CHECKING:
    from scipy import optimize

_LN10 = float(np.log(10.0))


@dataclass(frozen=True, slots=True)
class LocateConfig:
    """Knobs of :func:`fit.locate` and :func:`moving.track`; the defaults suit urban GSM at 900/1800 MHz."""

    decorrelation_m: float = 50.0  # shadowing correlation exp(−d / decorrelation_m) (Gudmundson)
    nugget_fraction: float = 0.1  # share of a reading's variance that is independent measurement noise
    cell_m: float = 10.0  # readings this close are averaged first (correlation ≥ 0.8 at 50 m)
    max_cells: int = 150  # cells grow (×2) until at most this many: bounds the cost
    min_positions: int = 3  # distinct positions needed (CONTRACT.md: "at least three")
    min_separation_m: float = 50.0  # positions closer than this are not distinct
    min_extent_m: float = 100.0  # refuse when every position is within this of every other
    max_radius_m: float = 5000.0  # refuse when the region is wider than this (or unbounded)
    exponent_bounds: tuple[float, float] = (2.0, 5.0)  # equal bounds fix the exponent
    exponent_prior: float = 3.0
    exponent_prior_sd: float | None = 0.75  # None: no prior, bounds only
    nominal_sigma_db: float = 6.0  # expected shadowing σ: robust loss scale, prior weights
    sigma_prior_dof: float = 4.0  # pseudo-degrees of freedom of the nominal σ when pooling
    threshold_scale: float = 1.5  # on the F threshold: calibration for the model's nonlinearity (see fit.py)
    min_sigma_db: float = 2.0  # floor of the robust σ that outliers are judged against
    outlier_sigmas: float = 3.0
    max_outlier_fraction: float = 0.2
    confidence: float = 0.95
    min_distance_m: float = 10.0  # distances are clamped here (near field)
    coarse_step_m: float = 40.0
    coarse_margin_m: float = 600.0  # the coarse grid is uniform this far beyond the data
    fine_step_m: float = 5.0
    fine_max_points: int = 200  # per axis; the fine step grows for very large regions
    # track(): moving-transmitter test
    window_s: float = 240.0  # track(): long enough for a few cars to surround the transmitter
    step_s: float = 120.0
    moving_alpha: float = 1e-3


def plane_observations(
    a: np.ndarray,
    index: np.ndarray,
    cfg: LocateConfig,
    origin: tuple[float, float] | None = None,
    key: np.ndarray | None = None,
) -> Observations:
    """The readings ``a`` (rows of ``readings_arrays``; ``index`` into the input) on the plane and
    averaged into cells as ``cfg`` says."""
    return on_plane(
        a,
        index,
        cell_m=cfg.cell_m,
        max_cells=cfg.max_cells,
        decorrelation_m=cfg.decorrelation_m,
        nugget=cfg.nugget_fraction,
        origin=origin,
        key=key,
    )


# ---------------------------------------------------------------------------------------------
# The kernel


def exponent_prior_weight(cfg: LocateConfig) -> float:
    """Weight of the exponent prior as one pseudo-observation (0 without a prior)."""
    if cfg.exponent_prior_sd is None:
        return 0.0
    return (cfg.nominal_sigma_db / cfg.exponent_prior_sd) ** 2


def profile_rss(
    grid_east_m: np.ndarray,
    grid_north_m: np.ndarray,
    east_m: np.ndarray,
    north_m: np.ndarray,
    power_db: np.ndarray,
    whiten: np.ndarray,
    *,
    exponent_bounds: tuple[float, float] = (2.0, 5.0),
    exponent_prior: float = 3.0,
    prior_weight: float = 0.0,
    min_distance_m: float = 10.0,
    chunk: int = 2048,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profile (generalised) residual sum of squares of the log-distance model at candidate positions.

    For each candidate (x, y) (arrays of any equal shape) minimises over the transmit term A and the
    exponent n ∈ ``exponent_bounds``

        |K·(P − A·1 + 10·n·log10 d)|² + prior_weight · (n − exponent_prior)²

    (``whiten`` = K, e.g. from ``observations.shadowing_whitener``; a diagonal √weight for independent
    readings) in closed form: linear least squares in (A, n), the bound by clipping, exact because
    the profile in n is a convex parabola. Returns (rss, exponent, tx_term_db) shaped like the grid.
    """
    gx = np.asarray(grid_east_m, dtype=np.float64)
    shape = gx.shape
    gx = gx.ravel()
    gy = np.asarray(grid_north_m, dtype=np.float64).ravel()
    kt = np.asarray(whiten, dtype=np.float64).T
    one = kt.sum(axis=0)  # K·1
    y = np.asarray(power_db, dtype=np.float64) @ kt  # K·P
    s11 = float(one @ one)
    s1y = float(one @ y)
    c_yy = float(y @ y) - s1y * s1y / s11
    rss = np.empty(gx.size)
    expo = np.empty(gx.size)
    tx = np.empty(gx.size)
    d2_min = min_distance_m * min_distance_m
    to_u = -5.0 / _LN10  # u = −10·log10(d) = to_u·ln(d²): the regressor of n
    for s in range(0, gx.size, chunk):
        d2 = (gx[s : s + chunk, None] - east_m) ** 2
        d2 += (gy[s : s + chunk, None] - north_m) ** 2
        np.maximum(d2, d2_min, out=d2)
        v = np.log(d2) @ kt  # K·u / to_u
        v *= to_u
        s1v = v @ one
        c_vv = np.einsum("ij,ij->i", v, v) - s1v * s1v / s11
        c_vy = v @ y - s1v * s1y / s11
        nn = np.clip((c_vy + prior_weight * exponent_prior) / (c_vv + prior_weight), *exponent_bounds)
        rss[s : s + chunk] = c_yy - 2 * nn * c_vy + nn * nn * c_vv + prior_weight * (nn - exponent_prior) ** 2
        expo[s : s + chunk] = nn
        tx[s : s + chunk] = (s1y - nn * s1v) / s11
    return np.maximum(rss, 0.0).reshape(shape), expo.reshape(shape), tx.reshape(shape)


def profile_at(
    gx: np.ndarray, gy: np.ndarray, obs: Observations, cfg: LocateConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`profile_rss` of ``obs``' cells at the candidate positions (gx, gy) as ``cfg`` says."""
    return profile_rss(
        gx,
        gy,
        obs.cell_east_m,
        obs.cell_north_m,
        obs.cell_power_db,
        obs.whiten,
        exponent_bounds=cfg.exponent_bounds,
        exponent_prior=cfg.exponent_prior,
        prior_weight=exponent_prior_weight(cfg),
        min_distance_m=cfg.min_distance_m,
    )


# ---------------------------------------------------------------------------------------------
# Nonlinear least squares


def _residuals(theta: np.ndarray, obs: Observations, cfg: LocateConfig) -> np.ndarray:
    x, y, a, n = theta
    d2 = np.maximum((x - obs.cell_east_m) ** 2 + (y - obs.cell_north_m) ** 2, cfg.min_distance_m**2)
    r = obs.whiten @ (obs.cell_power_db - a + 5.0 * n * np.log10(d2))
    lam = exponent_prior_weight(cfg)
    return np.append(r, np.sqrt(lam) * (n - cfg.exponent_prior)) if lam else r


def _jacobian(theta: np.ndarray, obs: Observations, cfg: LocateConfig) -> np.ndarray:
    x, y, _, n = theta
    dx, dy = x - obs.cell_east_m, y - obs.cell_north_m
    d2 = dx * dx + dy * dy
    d2c = np.maximum(d2, cfg.min_distance_m**2)
    g = np.where(d2 < cfg.min_distance_m**2, 0.0, 10.0 * n / (_LN10 * d2c))  # ∂/∂x of 5·n·log10(d²) is g·dx
    j = obs.whiten @ np.column_stack((g * dx, g * dy, -np.ones_like(dx), 5.0 * np.log10(d2c)))
    lam = exponent_prior_weight(cfg)
    return np.vstack((j, [0.0, 0.0, 0.0, np.sqrt(lam)])) if lam else j


def least_squares_fit(obs: Observations, start: np.ndarray, cfg: LocateConfig, loss: str) -> optimize.OptimizeResult:
    """``scipy.optimize.least_squares`` of θ = (x, y, A, n) from ``start`` with ``loss`` (``"soft_l1"``
    or ``"linear"``), the exponent within its bounds."""
    lo, hi = cfg.exponent_bounds
    if hi - lo < 1e-9:  # a fixed exponent: least_squares needs lo < hi
        hi = lo + 1e-9
    x0 = np.array(start, dtype=np.float64)
    x0[3] = np.clip(x0[3], lo, hi)
    from scipy import optimize  # here: a replay that locates nothing need not import it (~0.3 s)

    return optimize.least_squares(
        _residuals,
        x0,
        jac=_jacobian,
        args=(obs, cfg),
        loss=loss,
        f_scale=cfg.nominal_sigma_db,
        bounds=([-np.inf, -np.inf, -np.inf, lo], [np.inf, np.inf, np.inf, hi]),
        x_scale="jac",
        ftol=1e-6,
        xtol=1e-6,
        max_nfev=200,
    )


def start_at(obs: Observations, x: float, y: float, cfg: LocateConfig) -> np.ndarray:
    """θ = (x, y, A, n) with the profile's best A and n at (x, y): a start for :func:`least_squares_fit`."""
    _, n, a = profile_at(np.array([x]), np.array([y]), obs, cfg)
    return np.array([x, y, a[0], n[0]])
