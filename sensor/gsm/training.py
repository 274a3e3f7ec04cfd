"""Training sequences, as data (TS 45.002 §5.2.3 and §5.2.5).

Bits are ``ubits`` (0/1), in transmission order (first transmitted bit first).
"""

from __future__ import annotations

import numpy as np


def _bits(text: str) -> np.ndarray:
    arr = np.frombuffer(text.replace(" ", "").encode("ascii"), dtype=np.uint8) - ord("0")
    arr.setflags(write=False)
    return arr


# TS 45.002 §5.2.3, Table 5.2.3a: normal burst training sequence codes 0..7 (TSC set 1), 26 bits
# each, occupying normal-burst bit positions 61..86. On the BCCH carrier's timeslot 0 the TSC
# equals the BCC (the low three bits of the BSIC), TS 45.002 §5.2.3.
# (gr-gsm 1.0 has TSC 1 bit 20 as 0; TS 45.002 and libosmocore have 1, as here.)
NORMAL_TSC_UBITS = np.stack(
    [
        _bits("00100101110000100010010111"),  # TSC 0
        _bits("00101101110111100010110111"),  # TSC 1
        _bits("01000011101110100100001110"),  # TSC 2
        _bits("01000111101101000100011110"),  # TSC 3
        _bits("00011010111001000001101011"),  # TSC 4
        _bits("01001110101100000100111010"),  # TSC 5
        _bits("10100111110110001010011111"),  # TSC 6
        _bits("11101111000100101110111100"),  # TSC 7
    ]
)
NORMAL_TSC_UBITS.setflags(write=False)

# TS 45.002 §5.2.5: the synchronization burst's 64-bit extended training sequence (positions 42..105).
SCH_TRAINING_UBITS = _bits("1011100101100010000001000000111100101101010001010111011000011011")


def normal_tsc_ubits(tsc: int) -> np.ndarray:
    """The 26 training bits of normal-burst training sequence code ``tsc`` (0..7), read-only."""
    if not 0 <= int(tsc) <= 7:
        raise ValueError(f"training sequence code must be 0..7, got {tsc}")
    return NORMAL_TSC_UBITS[int(tsc)]
