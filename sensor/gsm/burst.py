"""Burst geometry (TS 45.002 §5.2) and vectorised splitting/assembling of 148-bit bursts.

A timeslot lasts 156.25 symbol periods (§5.2.1); a burst's 148 bits are numbered BN0..BN147 in
transmission order and the rest of the timeslot is guard period. Every function here works on
arrays whose last axis holds the 148 bits of one burst, with any leading (batch) shape, and on
any dtype: hard ``ubits`` (0/1) or soft ``sbits`` pass through unchanged.

Normal burst (§5.2.3)::

    BN0..2 tail | BN3..59 57 data | BN60 hl | BN61..86 training (26) | BN87 hu | BN88..144 57 data | BN145..147 tail

The 116 "encrypted bits" e(0..115) of TS 45.003 §4.1.5 sit at BN3..60 and BN87..144, so the
stealing flags e(57) = hl and e(58) = hu are BN60 and BN87.

Synchronization burst (§5.2.5)::

    BN0..2 tail | BN3..41 39 data | BN42..105 extended training (64) | BN106..144 39 data | BN145..147 tail

Frequency correction burst (§5.2.4): 148 zeros (tail, 142 fixed bits, tail).
Dummy burst (§5.2.6): tail, 142 fixed "mixed" bits, tail (``DUMMY_BURST_UBITS``).
"""

from __future__ import annotations

import numpy as np

from .training import NORMAL_TSC_UBITS, SCH_TRAINING_UBITS

# TS 45.002 §5.2.1 / §4.3.1: timeslot, frame and burst sizes
TIMESLOT_SYMBOLS = 156.25
TIMESLOTS_PER_FRAME = 8
FRAME_SYMBOLS = 1250  # 8 × 156.25
BURST_BITS = 148
GUARD_SYMBOLS = 8.25
TAIL_BITS = 3

# Normal burst (TS 45.002 §5.2.3)
NORMAL_DATA_BITS = 114  # 2 × 57
NORMAL_HALF_DATA_BITS = 57
NORMAL_TRAINING_START = 61
NORMAL_TRAINING_BITS = 26
STEALING_HL_POSITION = 60  # e(57) = hl(B), TS 45.003 §4.1.5
STEALING_HU_POSITION = 87  # e(58) = hu(B)
NORMAL_DATA_POSITIONS = np.concatenate((np.arange(3, 60), np.arange(88, 145)))
STEALING_POSITIONS = np.array([STEALING_HL_POSITION, STEALING_HU_POSITION])
NORMAL_TRAINING_POSITIONS = np.arange(NORMAL_TRAINING_START, NORMAL_TRAINING_START + NORMAL_TRAINING_BITS)

# Synchronization burst (TS 45.002 §5.2.5)
SCH_DATA_BITS = 78  # 2 × 39
SCH_HALF_DATA_BITS = 39
SCH_TRAINING_START = 42
SCH_TRAINING_BITS = 64
SCH_DATA_POSITIONS = np.concatenate((np.arange(3, 42), np.arange(106, 145)))
SCH_TRAINING_POSITIONS = np.arange(SCH_TRAINING_START, SCH_TRAINING_START + SCH_TRAINING_BITS)

# Frequency correction burst (TS 45.002 §5.2.4): all 148 bits are zero.
FCCH_FIXED_BITS = 142
FCCH_BURST_UBITS = np.zeros(BURST_BITS, dtype=np.uint8)

# Dummy burst (TS 45.002 §5.2.6): 3 tail bits, the 142 "mixed bits", 3 tail bits.
_DUMMY_MIXED = (
    "1111101101110110000010100100111000001001000100000001111100011100010111"
    "000101110001010111010010100011001100111001111010011111000100101111101010"
)
DUMMY_BURST_UBITS = np.concatenate(
    (np.zeros(3, np.uint8), np.frombuffer(_DUMMY_MIXED.encode("ascii"), np.uint8) - ord("0"), np.zeros(3, np.uint8))
).astype(np.uint8)

for _arr in (
    NORMAL_DATA_POSITIONS,
    STEALING_POSITIONS,
    NORMAL_TRAINING_POSITIONS,
    SCH_DATA_POSITIONS,
    SCH_TRAINING_POSITIONS,
    FCCH_BURST_UBITS,
    DUMMY_BURST_UBITS,
):
    _arr.setflags(write=False)


def _check_bursts(bursts: np.ndarray) -> np.ndarray:
    arr = np.asarray(bursts)
    if arr.ndim < 1 or arr.shape[-1] != BURST_BITS:
        raise ValueError(f"bursts must have {BURST_BITS} bits on the last axis, got shape {arr.shape}")
    return arr


def split_normal_bursts(bursts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normal bursts (..., 148) → (data bits (..., 114), stealing flags (..., 2) = [hl, hu]).

    The data bits are the two 57-bit halves in transmission order (BN3..59, BN88..144), i.e.
    i(B, 0..113) of TS 45.003 §4.1.5 for one burst B.
    """
    arr = _check_bursts(bursts)
    return arr[..., NORMAL_DATA_POSITIONS], arr[..., STEALING_POSITIONS]


def normal_burst_training(bursts: np.ndarray) -> np.ndarray:
    """The 26 training bits (BN61..86) of normal bursts (..., 148) → (..., 26)."""
    return _check_bursts(bursts)[..., NORMAL_TRAINING_POSITIONS]


def assemble_normal_bursts(data_ubits: np.ndarray, stealing_ubits: np.ndarray | int, *, tsc: int) -> np.ndarray:
    """(..., 114) data bits + (..., 2) stealing flags [hl, hu] (or one value for both) → (..., 148) uint8.

    Tail bits are 0 and the training sequence is TSC ``tsc`` (TS 45.002 §5.2.3).
    """
    data = np.asarray(data_ubits)
    if data.shape[-1:] != (NORMAL_DATA_BITS,):
        raise ValueError(f"normal-burst data must have {NORMAL_DATA_BITS} bits on the last axis, got {data.shape}")
    out = np.zeros(data.shape[:-1] + (BURST_BITS,), dtype=np.uint8)
    out[..., NORMAL_DATA_POSITIONS] = data
    out[..., STEALING_POSITIONS] = np.broadcast_to(np.asarray(stealing_ubits, dtype=np.uint8), data.shape[:-1] + (2,))
    out[..., NORMAL_TRAINING_POSITIONS] = NORMAL_TSC_UBITS[int(tsc)]
    return out


def sch_burst_data(bursts: np.ndarray) -> np.ndarray:
    """Synchronization bursts (..., 148) → their 78 coded bits (..., 78) (BN3..41, BN106..144)."""
    return _check_bursts(bursts)[..., SCH_DATA_POSITIONS]


def sch_burst_training(bursts: np.ndarray) -> np.ndarray:
    """The 64 extended training bits (BN42..105) of synchronization bursts → (..., 64)."""
    return _check_bursts(bursts)[..., SCH_TRAINING_POSITIONS]


def assemble_sch_bursts(data_ubits: np.ndarray) -> np.ndarray:
    """(..., 78) coded SCH bits → (..., 148) uint8 synchronization bursts (TS 45.002 §5.2.5)."""
    data = np.asarray(data_ubits)
    if data.shape[-1:] != (SCH_DATA_BITS,):
        raise ValueError(f"SCH data must have {SCH_DATA_BITS} bits on the last axis, got {data.shape}")
    out = np.zeros(data.shape[:-1] + (BURST_BITS,), dtype=np.uint8)
    out[..., SCH_DATA_POSITIONS] = data
    out[..., SCH_TRAINING_POSITIONS] = SCH_TRAINING_UBITS
    return out
