"""Compiled twin of the max-log-MAP trellis of ``sensor.dsp.mlse`` (see ``sensor.fastpath``).

Written as plain loops over the same float32 values, in the same order as the numpy reference:
forward metrics with renormalisation every ``renormalise_every`` symbols, backward metrics
likewise, then the best path through every branch. Branch j = m·S + 2q' + u leaves state
m·S/2 + q' and enters 2q' + u (the layout of ``mlse.mlse_equalize``). The bursts are the
innermost, contiguous axis (as in the reference), so each step is a run of vector operations
over the bursts.
"""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _forward_backward(g: np.ndarray, n_states: int, n_bits: int, renormalise_every: int) -> np.ndarray:
    """g (steps, 2S, N) float32 branch metrics → (N, n_bits) float32 M(d=1) − M(d=0)."""
    n_steps, _, n_bursts = g.shape
    half = n_states // 2
    alpha = np.empty((n_steps + 1, n_states, n_bursts), np.float32)
    beta = np.empty((n_steps + 1, n_states, n_bursts), np.float32)
    lo = np.empty(n_bursts, np.float32)
    alpha[0] = 0.0
    beta[n_steps] = 0.0
    for k in range(n_steps):
        a, gk, nxt = alpha[k], g[k], alpha[k + 1]
        for q in range(half):
            for u in range(2):
                a0, a1 = a[q], a[half + q]
                g0, g1 = gk[2 * q + u], gk[n_states + 2 * q + u]
                out = nxt[2 * q + u]
                for n in range(n_bursts):
                    c0 = a0[n] + g0[n]
                    c1 = a1[n] + g1[n]
                    out[n] = c0 if c0 <= c1 else c1
        if k % renormalise_every == renormalise_every - 1:
            _subtract_min(nxt, lo)
    for k in range(n_steps - 1, -1, -1):
        gk, b1, out_b = g[k], beta[k + 1], beta[k]
        for m in range(2):
            for q in range(half):
                g0, g1 = gk[m * n_states + 2 * q], gk[m * n_states + 2 * q + 1]
                b0, bb1 = b1[2 * q], b1[2 * q + 1]
                out = out_b[m * half + q]
                for n in range(n_bursts):
                    c0 = g0[n] + b0[n]
                    c1 = g1[n] + bb1[n]
                    out[n] = c0 if c0 <= c1 else c1
        if k % renormalise_every == 0:
            _subtract_min(out_b, lo)
    llr = np.empty((n_bits, n_bursts), np.float32)
    best0 = np.empty(n_bursts, np.float32)
    best1 = np.empty(n_bursts, np.float32)
    for k in range(n_bits):
        best0[:] = np.float32(np.inf)
        best1[:] = np.float32(np.inf)
        a, gk, b1 = alpha[k], g[k], beta[k + 1]
        for m in range(2):
            for q in range(half):
                am = a[m * half + q]
                g0, g1 = gk[m * n_states + 2 * q], gk[m * n_states + 2 * q + 1]
                b0, bb1 = b1[2 * q], b1[2 * q + 1]
                for n in range(n_bursts):
                    v0 = (am[n] + g0[n]) + b0[n]
                    v1 = (am[n] + g1[n]) + bb1[n]
                    if v0 < best0[n]:
                        best0[n] = v0
                    if v1 < best1[n]:
                        best1[n] = v1
        for n in range(n_bursts):
            llr[k, n] = best1[n] - best0[n]
    return np.ascontiguousarray(llr.T)


def _subtract_min(metrics: np.ndarray, lo: np.ndarray) -> None:
    """metrics (S, N) −= their minimum over the states, per burst."""
    lo[:] = metrics[0]
    for s in range(1, metrics.shape[0]):
        row = metrics[s]
        for n in range(metrics.shape[1]):
            if row[n] < lo[n]:
                lo[n] = row[n]
    for s in range(metrics.shape[0]):
        row = metrics[s]
        for n in range(metrics.shape[1]):
            row[n] = row[n] - lo[n]


forward_backward = compiled(_forward_backward, _subtract_min, signature="f4[:,::1](f4[:,:,::1], i8, i8, i8)")


def _branch_metrics(
    x: np.ndarray,
    first_tap: np.ndarray,
    lead: np.ndarray,
    sps: int,
    quarter: np.ndarray,
    t_re: np.ndarray,
    t_im: np.ndarray,
    sym2: np.ndarray,
    e2: np.ndarray,
    pen: np.ndarray,
    g: np.ndarray,
) -> None:
    """The symbol-spaced branch metrics of ``mlse.mlse_equalize`` with every sample inside the
    rows: observation k of burst n is x[n, first_tap[n] + k·sps] derotated by
    quarter[(lead[n] + k·sps) mod 4·sps] (complex128), its correlations with the taps
    c_l = Re·t_re[l] + Im·t_im[l] in float32, and g[k, j, n] = Σ_l c_l·sym2[j, l] (l in order)
    + e2[j, n] + pen[k, j] — the float32 operations of the reference, in its order."""
    n_steps, n_br, n_bursts = g.shape
    L = t_re.shape[0]
    period = quarter.shape[0]
    yr = np.empty(n_bursts, np.float32)
    yi = np.empty(n_bursts, np.float32)
    c = np.empty((L, n_bursts), np.float32)
    for k in range(n_steps):
        for n in range(n_bursts):
            v = x[n, first_tap[n] + k * sps]
            w = quarter[(lead[n] + k * sps) % period]
            yr[n] = np.float32(v.real * w.real - v.imag * w.imag)
            yi[n] = np.float32(v.real * w.imag + v.imag * w.real)
        for l in range(L):  # runs over the bursts (contiguous: vectorised)
            cl, tr, ti = c[l], t_re[l], t_im[l]
            for n in range(n_bursts):
                cl[n] = yr[n] * tr[n] + yi[n] * ti[n]
        gk = g[k]
        for j in range(n_br):
            row, ej = gk[j], e2[j]
            s0 = sym2[j, 0]
            c0 = c[0]
            for n in range(n_bursts):
                row[n] = c0[n] * s0
            for l in range(1, L):
                sl, cl = sym2[j, l], c[l]
                for n in range(n_bursts):
                    row[n] = row[n] + cl[n] * sl
            p = pen[k, j]
            for n in range(n_bursts):
                row[n] = (row[n] + ej[n]) + p


branch_metrics = compiled(
    _branch_metrics,
    signature="void(c8[:,::1], i8[::1], i8[::1], i8, c16[::1], f4[:,::1], f4[:,::1], f4[:,::1], f4[:,::1], "
    "f4[:,::1], f4[:,:,::1])",
)
