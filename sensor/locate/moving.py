"""A transmitter that moves (a fake station in a van): fits over sliding time windows, and a test
of whether one fixed position explains the readings.

Windows of ``LocateConfig.window_s`` every ``step_s`` are located like any transmitter
(``fit.locate``); the moving test compares one position for all readings against one position
per time segment (same transmit term and exponent) with an F test at ``moving_alpha``, and also asks
the segment positions to differ by more than their median radius, so a parked van is not "moving".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, spatial, stats

from sensor.locate.enu import enu_from_lat_lon
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.model import LocateConfig, exponent_prior_weight, least_squares_fit, plane_observations
from sensor.locate.observations import Observations, Reading, distinct_positions, readings_arrays


@dataclass(frozen=True, slots=True)
class TrackPoint:
    t_start_s: float
    t_end_s: float
    result: Estimate | Refusal


@dataclass(frozen=True, slots=True)
class Track:
    """Estimates over sliding time windows and the verdict on whether the transmitter moved."""

    points: tuple[TrackPoint, ...]
    fixed: Estimate | Refusal  # one position for all readings
    moving: bool | None  # None: fewer than two time segments could be fitted
    f_statistic: float | None
    p_value: float | None
    shift_m: float | None  # largest distance between fitted segment positions
    method: str


def _segments(t_s: np.ndarray, length_s: float) -> np.ndarray:
    """Segment label of each reading: disjoint spans of ``length_s`` from the first reading."""
    return np.floor((t_s - t_s.min()) / length_s).astype(int)


def _merge_thin(labels: np.ndarray, obs: Observations, cfg: LocateConfig) -> np.ndarray:
    """Merge segments with fewer than ``min_positions`` distinct positions into their predecessor
    (the first into its successor); relabel 0..K−1."""
    labels = labels.copy()
    while True:
        ids = np.unique(labels)
        thin = [
            s
            for s in ids
            if distinct_positions(obs.east_m[labels == s], obs.north_m[labels == s], cfg.min_separation_m)
            < cfg.min_positions
        ]
        if not thin or len(ids) == 1:
            return np.unique(labels, return_inverse=True)[1].ravel()
        s = thin[0]
        k = int(np.searchsorted(ids, s))
        labels[labels == s] = ids[k - 1] if k > 0 else ids[k + 1]


def _segment_residuals(
    theta: np.ndarray, obs: Observations, labels: np.ndarray, k: int, cfg: LocateConfig
) -> np.ndarray:
    xs, ys, a, n = theta[:k], theta[k : 2 * k], theta[2 * k], theta[2 * k + 1]
    d2 = np.maximum((xs[labels] - obs.cell_east_m) ** 2 + (ys[labels] - obs.cell_north_m) ** 2, cfg.min_distance_m**2)
    r = obs.whiten @ (obs.cell_power_db - a + 5.0 * n * np.log10(d2))
    lam = exponent_prior_weight(cfg)
    return np.append(r, np.sqrt(lam) * (n - cfg.exponent_prior)) if lam else r


def _moving_test(
    obs: Observations, fixed: Estimate, seg: list[Estimate | Refusal], labels: np.ndarray, cfg: LocateConfig
) -> tuple[bool, float, float, float]:
    """F test of one position against one position per segment (shared A, n); ``labels`` gives each
    cell's segment. Returns (moving, F, p, largest shift between segment positions)."""
    k = len(seg)
    fx, fy = (float(v) for v in enu_from_lat_lon(fixed.lat_deg, fixed.lon_deg, obs.lat0_deg, obs.lon0_deg))
    theta0 = np.array([fx, fy, fixed.tx_term_db, fixed.exponent])
    r0 = least_squares_fit(obs, theta0, cfg, "linear")
    rss0 = 2.0 * r0.cost
    xs, ys = np.full(k, fx), np.full(k, fy)
    for i, s in enumerate(seg):
        if isinstance(s, Estimate):
            xs[i], ys[i] = (float(v) for v in enu_from_lat_lon(s.lat_deg, s.lon_deg, obs.lat0_deg, obs.lon0_deg))
    lo, hi = cfg.exponent_bounds
    hi = max(hi, lo + 1e-9)
    p1 = 2 * k + 2
    start = np.concatenate((xs, ys, [r0.x[2], np.clip(r0.x[3], lo, hi)]))
    r1 = optimize.least_squares(
        _segment_residuals,
        start,
        args=(obs, labels, k, cfg),
        method="trf",
        x_scale="jac",
        bounds=(np.r_[np.full(p1 - 1, -np.inf), lo], np.r_[np.full(p1 - 1, np.inf), hi]),
        max_nfev=400,
    )
    rss1 = min(2.0 * r1.cost, rss0)
    df1, df2 = 2 * k - 2, max(obs.n_cells - p1, 1)
    f = ((rss0 - rss1) / df1) / max(rss1 / df2, 1e-12)
    p = float(stats.f.sf(f, df1, df2))
    xs, ys = r1.x[:k], r1.x[k : 2 * k]
    shift = float(spatial.distance.pdist(np.column_stack((xs, ys))).max())
    # Practical significance: the segment fits must disagree by more than their own uncertainty.
    radii = [s.radius_m for s in seg if isinstance(s, Estimate)]
    guard = float(np.median(radii)) if radii else np.inf
    return bool(p < cfg.moving_alpha and shift > guard), float(f), p, shift


def track(
    readings: Iterable[Reading] | Sequence[Sequence[float]] | np.ndarray, config: LocateConfig | None = None
) -> Track:
    """Estimates over sliding windows (``window_s`` long, every ``step_s``) and a moving test.

    The test splits the readings into disjoint segments of ``window_s`` (segments with too few
    distinct positions are merged with a neighbour) and compares, by an F test on nested least
    squares, one position for all readings with one position per segment (transmit term and
    exponent shared: the same device in the same kind of streets). ``moving`` is True when the test
    rejects a fixed position at ``moving_alpha`` and the segment positions are further apart than
    the median radius of the segment estimates; None when fewer than two segments can be fitted.
    """
    cfg = config or LocateConfig()
    a = readings_arrays(readings)
    a = a[np.all(np.isfinite(a), axis=1) & (a[:, 4] > 0)]
    a = a[np.argsort(a[:, 3], kind="stable")]
    points = []
    if len(a):
        t0, t1 = float(a[0, 3]), float(a[-1, 3])
        n_win = max(int(np.ceil(max(t1 - t0 - cfg.window_s, 0.0) / cfg.step_s)) + 1, 1)
        for w in range(n_win):
            ws = t0 + w * cfg.step_s
            sel = (a[:, 3] >= ws) & (a[:, 3] < ws + cfg.window_s) if w < n_win - 1 else (a[:, 3] >= ws)
            points.append(TrackPoint(ws, min(ws + cfg.window_s, t1), locate(a[sel], cfg)))
    fixed = locate(a, cfg)
    method = (
        f"sliding windows of {cfg.window_s:g} s every {cfg.step_s:g} s; moving test: F test, one position vs "
        f"one per {cfg.window_s:g} s segment (shared A, n), alpha {cfg.moving_alpha:g}, "
        "and segment positions apart by more than their median radius"
    )
    none = Track(tuple(points), fixed, None, None, None, None, method)
    if not isinstance(fixed, Estimate):
        return none
    keep = np.setdiff1d(np.arange(len(a)), fixed.rejected)
    base = plane_observations(a[keep], keep, cfg)
    labels = _merge_thin(_segments(base.t_s, cfg.window_s), base, cfg)
    k = int(labels.max()) + 1
    obs = plane_observations(a[keep], keep, cfg, origin=(base.lat0_deg, base.lon0_deg), key=labels)
    if k < 2 or obs.n_cells <= 2 * k + 2:
        return none
    cell_label = np.empty(obs.n_cells, dtype=int)
    cell_label[obs.cell_of] = labels
    seg = [locate(a[keep][labels == s], cfg) for s in range(k)]
    moving, f, p, shift = _moving_test(obs, fixed, seg, cell_label, cfg)
    return replace(none, moving=moving, f_statistic=f, p_value=p, shift_m=shift)
