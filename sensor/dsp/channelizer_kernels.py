"""Compiled twin of the channelizer's spectrum fill (see ``sensor.fastpath``): each channel's kept
input bins, weighted by its taper and turned by its block phase, into the output spectra — one
pass instead of numpy's four (gather, two weightings, two turns), the same complex64 products in
the same order."""

from __future__ import annotations

import numpy as np

from sensor.fastpath import compiled


def _fill(spec: np.ndarray, gather: np.ndarray, weights: np.ndarray, phase: np.ndarray, k_max: int,
          full: np.ndarray) -> None:
    """spec (nb, n_in); gather, weights (n_ch, 2·k_max+1); phase (n_ch, nb); writes the kept bins
    of full (n_ch, ≥nb, n_out): signed bin r = k − k_max at index r mod n_out."""
    n_ch, n_keep = gather.shape
    nb = spec.shape[0]
    n_out = full.shape[2]
    for c in range(n_ch):
        for b in range(nb):
            ph = phase[c, b]
            for k in range(n_keep):
                o = k - k_max
                if o < 0:
                    o += n_out
                full[c, b, o] = (spec[b, gather[c, k]] * np.complex64(weights[c, k])) * ph


fill = compiled(_fill)
