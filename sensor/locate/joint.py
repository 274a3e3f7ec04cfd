"""Locating one transmitter from received power and the Doppler of a moving receiver together.

``fit.py`` locates from power alone; power is a weak ruler in a city (6–8 dB of shadowing). A
patrol car moves: a receiver moving with velocity v sees a transmitter in unit direction û (from
the receiver to the transmitter) shifted by f_d = (v·û)/λ (``sensor/sim/offsets.py``'s convention:
approaching raises the carrier; at 950 MHz 3.17 Hz per m/s of closing speed). Along a curving route
the history of f_d fixes the bearings to the transmitter whatever the shadowing.

Frequency model
---------------
Every frequency reading (the carrier measured from a reading's FCCH bursts, ``freq_hz`` with its
stated ``freq_sd_hz``) of cell ``j`` taken by receiver run ``k`` (one car's receiver: its own
oscillator) at time t is

    f = c_jk + (v·û_j)/λ + w_j(t) − r_k(t) + e,   e ~ N(0, sd²)

with c_jk the cell's nominal carrier plus its static offset less the receiver's static error (one
free constant per cell and run), r_k the receiver's oscillator drift (a random walk of
``receiver_drift_ppm_per_min`` ppm per √minute, common to every cell that run hears), w_j the
cell's own drift: none for a real operator's cell (locked to 0.05 ppm), a random walk of
``fake_drift_ppm_per_min`` for the suspect's free-running crystal. The walks are marginalised
(Brownian covariance: the receiver's q·min(τ_i, τ_j) within a run, τ from the run's first reading,
the runs' receivers independent; the suspect's q·min(t_i, t_j) on the readings' common clock across
runs, one crystal whatever car listens: cars searching at the same time see the same wander, and
their different Doppler tells it apart, while a run after another gains nothing from it, its free
constant taking up where the walk had gone), the constants profiled out by generalised least
squares: whitening K (K·C·Kᵀ = I for the readings' covariance C) and projection orthogonal to the
whitened constants. What is left of the frequencies is a quadratic form in the predicted Doppler.

Receiver drift from the real cells
----------------------------------
The real cells heard on the same tunings (``references``) stand still and do not drift: they show
the receiver's walk r_k, jointly with their own Doppler, whose (far, slowly turning) bearings are
modelled by each real cell's position, two unknowns per cell. Each cell is started from the best
node of a polar grid around the drive (its frequencies alone, the receiver's walk as correlated
noise), then all cells' positions are refined jointly (their frequencies together: the walk is
common, ``scipy.optimize.least_squares``). The suspect's frequencies then enter the same system,
the real cells' Doppler fixed at that fit, so the receiver's walk known from them is taken off the
suspect's readings with exactly the uncertainty it has.

Joint objective, censored readings, region
-----------------------------------------
On a grid of candidate positions (x, y)

    J(x, y) = RSS_power(x, y) / s_p² + RSS_doppler(x, y) / s_d² + Σ_m −2·ln Φ((S_m − μ_m(x, y)) / s_p)

RSS_power is ``model.profile_rss`` (A and n profiled, correlated shadowing, the exponent prior), s_p²
the power residual variance pooled with the nominal σ as in ``fit.py``; RSS_doppler the generalised
residual sum of squares of the frequencies (in units of their stated variance), s_d² = max(1, its
residual variance); the last sum is the censored readings: positions where the suspect's ARFCN was
searched and it was not heard (``missed``), each saying its power was below the sensitivity S_m there
(μ_m the model's mean power at that grid node's A and n). The estimate is J's minimum (coarse grid,
then fine grids, then Nelder–Mead); the 95 % region is every position with
J ≤ J_min + ``threshold_scale`` · χ²₂(0.95), the scale calibrated on bench/bench_locate.py's
searches (see bench/README.md); its parts, radius, ellipse and mirror flag as ``fit.py``.

Guidance
--------
``next_look`` is the point where one more leg adds the most bearing information: for each of
``guidance``'s candidate points and a leg of ``LEG_M`` through it east-west or north-south, the
Fisher information about (x, y) of that leg's Doppler (its own carrier offset a nuisance) and power
(:func:`leg_information`), added to the inverse of the region's covariance; the leg leaving the
smallest trace of the inverse wins. A leg driven straight at the transmitter adds no Doppler
information (its bearing does not change), one passing it near adds most.

Refusals and fallback
---------------------
No reading of the suspect taken while moving (speed ≥ ``min_speed_m_s``) with a frequency: there is
no bearing information and the result is ``fit.locate``'s on the power readings, unchanged (the same
figures; a refusal's reason then says "no bearing information: parked" first). Otherwise refusals
say why: too few distinct positions or too little spread (as ``fit.py``), or the joint region
reaching beyond ``max_radius_m``.

Limits: one fixed transmitter (``moving.track`` follows a moving one from power); censored readings
are taken as independent of the heard ones' shadowing; the real cells are taken as omnidirectional
point sources at rest; the drift rates are configuration, not estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sensor.locate.doppler import SPEED_OF_LIGHT_M_S, JointConfig, _doppler_form, _DopplerForm
from sensor.locate.enu import enu_from_lat_lon, lat_lon_from_enu
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.guidance import NextLook
from sensor.locate.model import LocateConfig, plane_observations, profile_at
from sensor.locate.observations import distinct_positions
from sensor.locate.region import mapped_region, reaches_edge

CHI2_2_95 = 5.991464547107979  # χ²₂ quantile at 0.95

# columns of a suspect's reading row
SUSPECT_COLUMNS = ("lat_deg", "lon_deg", "power_db", "t_s", "weight", "freq_hz", "freq_sd_hz", "speed_m_s",
                   "heading_deg", "run")  # fmt: skip
# columns of a real cell's frequency reading row
REFERENCE_COLUMNS = ("lat_deg", "lon_deg", "t_s", "freq_hz", "freq_sd_hz", "speed_m_s", "heading_deg", "run")
# columns of a censored reading ("searched there, not heard")
MISSED_COLUMNS = ("lat_deg", "lon_deg", "t_s", "sensitivity_db")


def _rows(a: Sequence[Sequence[float]] | np.ndarray, cols: int, name: str) -> np.ndarray:
    out = np.asarray(a, dtype=np.float64)
    if out.size == 0:
        return np.empty((0, cols))
    if out.ndim != 2 or out.shape[1] != cols:
        raise ValueError(f"{name} need {cols} columns, got shape {out.shape}")
    return out


@dataclass(frozen=True, slots=True, eq=False)
class _Joint:
    """J(x, y) on grids: the power profile, the Doppler form and the censored readings."""

    obs: object
    form: _DopplerForm
    missed_e: np.ndarray
    missed_n: np.ndarray
    missed_s: np.ndarray
    cfg: JointConfig
    s_p2: float
    s_d2: float

    def terms(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(J, power RSS, exponent, transmit term) at candidate positions."""
        rss_p, expo, tx = profile_at(x, y, self.obs, self.cfg.power)  # type: ignore[arg-type]
        j = rss_p / self.s_p2 + self.form.rss(x, y) / self.s_d2
        if len(self.missed_e):
            from scipy import special

            d2 = (np.ravel(x)[:, None] - self.missed_e) ** 2 + (np.ravel(y)[:, None] - self.missed_n) ** 2
            d2 = np.maximum(d2, self.cfg.power.min_distance_m**2)
            mu = np.ravel(tx)[:, None] - 5.0 * np.ravel(expo)[:, None] * np.log10(d2)
            cens = -2.0 * special.log_ndtr((self.missed_s - mu) / np.sqrt(self.s_p2)).sum(axis=1)
            j = j + cens.reshape(np.shape(x))
        return j, rss_p, expo, tx


def _grid_axes(e: np.ndarray, n: np.ndarray, cfg: LocateConfig) -> tuple[np.ndarray, np.ndarray]:
    from sensor.locate.fit import _axis

    m = cfg.coarse_margin_m
    reach = cfg.max_radius_m + 500.0
    ea, _ = _axis(e.min() - m, e.max() + m, cfg.coarse_step_m, reach)
    na, _ = _axis(n.min() - m, n.max() + m, cfg.coarse_step_m, reach)
    return ea, na


def _fine_axes(ea: np.ndarray, na: np.ndarray, mask: np.ndarray, points: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(mask)
    i0, i1 = max(rows.min() - 2, 0), min(rows.max() + 2, len(na) - 1)
    j0, j1 = max(cols.min() - 2, 0), min(cols.max() + 2, len(ea) - 1)
    step = max(1.0, (ea[j1] - ea[j0]) / points, (na[i1] - na[i0]) / points)
    return (
        ea[j0] + step * np.arange(int(np.ceil((ea[j1] - ea[j0]) / step)) + 1),
        na[i0] + step * np.arange(int(np.ceil((na[i1] - na[i0]) / step)) + 1),
    )


def moving_rows(rows: np.ndarray, cfg: JointConfig) -> np.ndarray:
    """Which suspect rows carry bearing information: a carrier with its sd, taken at ≥ ``min_speed_m_s``
    in a known direction."""
    return (
        np.isfinite(rows[:, 5])
        & (np.nan_to_num(rows[:, 6]) > 0)
        & (np.nan_to_num(rows[:, 7]) >= cfg.min_speed_m_s)
        & np.isfinite(rows[:, 8])
    )


def has_bearing_information(
    readings: Sequence[Sequence[float]] | np.ndarray, config: JointConfig | None = None
) -> bool:
    """Whether :func:`locate_joint` would fit power and Doppler (else it is ``fit.locate``: parked)."""
    cfg = config or JointConfig()
    rows = _rows(readings, len(SUSPECT_COLUMNS), "readings")
    rows = rows[np.all(np.isfinite(rows[:, :5]), axis=1) & (rows[:, 4] > 0)]
    return int(moving_rows(rows, cfg).sum()) >= cfg.min_moving_readings


def locate_joint(
    readings: Sequence[Sequence[float]] | np.ndarray,
    references: Sequence[Sequence[float]] | np.ndarray = (),
    missed: Sequence[Sequence[float]] | np.ndarray = (),
    config: JointConfig | None = None,
) -> Estimate | Refusal:
    """Locate one fixed transmitter from its power and Doppler (module docstring).

    ``readings``: rows of ``SUSPECT_COLUMNS`` (a frequency, sd, speed or heading may be NaN: that
    reading is power only); ``references``: the real cells' frequency readings on the same tunings,
    rows of ``REFERENCE_COLUMNS`` plus a last column, the real cell's id; ``missed``: rows of
    ``MISSED_COLUMNS`` where the suspect was searched for and not heard. Without bearing information
    (parked) the result is :func:`sensor.locate.fit.locate`'s on the power readings, unchanged.
    """
    cfg = config or JointConfig()
    pc = cfg.power
    sus = _rows(readings, len(SUSPECT_COLUMNS), "readings")
    refs = _rows(references, len(REFERENCE_COLUMNS) + 1, "references")
    miss = _rows(missed, len(MISSED_COLUMNS), "missed readings")
    sus = sus[np.all(np.isfinite(sus[:, :5]), axis=1) & (sus[:, 4] > 0)]
    moving = moving_rows(sus, cfg)
    if moving.sum() < cfg.min_moving_readings:
        out = locate(sus[:, :5], pc)
        if isinstance(out, Refusal):
            return Refusal(f"no bearing information: parked; power only: {out.reason}", out.n_positions, out.next_look)
        return out
    obs = plane_observations(sus[:, :5], np.arange(len(sus)), pc)
    lat0, lon0 = obs.lat0_deg, obs.lon0_deg
    k = distinct_positions(obs.east_m, obs.north_m, pc.min_separation_m)
    if k < pc.min_positions:
        return Refusal(
            f"measured from {k} distinct position(s) {pc.min_separation_m:g} m apart; {pc.min_positions} are needed",
            k,
        )
    re, rn = (enu_from_lat_lon(refs[:, 0], refs[:, 1], lat0, lon0)) if len(refs) else (np.empty(0), np.empty(0))
    form, n_ref = _doppler_form(sus, obs.east_m, obs.north_m, refs, re, rn, cfg)
    me, mn = enu_from_lat_lon(miss[:, 0], miss[:, 1], lat0, lon0) if len(miss) else (np.empty(0), np.empty(0))
    ea, na = _grid_axes(obs.east_m, obs.north_m, pc)
    gx, gy = np.meshgrid(ea, na)
    rss_p, _, _ = profile_at(gx, gy, obs, pc)
    from sensor.locate.fit import _pooled

    s_p2, _, sigma = _pooled(float(rss_p.min()), obs.n_cells, pc)
    joint = _Joint(obs, form, me, mn, miss[:, 3] if len(miss) else np.empty(0), cfg, s_p2, 1.0)
    jg, _, _, _ = joint.terms(gx, gy)
    best = _polish(joint, gx.ravel()[np.argmin(jg)], gy.ravel()[np.argmin(jg)])
    s_d2 = max(1.0, float(form.rss(np.array([best[0]]), np.array([best[1]]))[0]) / form.dof)
    joint = _Joint(obs, form, me, mn, joint.missed_s, cfg, s_p2, s_d2)
    jg, _, _, _ = joint.terms(gx, gy)
    best = _polish(joint, *best)
    j_min = min(float(joint.terms(np.array([best[0]]), np.array([best[1]]))[0][0]), float(jg.min()))
    bound = j_min + cfg.threshold_scale * CHI2_2_95
    mask = jg <= bound
    if reaches_edge(mask):
        return Refusal(
            f"region beyond {pc.max_radius_m:g} m: power and Doppler together ({n_ref} real cell(s) for the "
            f"receiver's drift) cannot bound the position",
            k,
        )
    fe, fn = _fine_axes(ea, na, mask | _node(ea, na, best))
    for _ in range(2):  # the fine grid, then one narrower if the region is much smaller than it
        fx, fy = np.meshgrid(fe, fn)
        jf, _, _, _ = joint.terms(fx, fy)
        if jf.min() < j_min:
            best = _polish(joint, fx.ravel()[np.argmin(jf)], fy.ravel()[np.argmin(jf)])
            j_min = min(float(joint.terms(np.array([best[0]]), np.array([best[1]]))[0][0]), float(jf.min()))
            bound = j_min + cfg.threshold_scale * CHI2_2_95
        fmask = (jf <= bound) | _node(fe, fn, best)
        nfe, nfn = _fine_axes(fe, fn, fmask, 80)
        if (fe[1] - fe[0]) <= 1.0 or (nfe[1] - nfe[0]) > 0.5 * (fe[1] - fe[0]):
            break
        fe, fn = nfe, nfn
    x, y = best
    rows, cols = np.nonzero(fmask)
    half = np.hypot(fe[1] - fe[0], fn[1] - fn[0]) / 2
    radius = float(np.max(np.hypot(fe[cols] - x, fn[rows] - y), initial=0.0) + half)
    if radius > pc.max_radius_m:
        return Refusal(f"region beyond {pc.max_radius_m:g} m: the joint 95 % region is {radius:.0f} m wide", k)
    from sensor.locate.fit import _main_axis, _mirror

    centre, axis = _main_axis(obs)
    mx, my = _mirror(np.array([x, y]), centre, axis)
    jm = joint.terms(np.array([mx, (x + mx) / 2]), np.array([my, (y + my) / 2]))[0]
    mirror = bool(jm[0] <= bound and jm[1] > jm[0] and np.hypot(mx - x, my - y) > 2 * half)
    region, ellipse = mapped_region(fe, fn, fmask, jf, (lat0, lon0))
    lat, lon = lat_lon_from_enu(x, y, lat0, lon0)
    _, _, expo, tx = joint.terms(np.array([x]), np.array([y]))
    look = _bearing_look(joint, fe, fn, fmask, jf, j_min, np.array([x, y]), float(expo[0]), obs.east_m, obs.north_m,
                         (lat0, lon0))  # fmt: skip
    method = (
        f"joint power + Doppler fit of {len(sus)} readings ({int(np.isfinite(sus[:, 5]).sum())} with a carrier, "
        f"{int(moving.sum())} moving), the receiver's drift from {n_ref} real cell(s), the suspect's offset and "
        f"drift as nuisances, {len(miss)} censored (searched, not heard); shadowing correlated over "
        f"{pc.decorrelation_m:g} m (GLS); {pc.confidence:.0%} region by the joint likelihood "
        f"(χ²₂ × {cfg.threshold_scale:g}), {len(region)} part(s); Doppler scale {np.sqrt(s_d2):.2f}"
    )
    point = {"lat_deg": float(lat), "lon_deg": float(lon), "radius_m": radius, "n_positions": k}
    return Estimate(
        **point,
        exponent=float(expo[0]),
        tx_term_db=float(tx[0]),
        sigma_db=sigma,
        region=region,
        ellipse=ellipse,
        n_readings=len(sus),
        rejected=(),
        mirror_ambiguous=mirror,
        method=method
        + ("; mirror ambiguity: the drive cannot tell the two sides of its main axis apart" if mirror else ""),
        next_look=look,
    )


def _node(ea: np.ndarray, na: np.ndarray, p: np.ndarray) -> np.ndarray:
    m = np.zeros((len(na), len(ea)), dtype=bool)
    m[np.argmin(np.abs(na - p[1])), np.argmin(np.abs(ea - p[0]))] = True
    return m


def _polish(joint: _Joint, x0: float, y0: float) -> np.ndarray:
    from scipy import optimize

    def f(p: np.ndarray) -> float:
        return float(joint.terms(np.array([p[0]]), np.array([p[1]]))[0][0])

    r = optimize.minimize(f, np.array([x0, y0]), method="Nelder-Mead", options={"xatol": 0.2, "fatol": 1e-3})
    return r.x if r.fun <= f(np.array([x0, y0])) else np.array([x0, y0])


LEG_M = 300.0  # a candidate leg: this long, through a candidate point, east-west or north-south
LEG_STEP_M = 25.0  # a reading every this many metres along it
LEG_SPEED_M_S = 10.0
LEG_SD_HZ = 1.5  # a clean carrier reading's stated sd (the FCCH floor)


def leg_information(
    x: float, y: float, e: np.ndarray, n: np.ndarray, heading_deg: float, *, carrier_hz: float,
    exponent: float, sigma_db: float,
) -> np.ndarray:  # fmt: skip
    """Fisher information (2 × 2, about the transmitter's (x, y)) of one leg's readings at (e, n) driven
    at ``heading_deg``: their Doppler (sd ``LEG_SD_HZ``, the leg's own carrier offset a nuisance:
    the gradients' mean taken off) and their power (σ ``sigma_db``, independent)."""
    h = np.radians(heading_deg)
    ve, vn = LEG_SPEED_M_S * np.sin(h), LEG_SPEED_M_S * np.cos(h)
    de, dn = x - e, y - n
    d2 = np.maximum(de * de + dn * dn, 1.0)
    d = np.sqrt(d2)
    k = carrier_hz / SPEED_OF_LIGHT_M_S
    vu = (ve * de + vn * dn) / d
    g = np.column_stack(((ve - vu * de / d) / d, (vn - vu * dn / d) / d)) * k  # ∂f_d/∂(x, y)
    g = g - g.mean(axis=0)
    p = np.column_stack((de, dn)) * (-10.0 * exponent / (np.log(10.0) * d2))[:, None]  # ∂μ/∂(x, y)
    return g.T @ g / LEG_SD_HZ**2 + p.T @ p / sigma_db**2


def _bearing_look(
    joint: _Joint, fe: np.ndarray, fn: np.ndarray, mask: np.ndarray, jf: np.ndarray, j_min: float,
    theta: np.ndarray, exponent: float, reading_e: np.ndarray, reading_n: np.ndarray, origin: tuple[float, float],
) -> NextLook | None:  # fmt: skip
    """Where one more leg would add the most bearing information: over the candidate points of
    ``guidance`` and two leg directions each, the leg minimising trace((I₀ + I_leg)⁻¹), I₀ the
    inverse of the region's covariance (its grid points weighted by the joint likelihood)."""
    from sensor.locate.guidance import bearing_gap_deg, candidates

    rows, cols = np.nonzero(mask)
    if len(rows) < 3:
        return None
    hx, hy = fe[cols], fn[rows]
    w = np.exp(-(jf[rows, cols] - j_min) / 2.0)
    w /= w.sum()
    mx, my = w @ hx, w @ hy
    cov = np.cov(np.vstack((hx - mx, hy - my)), aweights=w) + np.eye(2) * (np.gradient(fe)[0] ** 2 / 12.0)
    i0 = np.linalg.inv(cov)
    x0, y0 = float(theta[0]), float(theta[1])
    cx, cy = candidates(x0, y0)
    offs = np.arange(-LEG_M / 2, LEG_M / 2 + 1e-9, LEG_STEP_M)
    carrier = float(np.median(joint.form.carrier_hz))
    sigma = float(np.sqrt(joint.s_p2))
    best, best_score = None, np.inf
    for px, py in zip(cx, cy, strict=True):
        for heading in (0.0, 90.0):
            h = np.radians(heading)
            e, n = px + offs * np.sin(h), py + offs * np.cos(h)
            info = leg_information(x0, y0, e, n, heading, carrier_hz=carrier, exponent=exponent, sigma_db=sigma)
            score = float(np.trace(np.linalg.inv(i0 + info)))
            if score < best_score:
                best, best_score = (px, py), score
    assert best is not None
    de, dn = best[0] - x0, best[1] - y0
    lat, lon = lat_lon_from_enu(best[0], best[1], *origin)
    _, _, expo, tx = joint.terms(hx, hy)
    d2 = np.maximum((best[0] - hx) ** 2 + (best[1] - hy) ** 2, joint.cfg.power.min_distance_m**2)
    mean = tx - 5.0 * expo * np.log10(d2)
    return NextLook(
        lat_deg=float(lat),
        lon_deg=float(lon),
        bearing_deg=float(np.degrees(np.arctan2(de, dn)) % 360.0),
        distance_m=float(np.hypot(de, dn)),
        spread_db=float(np.sqrt(w @ (mean - w @ mean) ** 2)),
        gap_deg=bearing_gap_deg(reading_e, reading_n, x0, y0),
    )
