"""The optional compiled fast path: numba, when it is installed (``pip install 'fbs-sensor[fast]'``).

The pure numpy kernels are the reference; a compiled twin exists only for the inner loops where
it pays (the equaliser's channel estimator, branch metrics and trellis, the Viterbi decoder's
add-compare-select, the channelizer's spectrum fill and scatter) and computes the same operations
in the same order: the trellis, branch-metric and Viterbi twins are bit-identical to the
reference, the channelizer's equal to float32 rounding (numpy's SIMD complex multiply may fuse
multiply-adds), the channel estimator's to float64 rounding with the same timing chosen
(numpy's matrix products sum in BLAS order), and the whole receiver decodes the same blocks
either way (``tests/test_fastpath.py``). Set ``FBS_SENSOR_NUMBA=0`` to run the reference instead.

How the twins are loaded: each kernel module's twins, declared with their one signature, are
compiled ahead of time into a small extension module (``numba.pycc``) the first time one of them
is wanted, and that extension is loaded by every later process — a shared library of a few
hundred kB that needs neither numba nor its compiler at run time (~1 ms, where importing numba
and loading its on-disk cache took ~0.45 s of every process). The extension lives in the kernel
module's ``__pycache__`` (or ``$XDG_CACHE_HOME/fbs-sensor`` where that is read-only), named by a
hash of the kernel module's and this module's source, numba's and numpy's versions and the CPU's
features (it is built for this CPU, as the just-in-time twins are), so an edit rebuilds it. Where
it cannot be built (no C compiler: numba's pycc needs one), or with ``FBS_SENSOR_NUMBA=jit``, the
twins are compiled just in time with ``numba.njit(cache=True)`` as before.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

ENV = "FBS_SENSOR_NUMBA"
_PREFIX = "fbs_aot_"
log = logging.getLogger(__name__)
_lock = threading.Lock()


def _mode() -> str:
    v = os.environ.get(ENV, "1").strip().lower()
    if v in ("0", "no", "off", "false"):
        return "off"
    return "jit" if v == "jit" else "aot"


@cache
def _numba() -> Any | None:
    if _mode() == "off":
        return None
    try:
        import numba
    except Exception:  # noqa: BLE001 - not installed, or broken against this numpy: the reference path runs
        return None
    return numba


@cache
def _numba_version() -> str | None:
    """Which numba is installed, found without importing it (importing it is what the extensions
    save; importlib.metadata costs ~10 ms): its package's ``__init__`` file, by path, size and time."""
    try:
        spec = importlib.util.find_spec("numba")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    st = os.stat(spec.origin)
    return f"{spec.origin}:{st.st_size}:{st.st_mtime_ns}"


def enabled() -> bool:
    return _mode() != "off" and _numba_version() is not None


class _Twin:
    def __init__(self, py_func: Callable[..., Any], helpers: tuple[Callable[..., Any], ...], signature: str | None):
        self.py_func, self.helpers, self.signature = py_func, helpers, signature


_twins: dict[str, list[_Twin]] = {}  # kernel module name → its twins, in declaration order


def compiled(
    py_func: Callable[..., Any], *helpers: Callable[..., Any], signature: str | None = None
) -> Callable[[], Callable[..., Any] | None]:
    """A getter of ``py_func`` compiled (ahead of time when ``signature``, numba's type string of
    its one use, is given; else just in time with ``numba.njit(cache=True)``), or None without
    numba. ``helpers``: functions of the same module that ``py_func`` calls; they are compiled
    first and take their names' place in the module, so the compiled ``py_func`` calls compiled code."""
    twin = _Twin(py_func, helpers, signature)
    _twins.setdefault(py_func.__module__, []).append(twin)

    @cache
    def get() -> Callable[..., Any] | None:
        if _mode() == "off" or _numba_version() is None:
            return None
        if signature is not None and _mode() == "aot":
            ext = _extension(py_func.__module__)
            if ext is not None:
                return _guarded(getattr(ext, py_func.__name__), signature, jit)
        return jit()

    @cache
    def jit() -> Callable[..., Any] | None:
        nb = _numba()
        if nb is None:
            return None
        for h in helpers:
            py_func.__globals__[h.__name__] = nb.njit(cache=True, nogil=True)(h)
        return nb.njit(cache=True, nogil=True)(py_func)

    return get


_DTYPES = {"c8": "complex64", "c16": "complex128", "f4": "float32", "f8": "float64", "i8": "int64", "u1": "uint8"}


def _arg_checks(signature: str) -> list[tuple[str, int, bool] | None]:
    """Per argument of numba's type string ``ret(a, b, ...)``: (dtype, ndim, C-contiguous) for an
    array, None for a scalar (converted by the extension itself)."""
    inner = signature[signature.index("(") + 1 : signature.rindex(")")]
    args, depth, cur = [], 0, ""
    for ch in inner:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    args.append(cur.strip())
    checks: list[tuple[str, int, bool] | None] = []
    for a in args:
        if "[" not in a:
            checks.append(None)
            continue
        code, dims = a[: a.index("[")], a[a.index("[") + 1 : -1].split(",")
        checks.append((_DTYPES[code], len(dims), dims[-1].strip() == "::1"))
    return checks


def _guarded(
    fn: Callable[..., Any], signature: str, fallback: Callable[[], Callable[..., Any] | None]
) -> Callable[..., Any]:
    """``fn`` (an ahead-of-time twin, which trusts its arguments' types blindly) called only with
    arrays of the declared dtype, rank and layout; anything else goes to the just-in-time twin."""
    import numpy as np

    checks = [(i, np.dtype(c[0]), c[1], c[2]) for i, c in enumerate(_arg_checks(signature)) if c is not None]

    def call(*args: Any) -> Any:
        for i, dtype, ndim, contiguous in checks:
            a = args[i]
            if (
                type(a) is not np.ndarray
                or a.dtype != dtype
                or a.ndim != ndim
                or (contiguous and not a.flags.c_contiguous)
                or not a.flags.aligned
            ):
                jit = fallback()
                if jit is None:
                    raise TypeError(f"{fn.__name__}: argument {i} is not {dtype}, {ndim}-d as declared")
                return jit(*args)
        return fn(*args)

    call.__name__ = getattr(fn, "__name__", "twin")
    return call


def _key(module: ModuleType) -> str:
    import numpy

    h = hashlib.sha256(Path(module.__file__ or "").read_bytes())
    h.update(Path(__file__).read_bytes())  # how it is built (_build) is part of what it is
    h.update(f"{_numba_version()} {numpy.__version__} {sys.version}".encode())
    h.update(_cpu_flags())  # built for this machine's CPU: a home folder shared with another rebuilds
    return h.hexdigest()[:16]


@cache
def _cpu_flags() -> bytes:
    try:
        with open("/proc/cpuinfo", "rb") as f:
            return next((line for line in f if line.startswith((b"flags", b"Features"))), b"")
    except OSError:
        return b""


def _places(module: ModuleType) -> list[Path]:
    """Where a kernel module's extension may live: beside its bytecode, else the user's cache."""
    own = Path(module.__file__ or ".").parent / "__pycache__"
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fbs-sensor"
    return [own, user]


@cache
def _extension(module_name: str) -> ModuleType | None:
    """The ahead-of-time extension of ``module_name``'s twins: loaded, or built then loaded; None
    where it cannot be built (the just-in-time twins run then)."""
    module = sys.modules[module_name]
    name = _PREFIX + module_name.rsplit(".", 1)[-1]
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    file = f"{name}.{_key(module)}{suffix}"
    with _lock:  # one thread builds; the others wait for it (other processes may build it too)
        for place in _places(module):
            if (place / file).is_file():
                return _load(name, place / file)
        _tell_once()
        for place in _places(module):
            try:
                place.mkdir(parents=True, exist_ok=True)
                built = _build(module_name, name, place)
            except OSError:
                continue
            except Exception as exc:  # noqa: BLE001 - no compiler, or pycc refused: the JIT twins run
                log.info("fast path: %s not compiled ahead of time (%s); compiling just in time", module_name, exc)
                return None
            final = place / file
            os.replace(built, final)  # atomic: a concurrent process finds the old name or this whole file
            for stale in place.glob(f"{name}.*{suffix}"):
                if stale != final:  # built from an earlier source of the module
                    stale.unlink(missing_ok=True)
            return _load(name, final)
    return None


@cache
def _tell_once() -> None:
    """Say on stderr, once a process, why this first command is slow: building the extensions takes
    ~15-25 s of CPU, once a machine; an officer should not take the silence for a hang."""
    print(
        "fbs-sensor: compiling the receiver's fast kernels for this machine (once; about 20 s)",
        file=sys.stderr,
        flush=True,
    )


def _load(name: str, path: Path) -> ModuleType | None:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    ext = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ext)
    return ext


def _build(module_name: str, name: str, place: Path) -> Path:
    """Compile ``module_name``'s twins with ``numba.pycc`` into ``place`` under a temporary name."""
    nb = _numba()
    if nb is None:
        raise RuntimeError("numba is not importable")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc's pending deprecation
        from numba.pycc import CC

        out = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=place))
        cc = CC(name)
        cc.output_dir = str(out)
        cc.verbose = False
        cc.target_cpu = "host"  # as the just-in-time twins: this machine's vector instructions
        for twin in _twins[module_name]:
            if twin.signature is None:
                continue
            for h in twin.helpers:
                twin.py_func.__globals__[h.__name__] = nb.njit(nogil=True)(h)
            cc.export(twin.py_func.__name__, twin.signature)(twin.py_func)
        cc.compile()
    (built,) = [p for p in out.iterdir() if p.name.startswith(name) and p.suffix in (".so", ".pyd")]
    final = place / f"{built.name}.{os.getpid()}.tmp"
    os.replace(built, final)
    for p in out.iterdir():
        p.unlink()
    out.rmdir()
    return final
