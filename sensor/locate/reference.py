"""Shadowing the receiver shares with every transmitter, measured on the real cells heard beside a fake.

Shadowing is not all the transmitter's: part of it is the receiver's surroundings (the street canyon
the car is in, the building beside it, its own roof and antenna), and that part is the same for every
transmitter heard at that place. The usual model (Gudmundson's autocorrelation plus a cross-site
correlation; SEAMCAT and 3GPP system simulations, e.g. TR 25.942 / 36.942, use 0.5) splits a
reading's shadowing into

    X_ij = Z_i + Y_ij,    Z_i ~ N(0, s_c²) common to every transmitter j at position i,
                          Y_ij ~ N(0, σ_j² − s_c²) the path's own.

The sensor hears the real cells in the same scan cycle as the fake one. Each real cell's readings
along the drive, less a smooth trend (the best log-distance curve from an unknown site: a macro cell
hundreds of metres to kilometres away changes slowly and smoothly across the drive, while shadowing
decorrelates within ~50 m), are samples of Z_i + Y_ij. Their covariance between *different* cells
at the same position estimates s_c² from the data (no assumed ratio: with no common part the
estimate is ~0, fails the significance test below, and nothing changes), and at each of the fake's
readings the Gaussian conditional mean of Z_i given the J real cells' residuals there,

    Ẑ_i = s_c² · Σ_j r_ij / v'_j  /  (1 + s_c² · Σ_j 1 / v'_j),   v'_j = v_j − s_c²,

with posterior variance s_c² / (1 + s_c² · Σ_j 1/v'_j), is subtracted from the fake's power. What
remains of the fake's shadowing is its own part plus that posterior variance: the fit
(:func:`sensor.locate.fit.locate`) then runs with a smaller nominal σ.

Pairing: a real cell's reading belongs to a fake reading when it was taken within ``match_s`` and
``match_m`` of it (the same scan cycle of the same car). Cells with fewer than ``min_readings``
paired readings are not used; with fewer than two usable cells s_c² cannot be told from the cells'
own shadowing, and no correction is made. Nor is one made unless the mean cross product is at least
``min_t`` (3) standard errors above zero, counted over blocks of ``block_m`` (50 m, the shadowing's
decorrelation distance: readings closer than that are not independent samples).

Limits: the trend ignores the real cells' positions (the collector does not know them), and part of
Z that is smooth across the drive is absorbed by each cell's trend and cannot be seen: s_c² comes
out below the true common variance, and the correction takes off only what it sees. A receiver gain
step common to all cells (dBFS readings) is absorbed like shadowing, which is what the fit wants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import least_squares

from sensor.locate.enu import enu_from_lat_lon
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.model import LocateConfig
from sensor.locate.observations import Reading, readings_arrays


@dataclass(frozen=True, slots=True)
class CommonShadowing:
    """The receiver-side shadowing estimated at each of a transmitter's readings."""

    correction_db: np.ndarray  # per target reading: Ẑ_i (0 where no real cell was paired)
    posterior_var_db2: np.ndarray  # per target reading: what is left unknown of Z_i (s_c² where unpaired)
    common_var_db2: float  # s_c², estimated from the real cells
    references: int  # real cells used
    corrected: int  # target readings with at least two paired cells

    def corrected_rows(self, rows: np.ndarray) -> np.ndarray:
        """``rows`` (lat, lon, power, t[, weight]) with the common shadowing taken off the power."""
        out = np.array(rows, dtype=np.float64, copy=True)
        out[:, 2] -= self.correction_db
        return out

    def remaining_sigma_db(self, nominal_sigma_db: float) -> float:
        """The nominal shadowing σ of the corrected readings: the transmitter's own part plus what
        the correction left unknown (averaged over the readings)."""
        var = nominal_sigma_db**2 - self.common_var_db2 + float(np.mean(self.posterior_var_db2))
        return float(np.sqrt(max(var, 0.25 * nominal_sigma_db**2)))


TREND_EXPONENT = 3.5  # the trend's path-loss exponent (its site distance absorbs the true one's)


def _trend_residuals(e: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray | None:
    """Power less the best log-distance trend a − 10·n·log10|x − site| over the positions (site and
    a fitted, n fixed at ``TREND_EXPONENT``: for a site far from the drive the exponent and the
    distance trade off, so fitting both only adds a degree of freedom), robust (soft-L1) so a few
    outliers do not bend it; None with too few readings. The fit starts from the plane through the
    readings: the site lies up its gradient, at the distance where the log-distance slope matches."""
    if len(p) < 12:
        return None
    e0, n0 = float(e.mean()), float(n.mean())
    plane, *_ = np.linalg.lstsq(np.column_stack((np.ones_like(e), e - e0, n - n0)), p, rcond=None)
    k = 10.0 * TREND_EXPONENT / np.log(10.0)
    slope = float(np.hypot(plane[1], plane[2]))
    if slope > 1e-9:
        site = np.array([e0, n0]) + plane[1:] / slope * float(np.clip(k / slope, 200.0, 20_000.0))
    else:  # flat: a site far away in any direction
        site = np.array([e0 + 20_000.0, n0])

    def residual(q: np.ndarray) -> np.ndarray:
        return p - (q[0] - k * np.log(np.maximum(np.hypot(e - q[1], n - q[2]), 1.0)))

    q0 = np.array([0.0, *site])
    q0[0] = float(np.mean(p + k * np.log(np.maximum(np.hypot(e - site[0], n - site[1]), 1.0))))
    return residual(least_squares(residual, q0, loss="soft_l1", f_scale=6.0, max_nfev=200).x)


def _pair(
    t_s: np.ndarray,
    e: np.ndarray,
    n: np.ndarray,
    ref: np.ndarray,
    lat0: float,
    lon0: float,
    match_s: float,
    match_m: float,
) -> np.ndarray:
    """For each target reading (times ``t_s``, positions ``e``/``n``), the index of the ``ref`` row
    taken within ``match_s`` and ``match_m`` of it (the nearest by Δt + Δd/match_m), or −1. Time
    windows by binary search: memory grows with the readings, not with their product."""
    out = np.full(len(t_s), -1)
    if not len(ref):
        return out
    order = np.argsort(ref[:, 3], kind="stable")
    rt = ref[order, 3]
    re, rn = enu_from_lat_lon(ref[order, 0], ref[order, 1], lat0, lon0)
    lo = np.searchsorted(rt, t_s - match_s, side="left")
    width = np.searchsorted(rt, t_s + match_s, side="right") - lo
    best = np.full(len(t_s), np.inf)
    for k in range(int(width.max(initial=0))):
        on = width > k
        j = lo[on] + k
        d = np.hypot(e[on] - re[j], n[on] - rn[j])
        cost = np.abs(t_s[on] - rt[j]) + d / match_m
        better = (d <= match_m) & (cost < best[on])
        idx = np.flatnonzero(on)[better]
        best[idx] = cost[better]
        out[idx] = order[j[better]]
    return out


def _significance(q: np.ndarray, e: np.ndarray, n: np.ndarray, block_m: float) -> float:
    """How many standard errors the mean of ``q`` (per position: the mean product of two different
    cells' residuals) is above zero, over blocks of ``block_m`` (the shadowing's decorrelation
    distance: readings closer than that are not independent, a stopped car's ten even less);
    0 with fewer than three blocks."""
    _, block = np.unique(np.column_stack((np.floor(e / block_m), np.floor(n / block_m))), axis=0, return_inverse=True)
    block = block.ravel()
    means = np.bincount(block, weights=q) / np.bincount(block)
    if len(means) < 3:
        return 0.0
    se = float(np.std(means, ddof=1)) / np.sqrt(len(means))
    return float(np.mean(means)) / se if se > 0 else 0.0


def common_shadowing(
    target: np.ndarray,
    references: Sequence[np.ndarray],
    *,
    match_s: float = 10.0,
    match_m: float = 20.0,
    min_readings: int = 12,
    min_t: float = 3.0,
    block_m: float = 50.0,
) -> CommonShadowing:
    """The common shadowing at each row of ``target`` from the real cells' readings ``references``
    (one array per cell; rows of both: lat, lon, power, t[, weight]). See the module text."""
    target = np.asarray(target, dtype=np.float64)
    m = len(target)
    none = CommonShadowing(np.zeros(m), np.zeros(m), 0.0, 0, 0)
    if m == 0 or len(references) < 2:
        return none
    lat0, lon0 = float(np.mean(target[:, 0])), float(np.mean(target[:, 1]))
    te, tn = enu_from_lat_lon(target[:, 0], target[:, 1], lat0, lon0)
    paired = []  # per usable cell: (its trend residual at each target reading, NaN where none; its variance)
    for ref in references:
        ref = np.asarray(ref, dtype=np.float64)
        if ref.ndim != 2 or ref.shape[1] < 4 or len(ref) < min_readings:
            continue
        ref = ref[np.all(np.isfinite(ref[:, :4]), axis=1)]
        pick = _pair(target[:, 3], te, tn, ref, lat0, lon0, match_s, match_m)
        used = np.unique(pick[pick >= 0])
        if len(used) < min_readings:
            continue
        re, rn = enu_from_lat_lon(ref[used, 0], ref[used, 1], lat0, lon0)
        r = _trend_residuals(re, rn, ref[used, 2])  # the trend over the readings paired, not the whole city
        if r is None:
            continue
        col = np.full(m, np.nan)
        col[pick >= 0] = r[np.searchsorted(used, pick[pick >= 0])]
        paired.append((col, float(np.mean(r**2))))
    if len(paired) < 2:
        return none
    r = np.array([col for col, _ in paired])  # (J, m)
    v = np.array([var for _, var in paired])  # each cell's residual variance over all its readings
    have = np.isfinite(r)
    r0 = np.where(have, r, 0.0)
    k = have.sum(axis=0)
    both = k >= 2
    if not both.any():
        return none
    # mean product over pairs of different cells at one position: (Σr)² − Σr² = 2·Σ_{j<k} r_j·r_k
    pair_sum = (r0.sum(axis=0) ** 2 - (r0**2).sum(axis=0))[both]
    pairs = (k * (k - 1))[both]
    s_c2 = float(np.clip(pair_sum.sum() / pairs.sum(), 0.0, 0.9 * float(np.median(v))))
    if s_c2 <= 0.0 or not _significance(pair_sum / pairs, te[both], tn[both], block_m) >= min_t:
        return CommonShadowing(np.zeros(m), np.zeros(m), 0.0, len(paired), 0)
    own = np.maximum(v - s_c2, 0.1 * s_c2)  # a cell's own shadowing (and trend misfit)
    inv = np.where(have, 1.0 / own[:, None], 0.0)
    denom = 1.0 + s_c2 * inv.sum(axis=0)
    z = s_c2 * (r0 * inv).sum(axis=0) / denom
    post = s_c2 / denom
    z = np.where(both, z, 0.0)
    post = np.where(both, post, s_c2)
    return CommonShadowing(z, post, s_c2, len(paired), int(both.sum()))


def locate_among(
    target: Iterable[Reading] | Sequence[Sequence[float]] | np.ndarray,
    references: Sequence[Iterable[Reading] | Sequence[Sequence[float]] | np.ndarray],
    config: LocateConfig | None = None,
) -> Estimate | Refusal:
    """:func:`~sensor.locate.fit.locate` of ``target`` after the receiver-side shadowing that the real
    cells ``references`` (their readings by the same sensors) reveal is taken off, with the nominal σ
    lowered to what is left; plain ``locate`` when they reveal none."""
    cfg = config or LocateConfig()
    a = readings_arrays(target)
    cs = common_shadowing(a, [readings_arrays(r) for r in references if len(r)])
    if cs.corrected == 0:
        return locate(a, cfg)
    sigma = cs.remaining_sigma_db(cfg.nominal_sigma_db)
    est = locate(cs.corrected_rows(a), replace(cfg, nominal_sigma_db=sigma))
    if isinstance(est, Estimate):
        est = replace(
            est,
            method=(
                f"{est.method}; receiver-side shadowing ({np.sqrt(cs.common_var_db2):.1f} dB of the "
                f"{cfg.nominal_sigma_db:g} dB) taken off {cs.corrected} readings from {cs.references} real cells "
                f"heard alongside, nominal σ {sigma:.1f} dB"
            ),
        )
    return est
