"""Channel estimation (sensor.dsp.chanest) and soft-output MLSE (sensor.dsp.mlse) on simulated
GMSK normal bursts: clean, static multipath, TU6 Rayleigh snapshots, AWGN, carrier phase and timing
offsets, and end to end through the xCCH decoder."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.coding.xcch import decode_xcch_bursts, encode_xcch
from sensor.dsp.chanest import derotate, estimate_normal_channel, estimate_sch_channel
from sensor.dsp.gmsk import gmsk_modulate, gmsk_phase_rows
from sensor.dsp.mlse import equalize_normal_bursts, equalize_sch_bursts, known_bits_normal, mlse_equalize
from sensor.dsp.prefilter import prefilter
from sensor.gsm.burst import (
    NORMAL_DATA_POSITIONS,
    STEALING_POSITIONS,
    assemble_normal_bursts,
    assemble_sch_bursts,
)
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim.frontend import awgn
from sensor.sim.propagation import TU6_DELAYS_S, TU6_POWERS_DB, fractional_taps

GUARD_BITS = 12  # random bits either side of the burst: the neighbouring timeslots on air
PAYLOAD = np.concatenate((NORMAL_DATA_POSITIONS, STEALING_POSITIONS))


# ---------------------------------------------------------------------------------------------
# Signal helpers


def random_normal_bursts(rng: np.random.Generator, n: int, tsc: int) -> np.ndarray:
    data = rng.integers(0, 2, (n, 114), dtype=np.uint8)
    return assemble_normal_bursts(data, rng.integers(0, 2, (n, 2), dtype=np.uint8), tsc=tsc)


def on_air(bursts: np.ndarray, sps: int, rng: np.random.Generator, *, delay_samples: int = 0) -> tuple[np.ndarray, int]:
    """Modulate each 148-bit burst inside a longer random bit stream (guard bits either side) with a
    random carrier phase; returns (N, n_samples) complex and the sample at which BN0 is centred."""
    n = bursts.shape[0]
    guard = lambda: rng.integers(0, 2, (n, GUARD_BITS), dtype=np.uint8)  # noqa: E731
    stream = np.concatenate((guard(), bursts, guard()), axis=1)
    phase = gmsk_phase_rows(stream, samples_per_symbol=sps, last_bit=1)
    x = np.exp(1j * (phase + rng.uniform(0, 2 * np.pi, (n, 1))))
    if delay_samples:
        x = np.concatenate((np.zeros((n, delay_samples)), x[:, :-delay_samples]), axis=1)
    return x, GUARD_BITS * sps


def add_noise(x: np.ndarray, es_n0_db: float, sps: int, rng: np.random.Generator) -> np.ndarray:
    """White noise at the sample rate with Es/N0 = es_n0_db for a unit-power signal (0 dBFS)."""
    noise = awgn(x.size, noise_dbfs_per_symbol_bw=-es_n0_db, sample_rate_hz=sps * SYMBOL_RATE_HZ, rng=rng)
    return x + noise.reshape(x.shape)


def filter_rows(x: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Causal FIR per row: taps (K,) for all rows or (N, K) one per row; output as long as x."""
    taps = np.atleast_2d(taps)
    out = np.zeros_like(x)
    for d in range(taps.shape[1]):
        out[:, d:] += taps[:, d : d + 1] * x[:, : x.shape[1] - d]
    return out


def tu6_snapshots(n: int, sps: int, rng: np.random.Generator) -> np.ndarray:
    """(N, K) FIRs: TU6 (TS 45.005 Annex C.3) paths with independent Rayleigh gains, each path
    split linearly between its two nearest samples; unit average power."""
    amps = 10 ** (TU6_POWERS_DB / 20) / np.sqrt(np.sum(10 ** (TU6_POWERS_DB / 10)))
    gains = (rng.standard_normal((n, len(amps))) + 1j * rng.standard_normal((n, len(amps)))) / np.sqrt(2) * amps
    pos = TU6_DELAYS_S * sps * SYMBOL_RATE_HZ
    lo = np.floor(pos).astype(int)
    frac = pos - lo
    fir = np.zeros((n, int(lo.max()) + 2), complex)
    for i in range(len(amps)):
        fir[:, lo[i]] += gains[:, i] * (1 - frac[i])
        fir[:, lo[i] + 1] += gains[:, i] * frac[i]
    return fir


def data_ber(result_ubits: np.ndarray, bursts: np.ndarray) -> float:
    return float(np.mean(result_ubits[:, PAYLOAD] != bursts[:, PAYLOAD]))


# ---------------------------------------------------------------------------------------------
# Derotation and the differential encoding


def test_derotated_clean_gmsk_is_real_bpsk_of_the_burst_bits():
    """Linearised GMSK, checked against the modulator: at 1 sps, z_k = x_k·j^(−k) ≈ c·(b_k − j·b_{k−1})
    with b_k = 1 − 2 d_k the *bits* (not the α's) and one complex constant c — the Laurent pulse puts
    equal weight on symbols k−1 and k at t = k, and the derotation turns the earlier one by −j.
    The opposite derotation sign leaves nothing of the kind."""
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, 400).astype(np.uint8)
    x, _ = gmsk_modulate(bits, samples_per_symbol=1)
    b = 1.0 - 2.0 * bits
    model = b[51:351] - 1j * b[50:350]  # for z[51:351]

    def misfit(z: np.ndarray) -> float:
        c = np.vdot(model, z[51:351]) / np.vdot(model, model)
        return float(np.mean(np.abs(z[51:351] - c * model) ** 2) / np.mean(np.abs(z[51:351]) ** 2))

    assert misfit(derotate(x, samples_per_symbol=1)) < 0.01  # the linearisation error only (~0.2 %)
    assert misfit(x * np.exp(+0.5j * np.pi * np.arange(len(x)))) > 0.5
    # The same with the α's in place of the bits does not fit either.
    alpha_bits = bits ^ np.concatenate(([1], bits[:-1]))
    a = 1.0 - 2.0 * alpha_bits
    model = a[51:351] - 1j * a[50:350]
    assert misfit(derotate(x, samples_per_symbol=1)) > 0.3


@pytest.mark.parametrize("sps", [1, 2, 4])
@pytest.mark.parametrize("last_bit", [0, 1])
def test_clean_bursts_decode_to_the_transmitted_bits_not_the_alphas(sps, last_bit):
    rng = np.random.default_rng(10 + sps)
    bursts = random_normal_bursts(rng, 40, tsc=2)
    stream = np.concatenate(
        (
            rng.integers(0, 2, (40, GUARD_BITS), dtype=np.uint8),
            bursts,
            rng.integers(0, 2, (40, GUARD_BITS), dtype=np.uint8),
        ),
        axis=1,
    )
    x = np.exp(1j * gmsk_phase_rows(stream, samples_per_symbol=sps, last_bit=last_bit))
    r = equalize_normal_bursts(x, burst_start_sample=GUARD_BITS * sps, tsc=2, samples_per_symbol=sps)
    np.testing.assert_array_equal(r.ubits, bursts)
    # The α's differ from the bits: decoding to them would fail this.
    alphas_as_bits = bursts ^ np.concatenate((stream[:, GUARD_BITS - 1 : GUARD_BITS], bursts[:, :-1]), axis=1)
    assert np.mean(r.ubits != alphas_as_bits) > 0.3
    assert r.sbits.dtype == np.float32 and r.sbits.shape == (40, 148)
    np.testing.assert_array_equal(r.sbits < 0, r.ubits.astype(bool))
    assert np.all(np.abs(r.sbits[:, PAYLOAD]) > 5)


# ---------------------------------------------------------------------------------------------
# Channel estimate, timing, SNR


@pytest.mark.parametrize("sps, fractional", [(1, False), (4, False), (4, True)])
def test_timing_follows_a_delay_and_clean_reference_is_zero(sps, fractional):
    rng = np.random.default_rng(3)
    bursts = random_normal_bursts(rng, 30, tsc=5)

    def estimate(x, start):
        x = x if fractional else prefilter(x, samples_per_symbol=sps)
        return estimate_normal_channel(
            x, burst_start_sample=start, tsc=5, samples_per_symbol=sps, fractional=fractional
        )

    for delay in (0, sps, 2 * sps + (1 if sps > 1 else 0)):
        x, start = on_air(bursts, sps, rng, delay_samples=delay)
        ch = estimate(add_noise(x, 25, sps, rng), start)
        np.testing.assert_allclose(ch.toa_samples, delay, atol=0.15 * sps)
        # The window follows the delay. Symbol-spaced at sps > 1 it sits about half a symbol early,
        # and after the half-symbol-rate low-pass every sampling phase holds nearly the same energy,
        # so the phase is anyone's: only the arrival time (toa) is sharp there.
        window_ref = delay - (sps // 2 if not fractional else 0)
        tol = max(1, sps // 4) if fractional else sps
        assert np.all(np.abs(ch.timing_offset_samples - window_ref) <= tol), ch.timing_offset_samples
        np.testing.assert_array_equal(ch.first_tap_sample, start + ch.timing_offset_samples - sps)
    # A fractional delay (linear interpolation between samples) moves the arrival by that fraction.
    if sps == 4:
        x, start = on_air(bursts, sps, rng)
        ch = estimate(filter_rows(x, np.array([0.5, 0.5])), start)  # half a sample = 1/8 symbol
        np.testing.assert_allclose(ch.toa_samples, 0.5, atol=0.1)


def test_channel_estimate_of_static_multipath_matches_the_true_composite_response():
    """At 4 sps, taps at 0, 1, 2 µs: the estimate equals the clean GMSK response convolved with the
    channel (derived independently from a clean estimate), and the SNR estimate follows Es/N0."""
    sps, rng = 4, np.random.default_rng(4)
    fs = sps * SYMBOL_RATE_HZ
    fir = fractional_taps(np.array([0.0, 1e-6, 2e-6]), np.array([0.0, -3.0, -6.0]), fs).astype(complex)
    fir *= np.exp(0.7j)
    bursts = random_normal_bursts(rng, 50, tsc=0)
    x, start = on_air(bursts, sps, rng)
    ch0 = estimate_normal_channel(x, burst_start_sample=start, tsc=0, samples_per_symbol=sps, n_taps=7, fractional=True)
    y = filter_rows(x, fir)
    ch = estimate_normal_channel(
        add_noise(y, 20, sps, rng), burst_start_sample=start, tsc=0, samples_per_symbol=sps, n_taps=7, fractional=True
    )
    # Composite response on the sample grid: clean taps (per burst, carrier phase differs) ⊗ fir.
    for i in range(5):
        h0 = np.zeros(7 * sps + 16, complex)
        off0 = ch0.first_tap_sample[i] - start + 8
        h0[off0 : off0 + 7 * sps] = ch0.taps[i].reshape(-1)  # (l, p) → sample delay l·sps + p
        # The channel acts before the derotation: in the derotated domain its tap d turns by j^(−d/sps).
        true = np.convolve(h0, fir * np.exp(-0.5j * np.pi * np.arange(len(fir)) / sps))[: len(h0)]
        off = ch.first_tap_sample[i] - start + 8
        est = np.zeros_like(h0)
        est[off : off + 7 * sps] = ch.taps[i].reshape(-1)
        err = np.sum(np.abs(est - true) ** 2) / np.sum(np.abs(true) ** 2)
        assert err < 0.02, (i, err)
    rx_power_db = 10 * np.log10(np.mean(np.abs(y[:, 40:-40]) ** 2))  # the paths add up unevenly
    assert abs(np.median(ch.snr_db) - (20 + rx_power_db)) < 1.5, (np.median(ch.snr_db), rx_power_db)


@pytest.mark.parametrize("sps, fractional", [(1, False), (4, False), (4, True)])
def test_snr_estimate_tracks_es_n0(sps, fractional):
    rng = np.random.default_rng(5)
    bursts = random_normal_bursts(rng, 100, tsc=1)
    x, start = on_air(bursts, sps, rng)
    for es_n0 in (3, 10, 15):
        y = add_noise(x, es_n0, sps, rng)
        y = y if fractional else prefilter(y, samples_per_symbol=sps)
        ch = estimate_normal_channel(y, burst_start_sample=start, tsc=1, samples_per_symbol=sps, fractional=fractional)
        assert abs(np.median(ch.snr_db) - es_n0) < 1.0, (es_n0, np.median(ch.snr_db))
        assert ch.taps.shape == (100, 5, sps if fractional else 1)


# ---------------------------------------------------------------------------------------------
# Bit errors


ECHO_DELAYS_S = np.array([0.0, 1.8e-6, 3.7e-6])  # 0, ~½ and ~1 symbol: real intersymbol interference
ECHO_POWERS_DB = np.array([0.0, -2.0, -4.0])


@pytest.mark.parametrize("sps, fractional", [(1, False), (2, False), (4, False), (4, True)])
@pytest.mark.parametrize("channel", ["none", "static", "tu6"])
def test_zero_errors_at_high_snr_and_ber_falls_with_snr(sps, fractional, channel):
    rng = np.random.default_rng(100 + sps)
    n = 150
    bursts = random_normal_bursts(rng, n, tsc=3)
    x, start = on_air(bursts, sps, rng, delay_samples=sps // 2)  # a small timing offset …
    x = filter_rows(x, np.array([0.6, 0.4]))  # … and a fractional one (0.4 sample)
    fs = sps * SYMBOL_RATE_HZ
    if channel == "static":
        x = filter_rows(x, fractional_taps(ECHO_DELAYS_S, ECHO_POWERS_DB, fs))
    elif channel == "tu6":
        x = filter_rows(x, tu6_snapshots(n, sps, rng))
    bers = []
    for es_n0 in (3, 8, 30):
        r = equalize_normal_bursts(
            add_noise(x, es_n0, sps, rng),
            burst_start_sample=start,
            tsc=3,
            samples_per_symbol=sps,
            fractional=fractional,
        )
        bers.append(data_ber(r.ubits, bursts))
    if channel == "tu6":
        assert bers[2] < 0.002  # independent Rayleigh snapshots: an odd burst in a deep fade
    else:
        assert bers[2] == 0.0
    assert bers[0] > bers[1] >= bers[2], bers
    assert bers[0] < 0.2


@pytest.mark.parametrize("sps", [1, 4])
def test_soft_magnitudes_larger_for_correct_bits(sps):
    rng = np.random.default_rng(7)
    bursts = random_normal_bursts(rng, 300, tsc=4)
    x, start = on_air(bursts, sps, rng)
    r = equalize_normal_bursts(add_noise(x, 4, sps, rng), burst_start_sample=start, tsc=4, samples_per_symbol=sps)
    s = r.sbits[:, PAYLOAD]
    wrong = r.ubits[:, PAYLOAD] != bursts[:, PAYLOAD]
    assert 50 < wrong.sum() < 0.1 * wrong.size
    assert np.mean(np.abs(s[~wrong])) > 3 * np.mean(np.abs(s[wrong]))
    # LLRs are calibrated: among bits with |LLR| ≈ 2, the error rate ≈ 1/(1 + e^2) ≈ 0.12.
    band = (np.abs(s) > 1.5) & (np.abs(s) < 2.5)
    assert 0.05 < wrong[band].mean() < 0.25
    rates = [wrong[(np.abs(s) >= lo) & (np.abs(s) < hi)].mean() for lo, hi in ((0, 1), (2, 3), (5, 8))]
    assert rates[0] > rates[1] > rates[2], rates


def test_mixed_training_sequences_in_one_batch():
    rng = np.random.default_rng(14)
    tscs = rng.integers(0, 8, 64)
    bursts = np.stack([random_normal_bursts(rng, 1, tsc=int(t))[0] for t in tscs])
    x, start = on_air(bursts, 2, rng)
    r = equalize_normal_bursts(add_noise(x, 20, 2, rng), burst_start_sample=start, tsc=tscs, samples_per_symbol=2)
    np.testing.assert_array_equal(r.ubits, bursts)
    # The wrong TSC gives a poor fit: the SNR estimate collapses.
    wrong = equalize_normal_bursts(
        add_noise(x, 20, 2, rng), burst_start_sample=start, tsc=(tscs + 1) % 8, samples_per_symbol=2
    )
    assert np.median(wrong.channel.snr_db) < np.median(r.channel.snr_db) - 10


def test_sch_bursts_equalise():
    rng = np.random.default_rng(8)
    data = rng.integers(0, 2, (50, 78), dtype=np.uint8)
    bursts = assemble_sch_bursts(data)
    for sps in (1, 4):
        x, start = on_air(bursts, sps, rng, delay_samples=sps)
        r = equalize_sch_bursts(
            add_noise(x, 15, sps, rng), burst_start_sample=start, samples_per_symbol=sps, search_symbols=3
        )
        np.testing.assert_array_equal(r.ubits, bursts)
        np.testing.assert_allclose(r.channel.toa_samples, sps, atol=0.25 * sps)
        ch = estimate_sch_channel(x, burst_start_sample=start, samples_per_symbol=sps, search_symbols=3)
        assert np.all(ch.snr_db > 20)


def test_known_bits_anchor_the_trellis():
    """The known bits constrain the paths themselves, not only the output: anchored decisions carry
    the known values, and at low SNR the data bits' LLRs change (toward the truth, on average, next
    to the known bits) against a free trellis on the same channel estimate."""
    rng = np.random.default_rng(9)
    bursts = random_normal_bursts(rng, 200, tsc=6)
    x, start = on_air(bursts, 2, rng)
    mask, bits = known_bits_normal(6)
    for es_n0, exact in ((20, True), (0, False)):
        y = prefilter(add_noise(x, es_n0, 2, rng), samples_per_symbol=2)
        ch = estimate_normal_channel(y, burst_start_sample=start, tsc=6, samples_per_symbol=2)
        anchored = mlse_equalize(y, ch, known_mask=mask, known_ubits=bits)
        free = mlse_equalize(y, ch)
        np.testing.assert_array_equal(anchored.ubits[:, mask], np.broadcast_to(bits[mask], (200, mask.sum())))
        if exact:
            np.testing.assert_array_equal(anchored.ubits, bursts)
            np.testing.assert_array_equal(free.ubits, bursts)  # unanchored, known positions right too
        else:
            assert np.mean(free.ubits[:, mask] != bits[mask]) > 0.02  # the free trellis errs there
            assert np.mean(anchored.sbits[:, ~mask] != free.sbits[:, ~mask]) > 0.02
            near = np.r_[3:6, 57:61, 87:91, 142:145]
            truth = 1.0 - 2.0 * bursts[:, near]
            assert np.mean(anchored.sbits[:, near] * truth) > np.mean(free.sbits[:, near] * truth)


def test_rows_partly_missing_do_not_crash():
    rng = np.random.default_rng(11)
    bursts = random_normal_bursts(rng, 4, tsc=0)
    x, start = on_air(bursts, 1, rng)
    cut = x[:, start - 1 : start + 150]  # hardly any guard: the edges are outside the rows
    r = equalize_normal_bursts(cut, burst_start_sample=1, tsc=0, samples_per_symbol=1)
    assert data_ber(r.ubits, bursts) < 0.02


# ---------------------------------------------------------------------------------------------
# End to end: xCCH blocks, soft vs hard


def _xcch_through_channel(sps: int, es_n0_db: float, n_blocks: int, seed: int):
    rng = np.random.default_rng(seed)
    frames = rng.integers(0, 256, (n_blocks, 23), dtype=np.uint8)
    bursts = encode_xcch(frames).bursts(tsc=7).reshape(-1, 148)
    x, start = on_air(bursts, sps, rng, delay_samples=1)
    x = filter_rows(x, tu6_snapshots(len(bursts), sps, rng))
    r = equalize_normal_bursts(
        add_noise(x, es_n0_db, sps, rng), burst_start_sample=start, tsc=7, samples_per_symbol=sps
    )
    soft = decode_xcch_bursts(r.sbits.reshape(n_blocks, 4, 148))
    hard = decode_xcch_bursts((1.0 - 2.0 * r.ubits).reshape(n_blocks, 4, 148))
    return frames, soft, hard


@pytest.mark.parametrize("sps", [1, 4])
def test_xcch_end_to_end_soft_beats_hard(sps):
    """200 xCCH blocks through TU6 Rayleigh snapshots at Es/N0 8 dB: the equaliser's soft bits
    decode more blocks than the signs of the same bits (the gr-gsm way), all of them right."""
    frames, soft, hard = _xcch_through_channel(sps=sps, es_n0_db=8.0, n_blocks=200, seed=12)
    soft_ok = soft.crc_ok & np.all(soft.octets == frames, axis=1)
    hard_ok = hard.crc_ok & np.all(hard.octets == frames, axis=1)
    assert soft_ok.mean() > 0.7
    assert soft_ok.sum() > hard_ok.sum() + 5, (soft_ok.sum(), hard_ok.sum())
    assert np.all(soft.octets[soft.crc_ok] == frames[soft.crc_ok])


def test_xcch_end_to_end_high_snr_all_blocks():
    rng = np.random.default_rng(13)
    frames = rng.integers(0, 256, (10, 23), dtype=np.uint8)
    bursts = encode_xcch(frames).bursts(tsc=7).reshape(-1, 148)
    x, start = on_air(bursts, 4, rng)
    r = equalize_normal_bursts(add_noise(x, 9.0, 4, rng), burst_start_sample=start, tsc=7, samples_per_symbol=4)
    res = decode_xcch_bursts(r.sbits.reshape(10, 4, 148))
    assert res.crc_ok.all()
    np.testing.assert_array_equal(res.octets, frames)


def test_residual_frequency_offset_is_tracked():
    """450 Hz of residual carrier offset turns the phase by ±0.8 rad at the burst's ends: errors
    without tracking, none with two decision-directed passes, and the offset is measured."""
    rng = np.random.default_rng(15)
    bursts = random_normal_bursts(rng, 100, tsc=2)
    for sps in (1, 4):
        x, start = on_air(bursts, sps, rng)
        x = x * np.exp(2j * np.pi * 450.0 * np.arange(x.shape[1]) / (sps * SYMBOL_RATE_HZ))
        y = add_noise(x, 15, sps, rng)
        plain = equalize_normal_bursts(y, burst_start_sample=start, tsc=2, samples_per_symbol=sps)
        tracked = equalize_normal_bursts(y, burst_start_sample=start, tsc=2, samples_per_symbol=sps, frequency_passes=2)
        assert plain.frequency_offset_hz is None
        assert data_ber(plain.ubits, bursts) > 0.005
        assert data_ber(tracked.ubits, bursts) == 0.0
        np.testing.assert_allclose(np.median(tracked.frequency_offset_hz), 450.0, atol=20)


@pytest.mark.parametrize("sps", [2, 4])
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7, 200), (300, 188), (1, 37), (5,), (3, 4, 90), (2, 3)])
def test_prefilter_is_the_same_convolution_as_scipy_signal(sps, dtype, shape):
    """The prefilter's FFT convolution (no scipy.signal on the receive path: its import costs ~0.6 s)
    gives scipy.signal.fftconvolve(mode="same")'s result bit for bit, in its precision and shape."""
    from scipy.signal import fftconvolve

    from sensor.dsp.prefilter import prefilter_taps

    rng = np.random.default_rng(sum(shape) + sps)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    single = dtype in (np.complex64, np.float32)
    kernel = prefilter_taps(sps).astype(np.float32 if single else np.float64).reshape((1,) * (x.ndim - 1) + (-1,))
    want = fftconvolve(x, kernel, mode="same", axes=-1).astype(np.complex64 if single else np.complex128)
    got = prefilter(x, samples_per_symbol=sps)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert np.array_equal(got, want)
