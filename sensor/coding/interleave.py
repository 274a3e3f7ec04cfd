"""Block-diagonal interleaving of the xCCH over 4 bursts (TS 45.003 §4.1.4), batched.

The 456 coded bits c(n, k) of block n go to burst B = B0 + 4n + (k mod 4), position
j = 2·((49·k) mod 57) + ((k mod 8) div 4), so each block fills its own 4 bursts completely.
Interleaving and de-interleaving are one fancy-indexing gather each; they work on ubits and sbits.
"""

from __future__ import annotations

import numpy as np

XCCH_CODED_BITS = 456
XCCH_BURSTS = 4
BURST_DATA_BITS = 114

_k = np.arange(XCCH_CODED_BITS)
# XCCH_POSITION[k] = B·114 + j: where coded bit k lands in the block's 4 × 114 burst bits
XCCH_POSITION = (_k % 4) * BURST_DATA_BITS + 2 * ((49 * _k) % 57) + ((_k % 8) // 4)
XCCH_POSITION.setflags(write=False)
# XCCH_SOURCE[B·114 + j] = k: which coded bit sits at each burst position
XCCH_SOURCE = np.argsort(XCCH_POSITION)
XCCH_SOURCE.setflags(write=False)


def interleave_xcch(coded: np.ndarray) -> np.ndarray:
    """(N, 456) coded bits → (N, 4, 114) burst data bits i(B, j)."""
    c = np.asarray(coded)
    if c.shape[-1] != XCCH_CODED_BITS:
        raise ValueError(f"expected {XCCH_CODED_BITS} coded bits on the last axis, got shape {c.shape}")
    return c[..., XCCH_SOURCE].reshape(c.shape[:-1] + (XCCH_BURSTS, BURST_DATA_BITS))


def deinterleave_xcch(burst_bits: np.ndarray) -> np.ndarray:
    """(N, 4, 114) burst data bits → (N, 456) coded bits c(k)."""
    b = np.asarray(burst_bits)
    if b.shape[-2:] != (XCCH_BURSTS, BURST_DATA_BITS):
        raise ValueError(f"expected (..., {XCCH_BURSTS}, {BURST_DATA_BITS}) burst bits, got shape {b.shape}")
    flat = b.reshape(b.shape[:-2] + (XCCH_BURSTS * BURST_DATA_BITS,))
    return flat[..., XCCH_POSITION]
