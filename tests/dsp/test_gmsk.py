"""GMSK modulator (TS 45.004): tone for the FCCH, constant envelope, bits recoverable, streaming."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.dsp import gmsk
from sensor.dsp.gmsk import differential_alphas, gmsk_modulate, phase_response
from sensor.gsm.tdma import SYMBOL_RATE_HZ


def _detect_alphas(x, sps, n_bits):
    """The phase turn from half a symbol before to half a symbol after each symbol centre is
    0.65·α_i·π/2 plus at most 0.35·π/2 from the neighbours: its sign is α_i."""
    i = np.arange(n_bits)
    a = np.round((i - 0.5) * sps).astype(int)
    b = np.round((i + 0.5) * sps).astype(int)
    ok = (a >= 0) & (b < len(x))
    turn = np.angle(x[b[ok]] * np.conj(x[a[ok]]))
    return np.sign(turn), np.flatnonzero(ok)


def test_phase_response_shape():
    g = phase_response(np.array([-4.0, -0.5, 0.0, 0.5, 4.0]))
    np.testing.assert_allclose(g, [0, 0.1744106, 0.5, 0.8255894, 1], atol=1e-6)


def test_fcch_is_a_tone_a_quarter_of_the_symbol_rate_above_the_carrier():
    x, _ = gmsk_modulate(np.zeros(600, np.uint8), samples_per_symbol=4)
    freq_hz = np.angle(x[1:] * np.conj(x[:-1])) * 4 * SYMBOL_RATE_HZ / (2 * np.pi)
    np.testing.assert_allclose(freq_hz[40:-40], SYMBOL_RATE_HZ / 4, rtol=1e-5)


@pytest.mark.parametrize("sps", [1, 2, 4, 8, 8.8615384, 3.7])
def test_envelope_constant_and_bits_recoverable(sps):
    bits = np.random.default_rng(5).integers(0, 2, 3000).astype(np.uint8)
    x, _ = gmsk_modulate(bits, samples_per_symbol=sps)
    assert x.dtype == np.complex64
    np.testing.assert_allclose(np.abs(x), 1.0, atol=1e-5)
    if sps >= 2:
        got, where = _detect_alphas(x, sps, len(bits))
        np.testing.assert_array_equal(got, differential_alphas(bits, 1)[where])


def test_integer_path_equals_exact_evaluation():
    bits = np.random.default_rng(1).integers(0, 2, 2000).astype(np.uint8)
    fast, _ = gmsk_modulate(bits, samples_per_symbol=4)
    t = np.arange(len(fast)) / 4
    exact = np.exp(0.5j * np.pi * gmsk._phase_units_exact(differential_alphas(bits, 1), t))
    assert np.abs(fast - exact).max() < 1e-6


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 200), min_size=1, max_size=12), st.sampled_from([4, 2, 8.8615384]))
def test_streaming_in_pieces_equals_one_call(cuts, sps):
    bits = np.random.default_rng(len(cuts)).integers(0, 2, sum(cuts)).astype(np.uint8)
    whole, _ = gmsk_modulate(bits, samples_per_symbol=sps)
    state, parts, i = None, [], 0
    for n in cuts:
        part, state = gmsk_modulate(bits[i : i + n], samples_per_symbol=sps, state=state)
        parts.append(part)
        i += n
    pieces = np.concatenate(parts)
    assert len(pieces) == len(whole)
    if len(whole):
        assert np.abs(pieces - whole).max() < 1e-5


def test_spectrum_is_gmsk_narrow():
    """99 % of the power of random GMSK (BT 0.3) lies within about ±125 kHz of the carrier."""
    bits = np.random.default_rng(2).integers(0, 2, 40000).astype(np.uint8)
    x, _ = gmsk_modulate(bits, samples_per_symbol=8)
    f = np.fft.fftfreq(len(x), 1 / (8 * SYMBOL_RATE_HZ))
    p = np.abs(np.fft.fft(x)) ** 2
    inside = p[np.abs(f) <= 125e3].sum() / p.sum()
    assert 0.985 < inside < 0.999


@pytest.mark.parametrize("sps", [2, 4])
def test_rows_equal_one_by_one(sps):
    from sensor.dsp.gmsk import GmskState, gmsk_phase, gmsk_phase_rows

    bits = np.random.default_rng(sps).integers(0, 2, (7, 170)).astype(np.uint8)
    rows = gmsk_phase_rows(bits, samples_per_symbol=sps, last_bit=1)
    for r in range(len(bits)):
        one, _ = gmsk_phase(bits[r], samples_per_symbol=sps, state=GmskState(last_bit=1))
        np.testing.assert_allclose(rows[r], one, atol=1e-9)
