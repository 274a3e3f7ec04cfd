"""Compiled twin of ``chanest.estimate_channel`` for its common case (see ``sensor.fastpath``):
symbol-spaced (one tap set, P = 1, at sps samples per symbol), one training sequence for every
burst, every training sample inside the rows. The same steps burst by burst — the LS responses
at every candidate offset, the maximum-energy window, its energy centroid (each tap's noise power
removed), the window moved by whole symbols to put the centroid where the reference does, and
the final taps, noise and centroid — in float64 as the reference, so they agree to float64
rounding (the reference's sums run in BLAS order); ``tests/test_fastpath.py`` checks them."""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _estimate_spaced(
    x: np.ndarray,
    start: np.ndarray,
    rel: np.ndarray,
    rot: np.ndarray,
    pinv: np.ndarray,
    B: np.ndarray,
    m_cand0: int,
    n_cand: int,
    sps: int,
    tap_noise_gain: float,
    centroid_target: float,
    taps_out: np.ndarray,
    m_out: np.ndarray,
    noise_out: np.ndarray,
    centroid_out: np.ndarray,
) -> None:
    """x (N, n) complex64 rows; start (N,) burst starts; rel (U, n_eq) sample offsets of the
    equations from the burst start for candidate offsets u = m_cand0 .. (U of them); rot (U, n_eq)
    their derotation; pinv (L, n_eq), B (n_eq, L) real. Writes taps (N, L) complex128 at the final
    offset, m (N,) that offset, noise_var (N,), the centroid (N,) in samples from the burst start."""
    n_bursts = x.shape[0]
    U, n_eq = rel.shape
    L = pinv.shape[0]
    y = np.empty((U, n_eq), np.complex128)
    h = np.empty((U, L), np.complex128)
    e_u = np.empty(U)
    dof = max(n_eq - L, 1)
    for n in range(n_bursts):
        row = x[n]
        s0 = start[n]
        for uu in range(U):
            for e in range(n_eq):
                v = row[s0 + rel[uu, e]]
                y[uu, e] = complex(v.real, v.imag) * rot[uu, e]
            en = 0.0
            for l in range(L):
                acc = 0j
                for e in range(n_eq):
                    acc += y[uu, e] * pinv[l, e]
                h[uu, l] = acc
                en += acc.real * acc.real + acc.imag * acc.imag
            e_u[uu] = en
        best = 0
        for mi in range(1, n_cand):  # the first maximum, as numpy's argmax
            if e_u[mi] > e_u[best]:
                best = mi
        m = m_cand0 + best
        for stage in range(2):
            j0 = m - m_cand0
            # noise on the chosen phase, and over all sps phases for the centroid
            nv = 0.0
            vs = 0.0
            for p in range(sps):
                for e in range(n_eq):
                    f = 0j
                    for l in range(L):
                        f += B[e, l] * h[j0 + p, l]
                    r = y[j0 + p, e] - f
                    a2 = r.real * r.real + r.imag * r.imag
                    vs += a2
                    if p == 0:
                        nv += a2
            nv /= dof
            var_s = nv if sps == 1 else vs / (sps * n_eq) * n_eq / max(n_eq - L, 1)
            total = 0.0
            moment = 0.0
            for l in range(L):
                for p in range(sps):
                    t = h[j0 + p, l]
                    q = t.real * t.real + t.imag * t.imag - var_s * tap_noise_gain
                    if q > 0.0:
                        total += q
                        moment += q * (l * sps + p)
            centroid = moment / total if total > 0.0 else 0.5 * (L * sps - 1)
            if stage == 1:
                break
            # move the window by whole symbols so the centroid sits where the reference's does
            shift = sps * np.rint((m + centroid - centroid_target - m) / sps)
            m = min(max(m + int(np.rint(shift)), m_cand0), m_cand0 + n_cand - 1)
        j0 = m - m_cand0
        for l in range(L):
            taps_out[n, l] = h[j0, l]
        m_out[n] = m
        noise_out[n] = nv
        centroid_out[n] = m + centroid


estimate_spaced = compiled(
    _estimate_spaced,
    signature="void(c8[:,::1], i8[::1], i8[:,::1], c16[:,::1], f8[:,::1], f8[:,::1], i8, i8, i8, f8, f8, "
    "c16[:,::1], i8[::1], f8[::1], f8[::1])",
)
