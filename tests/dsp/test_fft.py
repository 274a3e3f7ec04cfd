"""sensor.dsp.fft: scipy's pocketfft transforms without scipy.fft's import, the same results bit for
bit; and a replay's imports leave scipy (and numba, behind the ahead-of-time twins) out."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.fft

from sensor.dsp import fft


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


def test_the_replay_command_does_not_import_scipy():
    """scipy.fft's package (its array-API layer, numpy.testing, f2py, scipy.special) cost a
    replay ~0.25 s of start-up; none of scipy is imported by the replay command's module."""
    code = "import sys, sensor.commands.replay; sys.exit(int(any(m.split('.')[0] == 'scipy' for m in sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("n", [546, 2592, 20160])
@pytest.mark.parametrize("rows", [5, 13, 37])
def test_a_batch_on_several_threads_is_the_same_bit_for_bit(n, rows):
    """A large batch is split between threads (rows a thread gets may go through pocketfft's
    one-transform path rather than its vectorised one): every value as on one thread."""
    rng = np.random.default_rng(rows)
    x = (rng.standard_normal((rows, n)) + 1j * rng.standard_normal((rows, n))).astype(np.complex64)
    for transform in (fft.fft, fft.ifft):
        one = transform(x, axis=1, workers=1)
        for workers in (2, 3):
            got = transform(x, axis=1, workers=workers)
            assert got.tobytes() == one.tobytes()


def test_the_thread_count_comes_from_the_variable_or_is_one(monkeypatch):
    from sensor import threads
    from sensor.errors import ConfigError

    monkeypatch.setenv(threads.ENV, "3")
    threads.set_threads(None)
    assert threads.threads() == 3
    threads.set_threads(1)
    assert threads.threads() == 1
    monkeypatch.delenv(threads.ENV)
    threads.set_threads(None)
    assert threads.threads() == 1
    monkeypatch.setenv(threads.ENV, "none")
    threads.set_threads(None)
    with pytest.raises(ConfigError, match="FBS_SENSOR_THREADS"):
        threads.threads()
    monkeypatch.delenv(threads.ENV)
    threads.set_threads(None)
    # A batch below PARALLEL_MIN values stays on the calling thread, whatever the count.
    assert fft._nthreads(np.zeros((4, 100), np.complex64), 1, 8) == 1
    assert fft._nthreads(np.zeros((64, 8192), np.complex64), 1, 8) == 8
    assert fft._nthreads(np.zeros((1, 1 << 20), np.complex64), 1, 8) == 1
