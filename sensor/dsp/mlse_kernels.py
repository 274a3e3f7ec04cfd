"""Compiled twin of the max-log-MAP trellis of ``sensor.dsp.mlse`` (see ``sensor.fastpath``).

Written as plain loops over the same float32 values, in the same order as the numpy reference:
forward metrics with renormalisation every ``renormalise_every`` symbols, backward metrics
likewise, then the best path through every branch. Branch j = m·S + 2q' + u leaves state
m·S/2 + q' and enters 2q' + u (the layout of ``mlse.mlse_equalize``).
"""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _forward_backward(g: np.ndarray, n_states: int, n_bits: int, renormalise_every: int) -> np.ndarray:
    """g (N, steps, 2S) float32 branch metrics → (N, n_bits) float32 M(d=1) − M(d=0)."""
    n_bursts, n_steps, _ = g.shape
    half = n_states // 2
    out = np.empty((n_bursts, n_bits), np.float32)
    alpha = np.empty((n_steps + 1, n_states), np.float32)
    beta = np.empty((n_steps + 1, n_states), np.float32)
    best = np.empty(2, np.float32)
    for n in range(n_bursts):
        gn = g[n]
        for s in range(n_states):
            alpha[0, s] = 0.0
            beta[n_steps, s] = 0.0
        for k in range(n_steps):
            for q in range(half):
                for u in range(2):
                    c0 = alpha[k, q] + gn[k, 2 * q + u]
                    c1 = alpha[k, half + q] + gn[k, n_states + 2 * q + u]
                    alpha[k + 1, 2 * q + u] = c0 if c0 <= c1 else c1
            if k % renormalise_every == renormalise_every - 1:
                lo = alpha[k + 1, 0]
                for s in range(1, n_states):
                    if alpha[k + 1, s] < lo:
                        lo = alpha[k + 1, s]
                for s in range(n_states):
                    alpha[k + 1, s] = alpha[k + 1, s] - lo
        for k in range(n_steps - 1, -1, -1):
            for m in range(2):
                for q in range(half):
                    c0 = gn[k, m * n_states + 2 * q] + beta[k + 1, 2 * q]
                    c1 = gn[k, m * n_states + 2 * q + 1] + beta[k + 1, 2 * q + 1]
                    beta[k, m * half + q] = c0 if c0 <= c1 else c1
            if k % renormalise_every == 0:
                lo = beta[k, 0]
                for s in range(1, n_states):
                    if beta[k, s] < lo:
                        lo = beta[k, s]
                for s in range(n_states):
                    beta[k, s] = beta[k, s] - lo
        for k in range(n_bits):
            best[0] = np.float32(np.inf)
            best[1] = np.float32(np.inf)
            for m in range(2):
                for q in range(half):
                    for u in range(2):
                        v = (alpha[k, m * half + q] + gn[k, m * n_states + 2 * q + u]) + beta[k + 1, 2 * q + u]
                        if v < best[u]:
                            best[u] = v
            out[n, k] = best[1] - best[0]
    return out


forward_backward = compiled(_forward_backward)
