"""Propagation and receiver front-end models: levels, statistics and streaming are right."""

import numpy as np
import pytest

from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim.frontend import add_dc, awgn, iq_imbalance, quantise
from sensor.sim.propagation import (
    PathLossModel,
    distance_m,
    faded_multipath,
    fading_state,
    fractional_taps,
    rayleigh_gains,
    static_multipath,
)


def test_awgn_power_is_per_symbol_bandwidth():
    rng = np.random.default_rng(0)
    fs = 2.4e6
    n = awgn(1_000_000, noise_dbfs_per_symbol_bw=-40.0, sample_rate_hz=fs, rng=rng)
    total = 10 * np.log10(np.mean(np.abs(n) ** 2))
    assert total == pytest.approx(-40 + 10 * np.log10(fs / SYMBOL_RATE_HZ), abs=0.05)


def test_dc_and_iq_imbalance():
    x = np.exp(2j * np.pi * 410 / 4096 * np.arange(4096)).astype(np.complex64)
    y = add_dc(x, dc_dbfs=-30)
    assert 20 * np.log10(abs(np.mean(y))) == pytest.approx(-30, abs=0.5)
    z = iq_imbalance(x, gain_db=0.5, phase_deg=2.0)
    spec = np.abs(np.fft.fft(z)) ** 2
    rejection_db = 10 * np.log10(spec.max() / spec[4096 - 410])
    g, phi = 10 ** (0.5 / 20), np.deg2rad(2.0)
    expected = 10 * np.log10((1 + 2 * g * np.cos(phi) + g * g) / (1 - 2 * g * np.cos(phi) + g * g))
    assert rejection_db == pytest.approx(expected, abs=0.3)
    assert 25 < rejection_db < 40


def test_quantise_cu8_clips_and_counts():
    x = np.array([0.5 + 0.5j, 1.5 - 0.2j, -2 + 0j], np.complex64)
    y, clipped = quantise(x, "cu8")
    assert clipped == 2
    assert np.abs(y.view(np.float32)).max() <= 1.0
    assert abs(y[0] - x[0]) < 1 / 128


def test_path_loss_and_shadowing_statistics():
    m = PathLossModel(exponent=3.0, ref_loss_db=40.0, shadowing_sigma_db=6.0, decorrelation_m=50.0)
    assert m.mean_loss_db(np.array([1.0, 10.0, 1000.0])) == pytest.approx([40.0, 70.0, 130.0])
    s = m.shadowing_db(np.arange(0, 200_000, 10.0), np.random.default_rng(1))
    assert np.std(s) == pytest.approx(6.0, rel=0.1)
    lag = 5  # 50 m apart: correlation e^-1
    assert np.corrcoef(s[:-lag], s[lag:])[0, 1] == pytest.approx(np.exp(-1), abs=0.05)


def test_distance_is_haversine():
    # One degree of latitude is ~111.2 km.
    assert distance_m(30.0, 120.0, 31.0, 120.0) == pytest.approx(111_195, rel=1e-3)


def test_static_taps_keep_power_and_delay():
    taps = fractional_taps(np.array([0.0, 1.5e-6]), np.array([0.0, -3.0]), 1e6)
    assert np.sum(np.abs(taps) ** 2) <= 1.0 + 1e-6
    y, _ = static_multipath(np.r_[1, np.zeros(9)].astype(np.complex64), taps)
    assert y[0] == pytest.approx(taps[0]) and abs(y[1]) > 0 and abs(y[2]) > 0
    x = np.random.default_rng(0).standard_normal(1000).astype(np.complex64)
    whole, _ = static_multipath(x, taps)
    a, tail = static_multipath(x[:333], taps)
    b, _ = static_multipath(x[333:], taps, tail)
    np.testing.assert_allclose(np.concatenate([a, b]), whole, atol=1e-6)


def test_rayleigh_gains_have_unit_power_and_rayleigh_envelope():
    st = fading_state(6, 50.0, np.random.default_rng(2), oscillators=32)
    g = rayleigh_gains(st, np.arange(0, 200.0, 0.001))
    assert np.mean(np.abs(g) ** 2) == pytest.approx(1.0, rel=0.1)
    # Rayleigh: P(|g|^2 < 0.1) = 1 - e^-0.1 ≈ 0.095 (deep fades happen).
    assert np.mean(np.abs(g[0]) ** 2 < 0.1) == pytest.approx(0.095, abs=0.03)


def test_faded_multipath_streams_in_pieces():
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(20000) + 1j * rng.standard_normal(20000)).astype(np.complex64)
    st0 = fading_state(6, 40.0, np.random.default_rng(4))
    whole, _ = faded_multipath(x, sample_rate_hz=1.0833e6, state=st0)
    a, st = faded_multipath(x[:7000], sample_rate_hz=1.0833e6, state=st0)
    b, _ = faded_multipath(x[7000:], sample_rate_hz=1.0833e6, state=st)
    np.testing.assert_allclose(np.concatenate([a, b])[:6900], whole[:6900], atol=1e-5)
    # Gains are interpolated on a grid that restarts per call: tiny differences after the cut only.
    assert np.abs(np.concatenate([a, b]) - whole).max() < 0.05 * np.abs(whole).max()


def test_noise_source_level_whiteness_and_variety():
    from sensor.sim.frontend import NoiseSource

    src = NoiseSource(np.random.default_rng(9))
    a = src.noise(500_000, noise_dbfs_per_symbol_bw=-50.0, sample_rate_hz=2.4e6)
    b = src.noise(500_000, noise_dbfs_per_symbol_bw=-50.0, sample_rate_hz=2.4e6)
    expected = -50 + 10 * np.log10(2.4e6 / SYMBOL_RATE_HZ)
    assert 10 * np.log10(np.mean(np.abs(a) ** 2)) == pytest.approx(expected, abs=0.05)
    spec = np.abs(np.fft.fft(a[: 1 << 18].reshape(256, 1024), axis=1)) ** 2
    flat = spec.mean(axis=0)
    assert flat.max() / flat.mean() < 1.5  # white: no spectral lines (256 averages: max ≈ 1.3)
    assert abs(np.vdot(a, b)) / np.sqrt(np.vdot(a, a).real * np.vdot(b, b).real) < 0.05  # calls differ
    big = src.noise(3 << 20, noise_dbfs_per_symbol_bw=-50.0, sample_rate_hz=20e6)
    assert len(big) == 3 << 20
