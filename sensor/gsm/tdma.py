"""TDMA frame-number arithmetic (TS 45.002 §4.3.3) and the SCH's reduced frame number.

The frame number FN counts TDMA frames cyclically from 0 to FN_MAX = 26 × 51 × 2048 − 1 = 2715647
(one hyperframe). The SCH carries it as the "reduced TDMA frame number" (TS 45.002 §3.3.2.2,
TS 44.018 §9.1.30):

    T1 = FN div (26 × 51)   (11 bits, 0..2047)
    T2 = FN mod 26          (5 bits, 0..25)
    T3 = FN mod 51          (0..50); on the SCH as T3' = (T3 − 1) div 10 (3 bits, 0..4)

and FN = 51 × ((T3 − T2) mod 26) + T3 + 51 × 26 × T1.

Functions accept Python ints or integer numpy arrays (vectorised) and return the same kind.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TypeVar

import numpy as np

# An FN (or T1/T2/T3) as a Python int or an integer numpy array; results follow the argument.
IntOrArray = TypeVar("IntOrArray", int, np.ndarray)

FRAMES_PER_26_MULTIFRAME = 26
FRAMES_PER_51_MULTIFRAME = 51
FRAMES_PER_SUPERFRAME = 26 * 51  # 1326
SUPERFRAMES_PER_HYPERFRAME = 2048
HYPERFRAME_FRAMES = FRAMES_PER_SUPERFRAME * SUPERFRAMES_PER_HYPERFRAME  # 2715648
FN_MAX = HYPERFRAME_FRAMES - 1

# TS 45.002 §4.3.1 / §4.3.3: a TDMA frame is 120/26 ms, a timeslot 15/26 ms
FRAME_DURATION_S = 0.120 / 26
TIMESLOT_DURATION_S = FRAME_DURATION_S / 8
SYMBOL_RATE_HZ = 1625e3 / 6  # TS 45.004 §2.1 / TS 45.010 §2: 270.833... ksym/s
SYMBOL_RATE_EXACT_HZ = Fraction(1625000, 6)  # the same, exactly (rational resampling ratios)


def t1(fn: IntOrArray) -> IntOrArray:
    """T1 = FN div 1326 (0..2047)."""
    return fn // FRAMES_PER_SUPERFRAME


def t2(fn: IntOrArray) -> IntOrArray:
    """T2 = FN mod 26."""
    return fn % FRAMES_PER_26_MULTIFRAME


def t3(fn: IntOrArray) -> IntOrArray:
    """T3 = FN mod 51."""
    return fn % FRAMES_PER_51_MULTIFRAME


def t3_prime(t3_value: IntOrArray) -> IntOrArray:
    """T3' = (T3 − 1) div 10, as sent on the SCH (only meaningful for T3 in ``SCH_T3``)."""
    return (t3_value - 1) // 10


def t3_from_t3_prime(t3p: IntOrArray) -> IntOrArray:
    """The T3 of the SCH frame that carries T3': 10 × T3' + 1."""
    return 10 * t3p + 1


def fn_from_t1_t2_t3(t1_value: IntOrArray, t2_value: IntOrArray, t3_value: IntOrArray) -> IntOrArray:
    """FN = 51 × ((T3 − T2) mod 26) + T3 + 51 × 26 × T1 (TS 45.002 §3.3.2.2)."""
    return 51 * ((t3_value - t2_value) % 26) + t3_value + FRAMES_PER_SUPERFRAME * t1_value


def fn_from_sch(t1_value: IntOrArray, t2_value: IntOrArray, t3p: IntOrArray) -> IntOrArray:
    """The frame number of an SCH burst from the T1, T2 and T3' it carries."""
    return fn_from_t1_t2_t3(t1_value, t2_value, t3_from_t3_prime(t3p))


def is_sch_frame(fn: int | np.ndarray) -> bool | np.ndarray:
    """True where FN is a frame whose timeslot 0 carries the SCH on a BCCH carrier (T3 mod 10 == 1, T3 ≤ 41)."""
    t = t3(fn)
    result = (t % 10 == 1) & (t <= 41)
    return result if isinstance(result, np.ndarray) else bool(result)


def fn_add(fn: IntOrArray, frames: int | np.ndarray) -> IntOrArray:
    """FN + frames, modulo the hyperframe."""
    return (fn + frames) % HYPERFRAME_FRAMES


def fn_diff(fn_a: IntOrArray, fn_b: int | np.ndarray) -> IntOrArray:
    """The signed distance fn_a − fn_b in frames, wrapped to the shortest way round the hyperframe."""
    d = (fn_a - fn_b) % HYPERFRAME_FRAMES
    return d - HYPERFRAME_FRAMES * (d >= HYPERFRAME_FRAMES // 2)


def tc(fn: IntOrArray) -> IntOrArray:
    """TC = (FN div 51) mod 8, the BCCH scheduling index of TS 45.002 §6.3.1.3."""
    return (fn // FRAMES_PER_51_MULTIFRAME) % 8
