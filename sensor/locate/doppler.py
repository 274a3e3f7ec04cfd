"""The frequency side of the joint fit (``joint.py``): what a moving receiver's carrier readings
say about a transmitter's position.

A receiver moving with velocity v sees a transmitter in unit direction û shifted by
f_d = (v·û)/λ (:func:`doppler_hz`). The readings' frequencies also carry the receiver's oscillator
walk, common to every cell one run hears, and the suspect's own offset and drift; this module
estimates the walk from the real cells heard alongside (their positions fitted on a polar grid, then
jointly: :func:`_reference_positions`), marginalises the walks (Brownian covariance), profiles the
constant offsets out by generalised least squares and leaves a quadratic form in the suspect's
predicted Doppler (:class:`_DopplerForm`), which ``joint.py`` adds to the power profile. The model
and its equations are in ``joint.py``'s docstring; :class:`JointConfig` holds the knobs of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensor.locate.model import LocateConfig

SPEED_OF_LIGHT_M_S = 299_792_458.0


@dataclass(frozen=True, slots=True)
class JointConfig:
    """Knobs of :func:`locate_joint` beyond the power model's (``power``)."""

    power: LocateConfig = field(default_factory=LocateConfig)
    min_speed_m_s: float = 1.0  # readings slower than this carry no bearing information
    min_moving_readings: int = 3
    receiver_drift_ppm_per_min: float = 0.02  # the receiver's oscillator random walk, ppm per √minute
    fake_drift_ppm_per_min: float = 0.01  # the suspect's free-running crystal
    threshold_scale: float = 1.0  # on χ²₂(0.95): calibration of the joint region (bench/bench_locate.py)
    reference_grid_bearings: int = 36
    reference_grid_ranges_m: tuple[float, float, int] = (150.0, 8000.0, 12)


def velocity_en(speed_m_s: np.ndarray, heading_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) velocity from speed and heading (clockwise from true north); standing still
    (speed 0) needs no heading."""
    h = np.radians(np.where(speed_m_s == 0.0, 0.0, heading_deg))
    return speed_m_s * np.sin(h), speed_m_s * np.cos(h)


def _known_velocity(speed_m_s: np.ndarray, heading_deg: np.ndarray) -> np.ndarray:
    """Rows whose velocity is known: a speed, and a heading unless standing still."""
    return np.isfinite(speed_m_s) & ((speed_m_s == 0.0) | np.isfinite(heading_deg))


def doppler_hz(
    x: np.ndarray, y: np.ndarray, east_m: np.ndarray, north_m: np.ndarray, ve: np.ndarray, vn: np.ndarray,
    carrier_hz: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """f_d = (v·û)/λ of transmitters at (x, y) (arrays of shape (G, 1) or scalars) seen from the
    readings (east, north, velocity): shape (G, N)."""
    de, dn = x - east_m, y - north_m
    d = np.maximum(np.hypot(de, dn), 1.0)
    return (ve * de + vn * dn) / d * (carrier_hz / SPEED_OF_LIGHT_M_S)


def _walk_q(ppm_per_min: float, carrier_hz: float) -> float:
    """Variance rate (Hz² per s) of a random walk of ``ppm_per_min`` ppm per √minute."""
    return (ppm_per_min * 1e-6 * carrier_hz) ** 2 / 60.0


@dataclass(frozen=True, slots=True, eq=False)
class _FreqSystem:
    """Frequency readings as a GLS system: whitened, projected orthogonal to their constants."""

    east_m: np.ndarray
    north_m: np.ndarray
    ve: np.ndarray
    vn: np.ndarray
    carrier_hz: np.ndarray
    whiten: np.ndarray  # K
    basis: np.ndarray  # orthonormal basis of K·X (the whitened constants)
    y: np.ndarray  # K·(f − per-constant centre)
    dof: int

    def project(self, v: np.ndarray) -> np.ndarray:
        """P⊥·v for v of shape (N,) or (N, k)."""
        return v - self.basis @ (self.basis.T @ v)


def _overlapping_runs(t_s: np.ndarray, run: np.ndarray) -> list[np.ndarray]:
    """The rows of each set of runs whose time spans overlap (chained), in time order of their
    starts. Runs apart in time share nothing a fit can use (``_freq_system``): their blocks of the
    covariance are kept apart, as cheap as one block per run."""
    ids = np.unique(run)
    spans = sorted((float(t_s[run == k].min()), float(t_s[run == k].max()), k) for k in ids)
    sets: list[list[float]] = []
    end = -np.inf
    for start, stop, k in spans:
        if start > end:  # after every run so far: a set of its own
            sets.append([k])
            end = stop
        else:
            sets[-1].append(k)
            end = max(end, stop)
    return [np.nonzero(np.isin(run, ks))[0] for ks in sets]


def _freq_system(
    east_m: np.ndarray, north_m: np.ndarray, t_s: np.ndarray, f_hz: np.ndarray, sd_hz: np.ndarray,
    ve: np.ndarray, vn: np.ndarray, run: np.ndarray, cell: np.ndarray, drifts: np.ndarray, q_rx: float,
) -> _FreqSystem:  # fmt: skip
    """The GLS system of frequency readings of cells ``cell`` (one free constant per cell and run),
    the receiver's walk (``q_rx``) common to a run, each row's own walk rate in ``drifts``.

    A run's receiver walks on its own (one car's crystal): covariance q_rx·min(τ_i, τ_j) within the
    run, τ from its first reading, none between runs. A cell's own walk (the suspect's crystal) is
    one process whatever car listens: q·min(t_i, t_j) on the readings' common clock, across runs.
    Runs one after the other gain nothing from that (each run's free constant takes up where the
    walk had gone by its start), so sets of runs apart in time are kept in blocks of their own
    (``_overlapping_runs``); runs at the same time see the same wander, which the fit then tells
    from their different Doppler."""
    from scipy import linalg

    n = len(f_hz)
    k_mat = np.zeros((n, n))
    for m in _overlapping_runs(t_s, run):  # K is block-diagonal, one block per set of overlapping runs
        _, run_i = np.unique(run[m], return_inverse=True)
        run_i = run_i.ravel()
        t = t_s[m]
        run_start = np.full(run_i.max() + 1, np.inf)
        np.minimum.at(run_start, run_i, t)
        tau = t - run_start[run_i]
        c = np.where(run_i[:, None] == run_i[None, :], q_rx * np.minimum(tau[:, None], tau[None, :]), 0.0)
        tg = t - t.min()
        own = np.where(cell[m][:, None] == cell[m][None, :], np.sqrt(np.outer(drifts[m], drifts[m])), 0.0)
        c += own * np.minimum(tg[:, None], tg[None, :])
        c[np.diag_indices_from(c)] += sd_hz[m] ** 2 + 1e-9
        low = linalg.cholesky(c, lower=True)
        k_mat[np.ix_(m, m)] = linalg.solve_triangular(low, np.eye(len(m)), lower=True)
    _, groups = np.unique(np.column_stack((cell, run)), axis=0, return_inverse=True)
    groups = groups.ravel()
    x = np.zeros((n, groups.max() + 1))
    x[np.arange(n), groups] = 1.0
    centre = (np.bincount(groups, f_hz) / np.bincount(groups))[groups]  # keeps the numbers small
    q, _ = np.linalg.qr(k_mat @ x)
    carrier = np.where(np.isfinite(f_hz), f_hz, 0.0)
    return _FreqSystem(east_m, north_m, ve, vn, carrier, k_mat, q, k_mat @ (f_hz - centre), n - x.shape[1])


def _reference_positions(sys_: _FreqSystem, cell: np.ndarray, cfg: JointConfig) -> np.ndarray:
    """Positions (J, 2) of the real cells from their frequencies: each from a polar grid alone, then
    all jointly (the receiver's walk is common to them)."""
    ids = np.unique(cell)
    cx, cy = float(np.mean(sys_.east_m)), float(np.mean(sys_.north_m))
    lo, hi, k = cfg.reference_grid_ranges_m
    b = np.linspace(0.0, 2 * np.pi, cfg.reference_grid_bearings, endpoint=False)
    rr = np.geomspace(lo, hi, k)
    gx = (cx + np.outer(rr, np.sin(b))).ravel()
    gy = (cy + np.outer(rr, np.cos(b))).ravel()
    r0 = sys_.project(sys_.y)
    starts = []
    for j in ids:
        m = cell == j
        d = doppler_hz(
            gx[:, None], gy[:, None], sys_.east_m[m], sys_.north_m[m], sys_.ve[m], sys_.vn[m], sys_.carrier_hz[m]
        )
        res = r0[:, None] - sys_.project(sys_.whiten[:, m] @ d.T)
        i = int(np.argmin(np.einsum("ij,ij->j", res, res)))
        starts.append((gx[i], gy[i]))
    theta0 = np.array(starts, dtype=np.float64).ravel()

    def residual(theta: np.ndarray) -> np.ndarray:
        return r0 - sys_.project(sys_.whiten @ _reference_doppler(theta, sys_, cell, ids))

    from scipy import optimize

    fit = optimize.least_squares(residual, theta0, x_scale=200.0, max_nfev=60 * len(theta0), xtol=1e-4)
    return fit.x.reshape(-1, 2)


def _reference_doppler(theta: np.ndarray, sys_: _FreqSystem, cell: np.ndarray, ids: np.ndarray) -> np.ndarray:
    pos = theta.reshape(-1, 2)
    out = np.zeros(len(cell))
    for i, j in enumerate(ids):
        m = cell == j
        out[m] = doppler_hz(
            pos[i, 0], pos[i, 1], sys_.east_m[m], sys_.north_m[m], sys_.ve[m], sys_.vn[m], sys_.carrier_hz[m]
        )
    return out


@dataclass(frozen=True, slots=True, eq=False)
class _DopplerForm:
    """RSS_doppler(x, y) = c0 − 2·d·b + dᵀH d for the suspect's predicted Doppler d at (x, y)."""

    east_m: np.ndarray
    north_m: np.ndarray
    ve: np.ndarray
    vn: np.ndarray
    carrier_hz: np.ndarray
    h: np.ndarray
    b: np.ndarray
    c0: float
    dof: int

    def rss(self, x: np.ndarray, y: np.ndarray, chunk: int = 2048) -> np.ndarray:
        gx, gy = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
        out = np.empty(gx.size)
        for s in range(0, gx.size, chunk):
            d = doppler_hz(
                gx[s : s + chunk, None], gy[s : s + chunk, None], self.east_m, self.north_m, self.ve, self.vn,
                self.carrier_hz,
            )  # fmt: skip
            out[s : s + chunk] = self.c0 - 2.0 * d @ self.b + np.einsum("ij,ij->i", d @ self.h, d)
        return np.maximum(out, 0.0).reshape(np.shape(x))


def _doppler_form(
    sus: np.ndarray, e: np.ndarray, n: np.ndarray, refs: np.ndarray, re: np.ndarray, rn: np.ndarray,
    cfg: JointConfig,
) -> tuple[_DopplerForm, int]:  # fmt: skip
    """The suspect's Doppler quadratic form, with the real cells' Doppler (fitted) and the
    receiver's walk taken off; and how many real cells it used."""
    ok = np.isfinite(sus[:, 5]) & np.isfinite(sus[:, 6]) & (sus[:, 6] > 0) & _known_velocity(sus[:, 7], sus[:, 8])
    s_ve, s_vn = velocity_en(np.where(ok, sus[:, 7], 0.0), np.where(ok, sus[:, 8], 0.0))
    carrier = float(np.nanmedian(sus[ok, 5]))
    q_rx = _walk_q(cfg.receiver_drift_ppm_per_min, carrier)
    q_fake = _walk_q(cfg.fake_drift_ppm_per_min, carrier)
    # rows: the suspect's (cell −1) then the real cells'; only runs the suspect has
    runs = np.unique(sus[ok, 9])
    rok = (
        np.isin(refs[:, 7], runs) & np.isfinite(refs[:, 3]) & (refs[:, 4] > 0) & _known_velocity(refs[:, 5], refs[:, 6])
    )
    rcell = refs[rok, 8].astype(np.int64) if len(refs) else np.empty(0, np.int64)
    # a real cell heard fewer than 4 times in all tells little and costs two unknowns
    keep = np.isin(rcell, [c for c in np.unique(rcell) if np.sum(rcell == c) >= 4])
    r = refs[rok][keep]
    rcell = rcell[keep]
    r_ve, r_vn = velocity_en(r[:, 5], r[:, 6])
    east = np.concatenate((e[ok], re[rok][keep]))
    north = np.concatenate((n[ok], rn[rok][keep]))
    t = np.concatenate((sus[ok, 3], r[:, 2]))
    f = np.concatenate((sus[ok, 5], r[:, 3]))
    sd = np.concatenate((sus[ok, 6], r[:, 4]))
    ve = np.concatenate((s_ve[ok], r_ve))
    vn = np.concatenate((s_vn[ok], r_vn))
    run = np.concatenate((sus[ok, 9], r[:, 7]))
    cell = np.concatenate((np.full(ok.sum(), -1), rcell))
    drifts = np.where(cell < 0, q_fake, 0.0)
    full = _freq_system(east, north, t, f, sd, ve, vn, run, cell, drifts, q_rx)
    n_sus = int(ok.sum())
    r0 = full.y.copy()
    if len(rcell):
        rm = cell >= 0
        ref_only = _freq_system(east[rm], north[rm], t[rm], f[rm], sd[rm], ve[rm], vn[rm], run[rm], cell[rm],
                                drifts[rm], q_rx)  # fmt: skip
        pos = _reference_positions(ref_only, cell[rm], cfg)
        d_ref = np.zeros(len(cell))
        d_ref[rm] = _reference_doppler(pos.ravel(), ref_only, cell[rm], np.unique(cell[rm]))
        r0 = r0 - full.whiten @ d_ref
    r0 = full.project(r0)
    m = full.project(full.whiten[:, :n_sus])  # P⊥·K·E: the suspect's rows
    form = _DopplerForm(
        e[ok], n[ok], s_ve[ok], s_vn[ok], full.carrier_hz[:n_sus], m.T @ m, m.T @ r0, float(r0 @ r0),
        max(full.dof - 2 * len(np.unique(rcell)) - 2, 1),
    )  # fmt: skip
    return form, len(np.unique(rcell))
