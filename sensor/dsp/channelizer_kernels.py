"""Compiled twin of the channelizer's spectrum fill (see ``sensor.fastpath``): each (channel,
block) pair's kept input bins, weighted by the channel's response and turned by its block phase,
into an output spectrum — one pass instead of numpy's gather, weighting and turn, the same
complex64 products in the same order. A channel's kept bins are a run of consecutive input bins
(mod n_in) around its centre, so each pair is read and written in contiguous runs."""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _fill(
    spec: np.ndarray,
    gather: np.ndarray,
    weights: np.ndarray,
    phase: np.ndarray,
    k_max: int,
    cs: np.ndarray,
    bs: np.ndarray,
    full: np.ndarray,
) -> None:
    """spec (nb, n_in); gather, weights (n_ch, 2·k_max+1); phase (n_ch, nb); pairs cs, bs (P,);
    writes the kept bins of full (≥P, n_out): row i from channel cs[i], block bs[i]; signed bin
    r = k − k_max at index r mod n_out."""
    n_keep = gather.shape[1]
    n_in = spec.shape[1]
    n_out = full.shape[1]
    for i in range(len(cs)):
        c, b = cs[i], bs[i]
        ph = phase[c, b]
        row, w, dst = spec[b], weights[c], full[i]
        k = 0
        while k < n_keep:  # runs of consecutive input bins (gather wraps at most once)
            g0 = gather[c, k]
            o0 = k - k_max
            if o0 < 0:
                o0 += n_out
            run = min(n_keep - k, n_in - g0, (k_max - k if k < k_max else n_keep - k))
            if run <= 0:
                run = 1
            for j in range(run):
                dst[o0 + j] = (row[g0 + j] * np.complex64(w[k + j])) * ph
            k += run


fill = compiled(_fill, signature="void(c8[:,::1], i8[:,::1], f4[:,::1], c8[:,::1], i8, i8[:], i8[:], c8[:,::1])")


def _scatter(y: np.ndarray, h0: int, hop: int, cs: np.ndarray, bs: np.ndarray, b0: int, out3: np.ndarray) -> None:
    """out3[cs[i], b0 + bs[i], :] = y[i, h0 : h0 + hop] for every pair i (numpy's fancy-index
    assignment, as plain copies)."""
    for i in range(len(cs)):
        src, dst = y[i], out3[cs[i], b0 + bs[i]]
        for k in range(hop):
            dst[k] = src[h0 + k]


scatter = compiled(_scatter, signature="void(c8[:,::1], i8, i8, i8[:], i8[:], i8, c8[:,:,:])")
