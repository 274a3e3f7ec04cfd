"""The receive path's FFTs: scipy's pocketfft transforms, called without importing ``scipy.fft``.

``scipy.fft`` costs a process ~0.25 s of start-up (its array-API layer, numpy.testing and f2py,
and scipy.special behind its FFTLog), for transforms that are one call each into scipy's compiled
pocketfft module. That module is loaded here from scipy's installed files by itself, and called
exactly as ``scipy.fft`` calls it (the same arguments: the same results, bit for bit,
``tests/dsp/test_fft.py``): ``fft``, ``ifft``, ``rfft``, ``irfft`` along one axis, with
``n`` (zero-padding or cutting that axis) and the default normalisation, and ``next_fast_len``.
A large batch (``PARALLEL_MIN`` values or more, several transforms) is split between
``sensor.threads.threads()`` threads (pocketfft's own; each transform is computed as on one, so
the results are the same bit for bit); ``workers`` says how many for one call.
Where the module is not where it is expected (another scipy layout), ``scipy.fft`` itself is used.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np

from sensor.threads import threads

PARALLEL_MIN = 1 << 18  # values in a batch worth handing to several threads (smaller: the hand-off costs more)


def _load_pocketfft() -> ModuleType | None:
    """scipy's compiled pocketfft binding, loaded without running scipy.fft's package (None if absent)."""
    try:
        spec = importlib.util.find_spec("scipy")
        if spec is None or not spec.submodule_search_locations:
            return None
        where = Path(next(iter(spec.submodule_search_locations))) / "fft" / "_pocketfft"
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = where / f"pypocketfft{suffix}"
            if path.is_file():
                ext = importlib.util.spec_from_file_location("pypocketfft", path)
                if ext is None or ext.loader is None:
                    return None
                module = importlib.util.module_from_spec(ext)
                ext.loader.exec_module(module)
                needed = ("c2c", "r2c", "c2r", "good_size")
                return module if all(hasattr(module, n) for n in needed) else None
    except (ImportError, OSError):
        return None
    return None


_pf = _load_pocketfft()
if _pf is None:  # pragma: no cover - another scipy layout: the public module
    import scipy.fft as _scipy_fft
else:
    _scipy_fft = None


def _as_float(x: np.ndarray) -> np.ndarray:
    """Float or complex, native byte order, aligned (float16 → float32, integers → float64)."""
    x = np.asarray(x)
    if x.dtype == np.float16:
        return np.asarray(x, np.float32)
    if x.dtype.kind not in "fc":
        return np.asarray(x, np.float64)
    return np.array(x, dtype=x.dtype.newbyteorder("="), copy=None if x.flags["ALIGNED"] else True)


def _fit(x: np.ndarray, n: int, axis: int) -> tuple[np.ndarray, bool]:
    """``x`` cut or zero-padded to ``n`` along ``axis``; whether it is a new array."""
    if n < 1:
        raise ValueError(f"invalid number of data points ({n}) specified")
    index = [slice(None)] * x.ndim
    if x.shape[axis] >= n:
        index[axis] = slice(0, n)
        return x[tuple(index)], False
    index[axis] = slice(0, x.shape[axis])
    shape = list(x.shape)
    shape[axis] = n
    z = np.zeros(shape, x.dtype)
    z[tuple(index)] = x[tuple(index)]
    return z, True


def _nthreads(x: np.ndarray, axis: int, workers: int | None) -> int:
    if x.ndim < 2 or x.size < PARALLEL_MIN or x.shape[axis] == x.size:
        return 1
    return threads() if workers is None else max(1, workers)


def _c2c(forward: bool, x: np.ndarray, n: int | None, axis: int, overwrite_x: bool, workers: int | None) -> np.ndarray:
    tmp = _as_float(x)
    overwrite_x = overwrite_x or (tmp is not x and tmp.base is None)
    if n is not None:
        tmp, copied = _fit(tmp, n, axis)
        overwrite_x = overwrite_x or copied
    elif tmp.shape[axis] < 1:
        raise ValueError(f"invalid number of data points ({tmp.shape[axis]}) specified")
    out = tmp if overwrite_x and tmp.dtype.kind == "c" else None
    nthreads = _nthreads(tmp, axis, workers)
    return _pf.c2c(tmp, (axis,), forward, 0 if forward else 2, out, nthreads)  # type: ignore[union-attr]


def fft(
    x: np.ndarray, n: int | None = None, axis: int = -1, *, overwrite_x: bool = False, workers: int | None = None
) -> np.ndarray:
    if _scipy_fft is not None:  # pragma: no cover
        return _scipy_fft.fft(x, n, axis=axis, overwrite_x=overwrite_x, workers=workers)
    return _c2c(True, x, n, axis, overwrite_x, workers)


def ifft(
    x: np.ndarray, n: int | None = None, axis: int = -1, *, overwrite_x: bool = False, workers: int | None = None
) -> np.ndarray:
    if _scipy_fft is not None:  # pragma: no cover
        return _scipy_fft.ifft(x, n, axis=axis, overwrite_x=overwrite_x, workers=workers)
    return _c2c(False, x, n, axis, overwrite_x, workers)


def rfft(x: np.ndarray, n: int | None = None, axis: int = -1) -> np.ndarray:
    if _scipy_fft is not None:  # pragma: no cover
        return _scipy_fft.rfft(x, n, axis=axis)
    tmp = _as_float(x)
    if tmp.dtype.kind == "c":
        raise TypeError("x must be a real sequence")
    if n is not None:
        tmp, _ = _fit(tmp, n, axis)
    elif tmp.shape[axis] < 1:
        raise ValueError(f"invalid number of data points ({tmp.shape[axis]}) specified")
    return _pf.r2c(tmp, (axis,), True, 0, None, 1)  # type: ignore[union-attr]


def irfft(x: np.ndarray, n: int | None = None, axis: int = -1) -> np.ndarray:
    if _scipy_fft is not None:  # pragma: no cover
        return _scipy_fft.irfft(x, n, axis=axis)
    tmp = _as_float(x)
    if tmp.dtype.kind != "c":
        tmp = tmp + 0.0j
    if n is None:
        n = (tmp.shape[axis] - 1) * 2
        if n < 1:
            raise ValueError(f"invalid number of data points ({n}) specified")
    else:
        tmp, _ = _fit(tmp, n // 2 + 1, axis)
    return _pf.c2r(tmp, (axis,), n, False, 2, None, 1)  # type: ignore[union-attr]


def next_fast_len(target: int, real: bool = False) -> int:
    """The smallest length ≥ ``target`` that pocketfft transforms fast (as ``scipy.fft.next_fast_len``)."""
    if _scipy_fft is not None:  # pragma: no cover
        return _scipy_fft.next_fast_len(target, real)
    if target < 0:
        raise ValueError("Target cannot be negative")
    return int(_pf.good_size(int(target), bool(real)))  # type: ignore[union-attr]
