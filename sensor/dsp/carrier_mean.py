"""A carrier's frequency from many FCCH bursts' estimates, with an honest standard error.

Each FCCH burst measures the carrier on its own (``fcch.py``); their own 1-sigma (the phase fit's)
counts noise alone, not a fade's distortion or the carrier moving within the span. The figure
here is the spread: outliers beyond ``REJECT_SIGMAS`` robust sigmas (1.4826·MAD about the median,
not below ``FLOOR_HZ``) are left out, the rest averaged, and the standard error is their sample
standard deviation over √n, with ``systematic_hz`` added in quadrature: the part of the error the
bursts of one reading share (the same neighbours' leakage, the same channel), which no spread
shows (``cells.FCCH_SYSTEMATIC_HZ`` says how it was measured). Fewer than ``MIN_BURSTS`` left: no
estimate.
"""

from __future__ import annotations

import numpy as np

MIN_BURSTS = 3
REJECT_SIGMAS = 4.0
FLOOR_HZ = 1.0


def carrier_mean(offsets_hz: np.ndarray, *, systematic_hz: float = 0.0) -> tuple[float, float, int] | None:
    """(mean, standard error of the mean, bursts used) of per-burst offsets, or None."""
    x = np.asarray(offsets_hz, dtype=np.float64)
    x = x[np.isfinite(x)]
    if len(x) < MIN_BURSTS:
        return None
    med = float(np.median(x))
    sigma = max(1.4826 * float(np.median(np.abs(x - med))), FLOOR_HZ)
    kept = x[np.abs(x - med) <= REJECT_SIGMAS * sigma]
    if len(kept) < MIN_BURSTS:
        return None
    se = float(np.std(kept, ddof=1) / np.sqrt(len(kept)))
    return float(np.mean(kept)), float(np.hypot(se, systematic_hz)), int(len(kept))
