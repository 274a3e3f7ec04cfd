"""Frequency lists (TS 44.018 §10.5.2.13): every format round-trips, the chooser picks like a network."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.errors import DecodeError
from sensor.l3.errors import FrequencyListEncodeError, L3ParseError
from sensor.l3.freqlist import (
    FreqListFormat,
    ListIE,
    choose_format,
    decode_frequency_list,
    encode_frequency_list,
    fits,
    range_tree_decode,
    range_tree_encode,
)
from tests.l3.strategies import any_arfcn_list, arfcn_lists

F = FreqListFormat
ALL_IES = list(ListIE)


@pytest.mark.parametrize("fmt", list(FreqListFormat))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_format_round_trips_in_every_ie(fmt, data):
    arfcns = data.draw(arfcn_lists(fmt))
    ie = data.draw(st.sampled_from(ALL_IES))
    ba_ind = data.draw(st.integers(0, 1))
    ext_ind = data.draw(st.booleans())
    multiband = data.draw(st.integers(0, 3))
    octets = encode_frequency_list(arfcns, ie, fmt, ba_ind=ba_ind, ext_ind=ext_ind, multiband_reporting=multiband)
    assert len(octets) == 16
    fl = decode_frequency_list(octets, ie)
    assert fl.arfcns == tuple(sorted(set(arfcns)))
    assert fl.format is fmt
    if ie in (ListIE.NEIGHBOUR, ListIE.NEIGHBOUR_2):
        assert fl.ba_ind == ba_ind
    if ie is ListIE.NEIGHBOUR:
        assert fl.ext_ind == ext_ind
    if ie is ListIE.NEIGHBOUR_2:
        assert fl.multiband_reporting == multiband


@settings(max_examples=3000, deadline=None)
@given(arfcns=any_arfcn_list())
def test_chooser_picks_bitmap0_then_smallest_range_then_variable_bitmap(arfcns):
    vals = sorted(set(arfcns))
    order = [F.BITMAP_0, F.RANGE_128, F.RANGE_256, F.RANGE_512, F.RANGE_1024, F.VARIABLE_BITMAP]
    fitting = [f for f in order if fits(vals, f)]
    if not fitting:
        with pytest.raises(FrequencyListEncodeError):
            choose_format(vals)
        with pytest.raises(FrequencyListEncodeError):
            encode_frequency_list(vals)
        return
    fmt = choose_format(vals)
    assert fmt is fitting[0]
    if vals and all(1 <= a <= 124 for a in vals):
        assert fmt is F.BITMAP_0
    fl = decode_frequency_list(encode_frequency_list(vals), ListIE.CELL_CHANNEL)
    assert fl.arfcns == tuple(vals) and fl.format is fmt


@settings(max_examples=1000, deadline=None)
@given(data=st.data())
def test_lists_that_do_not_fit_raise_a_typed_error(data):
    fmt = data.draw(st.sampled_from(list(FreqListFormat)))
    arfcns = data.draw(st.lists(st.integers(0, 1023), unique=True, min_size=1, max_size=40))
    if fits(arfcns, fmt):
        decode_frequency_list(encode_frequency_list(arfcns, fmt=fmt))
    else:
        with pytest.raises(FrequencyListEncodeError):
            encode_frequency_list(arfcns, fmt=fmt)


@pytest.mark.parametrize(
    ("fmt", "arfcns"),
    [
        (F.BITMAP_0, [0]),
        (F.BITMAP_0, [125]),
        (F.RANGE_1024, list(range(1, 18))),  # 17 besides ARFCN 0
        (F.RANGE_512, [0, 512]),  # span 512
        (F.RANGE_512, list(range(100, 119))),  # 19 ARFCNs
        (F.RANGE_256, [10, 266]),
        (F.RANGE_128, [10, 138]),
        (F.RANGE_128, list(range(30))),
        (F.VARIABLE_BITMAP, [10, 122]),
    ],
)
def test_capacity_limits(fmt, arfcns):
    with pytest.raises(FrequencyListEncodeError):
        encode_frequency_list(arfcns, fmt=fmt)


def test_capacity_limits_are_exact():
    assert fits([0] + list(range(1, 17)), F.RANGE_1024)
    assert fits(list(range(100, 118)), F.RANGE_512)
    assert fits(list(range(100, 122)), F.RANGE_256)
    assert fits(list(range(100, 129)), F.RANGE_128)
    assert fits([1000, 1023, 0, 87], F.VARIABLE_BITMAP)  # wraps modulo 1024: span 111
    assert fits([600, 711], F.VARIABLE_BITMAP) and not fits([600, 712], F.VARIABLE_BITMAP)
    with pytest.raises(FrequencyListEncodeError):
        encode_frequency_list([1024])
    with pytest.raises(FrequencyListEncodeError):
        encode_frequency_list([-1])


def test_empty_list_is_bitmap0():
    assert choose_format([]) is F.BITMAP_0
    assert decode_frequency_list(encode_frequency_list([])).arfcns == ()
    with pytest.raises(FrequencyListEncodeError):
        encode_frequency_list([], fmt=F.RANGE_1024)


@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_range_tree_uses_exactly_w1_to_wn(data):
    """The balanced pivot rule fills W(1)..W(n) with no holes (decoders that stop at the first null W agree)."""
    range_ = data.draw(st.sampled_from([1024, 512, 256, 128]))
    n_max = {1024: 16, 512: 17, 256: 21, 128: 28}[range_]
    values = data.draw(st.lists(st.integers(1, range_ - 1), unique=True, max_size=n_max))
    w = range_tree_encode(values, range_)
    assert sorted(w) == list(range(1, len(values) + 1))
    assert all(w[k] != 0 for k in w)
    assert sorted(range_tree_decode([0] + [w[k] for k in sorted(w)], range_)) == sorted(values)


def test_range_1024_decoding_matches_the_spec_formula_by_hand():
    # TS 44.018 §10.5.2.13.3: F(2) = (W(1) - 512 + W(2)) smod 1023, F(3) = (W(1) + W(3)) smod 1023,
    # F(4) = (W(1) - 512 + (W(2) - 256 + W(4)) smod 511) smod 1023.
    def smod(n, m):
        return (n - 1) % m + 1

    w = [0, 600, 300, 100, 200]
    got = range_tree_decode(w, 1024)
    assert got == [
        600,
        smod(600 - 512 + 300, 1023),
        smod(600 + 100, 1023),
        smod(600 - 512 + smod(300 - 256 + 200, 511), 1023),
    ]


def test_real_lists_decode():
    # SI2 of the vf_call6 DCS1800 cell: variable bit map from ORIG-ARFCN 730
    si2 = bytes.fromhex("8f6d1810800000000000000000000000")
    fl = decode_frequency_list(si2, ListIE.NEIGHBOUR)
    assert fl.arfcns == (730, 733, 734, 741, 746) and fl.format is F.VARIABLE_BITMAP and fl.orig_arfcn == 730
    assert fl.ba_ind == 0 and fl.ext_ind is False
    # SI2ter of the same cell: Neighbour Cell Description 2, bit map 0, MULTIBAND_REPORTING 3
    si2ter = bytes.fromhex("60000000000004155010000000000aa8")
    fl = decode_frequency_list(si2ter, ListIE.NEIGHBOUR_2)
    assert fl.arfcns == (4, 6, 8, 10, 12, 53, 61, 63, 65, 67, 69, 75) and fl.multiband_reporting == 3
    assert encode_frequency_list(fl.arfcns, ListIE.NEIGHBOUR_2, fl.format, multiband_reporting=3) == si2ter
    assert encode_frequency_list((730, 733, 734, 741, 746), ListIE.NEIGHBOUR, F.VARIABLE_BITMAP) == si2


def test_short_range_list_from_a_frequency_list_ie_decodes():
    full = encode_frequency_list([0, 1, 100, 500], ListIE.FREQUENCY_LIST, F.RANGE_1024)
    assert decode_frequency_list(full[:6], ListIE.FREQUENCY_LIST).arfcns == (0, 1, 100, 500)


@settings(max_examples=3000, deadline=None)
@given(octets=st.binary(min_size=0, max_size=20), ie=st.sampled_from(ALL_IES))
def test_random_octets_decode_or_raise_a_decode_error(octets, ie):
    try:
        fl = decode_frequency_list(octets, ie)
    except L3ParseError as exc:
        assert isinstance(exc, DecodeError)
        return
    assert all(0 <= a <= 1023 for a in fl.arfcns)
    assert list(fl.arfcns) == sorted(set(fl.arfcns))
