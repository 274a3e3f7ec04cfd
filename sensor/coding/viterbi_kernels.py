"""Compiled twin of the Viterbi add-compare-select and traceback of ``sensor.coding.convolutional``
(see ``sensor.fastpath``): the same float32 sums in the same order, the same tie rule (the
second candidate wins only when strictly greater), so the decisions are bit-identical."""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _viterbi(
    x: np.ndarray, combo: np.ndarray, signs: np.ndarray, n_out: int, terminated: bool, minus_inf: np.float32
) -> np.ndarray:
    """x (N, n_out·steps) float32 soft bits → (N, steps) uint8 decoded input bits."""
    n_blocks = x.shape[0]
    steps = x.shape[1] // n_out
    half = combo.shape[0]
    n_states = 2 * half
    n_words = signs.shape[0]
    top = 0
    while (1 << (top + 1)) < n_states:
        top += 1
    out = np.empty((n_blocks, steps), np.uint8)
    metric = np.empty(n_states, np.float32)
    nxt = np.empty(n_states, np.float32)
    branch = np.empty(n_words, np.float32)
    decisions = np.empty((steps, n_states), np.uint8)
    for n in range(n_blocks):
        for s in range(n_states):
            metric[s] = minus_inf
        metric[0] = 0.0
        for t in range(steps):
            for w in range(n_words):
                acc = np.float32(0.0)
                for i in range(n_out):
                    acc = acc + np.float32(signs[w, i]) * x[n, t * n_out + i]
                branch[w] = acc
            for r in range(half):
                for b in range(2):
                    c0 = branch[combo[r, 0, b]] + metric[2 * r]
                    c1 = branch[combo[r, 1, b]] + metric[2 * r + 1]
                    s = b * half + r
                    if c1 > c0:
                        decisions[t, s] = 1
                        nxt[s] = c1
                    else:
                        decisions[t, s] = 0
                        nxt[s] = c0
            for s in range(n_states):
                metric[s] = nxt[s]
        state = 0
        if not terminated:
            best = metric[0]
            for s in range(1, n_states):
                if metric[s] > best:
                    best = metric[s]
                    state = s
        for t in range(steps - 1, -1, -1):
            out[n, t] = state >> top
            state = ((state & (half - 1)) << 1) | decisions[t, state]
    return out


viterbi_signature = "u1[:,::1](f4[:,::1], i8[:,:,::1], f4[:,::1], i8, b1, f4)"
viterbi = compiled(_viterbi, signature=viterbi_signature)
