"""TDMA frame-number arithmetic (TS 45.002 §4.3.3)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sensor.gsm import multiframe, tdma

fns = st.integers(0, tdma.FN_MAX)


def test_constants():
    assert tdma.HYPERFRAME_FRAMES == 2715648 == 26 * 51 * 2048
    assert abs(tdma.FRAME_DURATION_S - 4.615e-3) < 1e-6
    assert abs(tdma.HYPERFRAME_FRAMES * tdma.FRAME_DURATION_S - (3 * 3600 + 28 * 60 + 53.76)) < 1e-6


@given(fns)
def test_fn_is_recovered_from_t1_t2_t3(fn):
    t1, t2, t3 = tdma.t1(fn), tdma.t2(fn), tdma.t3(fn)
    assert 0 <= t1 < 2048 and 0 <= t2 < 26 and 0 <= t3 < 51
    assert tdma.fn_from_t1_t2_t3(t1, t2, t3) == fn


@given(st.integers(0, tdma.HYPERFRAME_FRAMES // 51 - 1), st.integers(0, 4))
def test_sch_frames_round_trip_through_t3_prime(multiframe, k):
    fn = multiframe * 51 + 10 * k + 1
    assert tdma.is_sch_frame(fn)
    t3p = tdma.t3_prime(tdma.t3(fn))
    assert t3p == k
    assert tdma.fn_from_sch(tdma.t1(fn), tdma.t2(fn), t3p) == fn


def test_vectorised_over_arrays():
    fn = np.array([0, 1, 51, 1326, 860911, tdma.FN_MAX], dtype=np.int64)
    back = tdma.fn_from_t1_t2_t3(tdma.t1(fn), tdma.t2(fn), tdma.t3(fn))
    assert np.array_equal(back, fn)
    assert tdma.is_sch_frame(fn).tolist() == [False, True, False, False, True, False]
    assert tdma.is_sch_frame(41) is True and tdma.is_sch_frame(51) is False


def test_known_value_from_the_capture():
    # README: the 953.6 MHz capture's first SCH is at FN 857107
    fn = 857107
    assert tdma.t3(fn) in multiframe.SCH_T3
    assert (tdma.t1(fn), tdma.t2(fn), tdma.t3(fn)) == (646, 857107 % 26, 857107 % 51)


def test_wrapping():
    assert tdma.fn_add(tdma.FN_MAX, 1) == 0
    assert tdma.fn_add(5, -10) == tdma.HYPERFRAME_FRAMES - 5
    assert tdma.fn_diff(2, tdma.FN_MAX) == 3
    assert tdma.fn_diff(tdma.FN_MAX, 2) == -3
    assert tdma.fn_diff(100, 40) == 60


def test_tc():
    assert tdma.tc(0) == 0 and tdma.tc(51 * 7) == 7 and tdma.tc(51 * 8 + 50) == 0
