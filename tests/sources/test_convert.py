import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.errors import InputError
from sensor.sources.convert import from_complex64, parse_datatype, to_complex64

INT_TYPES = ["ci8", "cu8", "ci16_le", "ci16_be", "cu16_le", "cu16_be"]
FLOAT_TYPES = ["cf32_le", "cf32_be", "cf64_le", "cf64_be"]


@pytest.mark.parametrize("name", INT_TYPES)
def test_integer_types_round_trip_exactly(name):
    dt = parse_datatype(name)
    info = np.iinfo(dt.component_dtype)
    raw = np.random.default_rng(7).integers(info.min, info.max, 4000, endpoint=True).astype(dt.component_dtype)
    samples = to_complex64(raw, name)
    assert samples.dtype == np.complex64 and samples.shape == (2000,)
    assert np.abs(samples.view(np.float32)).max() <= 1.0
    np.testing.assert_array_equal(from_complex64(samples, name), raw)


@pytest.mark.parametrize("name", FLOAT_TYPES)
def test_float_types_round_trip(name):
    x = (np.random.default_rng(3).standard_normal(1000) + 1j * np.random.default_rng(4).standard_normal(1000)).astype(
        np.complex64
    )
    stored = from_complex64(x, name)
    assert stored.dtype == parse_datatype(name).component_dtype
    np.testing.assert_array_equal(to_complex64(stored, name), x)


def test_cu8_matches_rtl_sdr_convention():
    # 127.5 is zero: the byte pair (0, 255) is -127.5/128 - 1j*... and (255, 0) its mirror.
    got = to_complex64(np.array([0, 255, 255, 0, 128, 127], np.uint8), "cu8")
    np.testing.assert_allclose(got, [(-127.5 + 127.5j) / 128, (127.5 - 127.5j) / 128, (0.5 - 0.5j) / 128])


def test_ci8_scaling_and_sign():
    got = to_complex64(np.array([-128, 127, 1, -1], np.int8), "ci8")
    np.testing.assert_allclose(got, [(-128 + 127j) / 128, (1 - 1j) / 128])


def test_big_endian_differs_from_little():
    raw = np.array([1, 2], dtype=">i2")
    np.testing.assert_allclose(to_complex64(raw, "ci16_be"), [(1 + 2j) / 32768])


@pytest.mark.parametrize("bad", ["cf32", "ci16", "ci8_le", "cx32_le", "float32", "", "rf32_le"])
def test_bad_datatypes_rejected(bad):
    with pytest.raises(InputError):
        to_complex64(np.zeros(8, np.uint8), bad)


def test_partial_sample_rejected():
    with pytest.raises(InputError, match="whole number"):
        to_complex64(np.zeros(7, np.uint8), "ci16_le")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.complex_numbers(max_magnitude=0.99, allow_nan=False), min_size=1, max_size=200))
def test_quantisation_error_is_bounded(values):
    x = np.array(values, dtype=np.complex64)
    for name, lsb in (("ci8", 1 / 128), ("cu8", 1 / 128), ("ci16_le", 1 / 32768)):
        back = to_complex64(from_complex64(x, name), name)
        err = np.abs((back - x).view(np.float32)).max()
        assert err <= lsb / 2 + 1e-6


@pytest.mark.parametrize("name", ["cu8", "ci8"])
def test_every_8_bit_pair_exactly_its_value(name):
    # every (I, Q) byte pair, compared bit for bit with the value worked out in float64 (exact here:
    # the offset is a half and the scale a power of two, so float32 holds each value exactly)
    dt = parse_datatype(name)
    raw = np.arange(65536, dtype=np.uint16).view(np.uint8)
    comp = raw.view(dt.component_dtype).astype(np.float64)
    want = ((comp - dt.offset) / dt.full_scale).astype(np.float32).view(np.complex64)
    got = to_complex64(raw, name)
    assert got.dtype == np.complex64 and got.flags.c_contiguous
    assert np.array_equal(got.view(np.uint64), want.view(np.uint64))
