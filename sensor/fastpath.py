"""The optional compiled fast path: numba, when it is installed (``pip install 'fbs-sensor[fast]'``).

The pure numpy kernels are the reference; a compiled twin exists only for the inner loops where
it pays (the equaliser's channel estimator, branch metrics and trellis, the Viterbi decoder's
add-compare-select, the channelizer's spectrum fill and scatter) and computes the same operations
in the same order: the trellis, branch-metric and Viterbi twins are bit-identical to the
reference, the channelizer's equal to float32 rounding (numpy's SIMD complex multiply may fuse
multiply-adds), the channel estimator's to float64 rounding with the same timing chosen
(numpy's matrix products sum in BLAS order), and the whole receiver decodes the same blocks
either way (``tests/test_fastpath.py``). Set ``FBS_SENSOR_NUMBA=0`` to run the reference instead. Kernels are
compiled on first use and cached on disk (``cache=True``: ~0.5 s to load on later runs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

ENV = "FBS_SENSOR_NUMBA"


@cache
def _numba() -> Any | None:
    if os.environ.get(ENV, "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    try:
        import numba
    except Exception:  # noqa: BLE001 - not installed, or broken against this numpy: the reference path runs
        return None
    return numba


def enabled() -> bool:
    return _numba() is not None


def compiled(py_func: Callable[..., Any], *helpers: Callable[..., Any]) -> Callable[[], Callable[..., Any] | None]:
    """A getter of ``py_func`` compiled with ``numba.njit(cache=True)``, or None without numba.
    ``helpers``: functions of the same module that ``py_func`` calls; they are compiled first and
    take their names' place in the module, so the compiled ``py_func`` calls compiled code."""

    @cache
    def get() -> Callable[..., Any] | None:
        nb = _numba()
        if nb is None:
            return None
        for h in helpers:
            py_func.__globals__[h.__name__] = nb.njit(cache=True, nogil=True)(h)
        return nb.njit(cache=True, nogil=True)(py_func)

    return get
