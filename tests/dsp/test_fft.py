"""sensor.dsp.fft: scipy's pocketfft transforms without scipy.fft's import, the same results bit for
bit; and the FCCH search's running mean against scipy.ndimage's (to a few float32 ulps)."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.fft
from scipy.ndimage import uniform_filter1d

from sensor.dsp import fft
from sensor.dsp.fcch_search import _mean_at


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("n", [None, 300, 1024, 1500])
def test_complex_transforms_are_scipy_fft_bit_for_bit(dtype, n):
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((7, 1000)) + 1j * rng.standard_normal((7, 1000))).astype(dtype)
    for axis in (-1, 1):
        a, b = fft.fft(x, n, axis=axis), scipy.fft.fft(x, n, axis=axis)
        assert a.dtype == b.dtype and np.array_equal(a, b)
        a, b = fft.ifft(x, n, axis=axis), scipy.fft.ifft(x, n, axis=axis)
        assert a.dtype == b.dtype and np.array_equal(a, b)
    # In place, as the channelizer and the FCCH search call it: the same values, x's buffer reused.
    want = scipy.fft.fft(x.copy(), axis=1)
    y = x.copy()
    got = fft.fft(y, axis=1, overwrite_x=True)
    assert np.array_equal(got, want) and np.shares_memory(got, y)
    strided = x[:, ::2]  # a view: not written to
    before = strided.copy()
    assert np.array_equal(fft.ifft(strided, axis=0), scipy.fft.ifft(before, axis=0))
    assert np.array_equal(strided, before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int16])
@pytest.mark.parametrize("n", [None, 512, 777])
def test_real_transforms_are_scipy_fft_bit_for_bit(dtype, n):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((3, 600)) * 100).astype(dtype)
    a, b = fft.rfft(x, n, axis=-1), scipy.fft.rfft(x, n, axis=-1)
    assert a.dtype == b.dtype and np.array_equal(a, b)
    a, b = fft.irfft(b, n, axis=-1), scipy.fft.irfft(b, n, axis=-1)
    assert a.dtype == b.dtype and np.array_equal(a, b)
    with pytest.raises(TypeError):
        fft.rfft(x + 1j)


def test_next_fast_len_is_scipys():
    for n in range(1, 5000, 7):
        assert fft.next_fast_len(n) == scipy.fft.next_fast_len(n)
        assert fft.next_fast_len(n, True) == scipy.fft.next_fast_len(n, True)


def test_the_receive_path_does_not_import_scipy_fft():
    code = (
        "import sys, sensor.dsp.fft, sensor.dsp.channelizer, sensor.dsp.chanest, sensor.dsp.fcch_search; "
        "sys.exit(int(any(m.startswith(('scipy.fft', 'scipy.ndimage', 'scipy.special')) for m in sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("size", [3, 7, 33])
def test_the_local_mean_is_uniform_filter1d_nearest_where_it_is_made(size):
    rng = np.random.default_rng(3)
    a = (rng.exponential(size=(40, 300)) * 10 ** rng.uniform(-9, 0, size=(40, 300))).astype(np.float32)
    t, f = np.meshgrid(np.arange(40), np.arange(300), indexing="ij")
    t, f = t.ravel(), f.ravel()  # every place, the edges' included
    got = _mean_at(a, t, f, size)
    want = uniform_filter1d(a, size, axis=1, mode="nearest")[t, f]
    assert got.dtype == np.float32
    # Equal but for a few float32 ulps, where ndimage's running sum (sequential, with a value 10⁹
    # larger leaving the window) rounds off what the float64 sums keep.
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
    assert np.mean(got == want) > 0.99
