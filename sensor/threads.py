"""How many threads the receive path may use: the cores this process may run on, or ``FBS_SENSOR_THREADS``.

The receiver's costly numpy work releases Python's lock (pocketfft's transforms, large array
operations), so a second core can take the large forward FFT batches (``dsp.fft``) and make the
next group of channel streams while the current one is decoded (``dsp.channelizer``); the output
is the same with any number. ``replay --jobs N`` runs its workers at one thread each (the N
processes already share the cores). ``FBS_SENSOR_THREADS=1`` keeps a process on one core.
"""

from __future__ import annotations

import os

from sensor.errors import ConfigError

ENV = "FBS_SENSOR_THREADS"
_override: int | None = None
_from_env: int | None = None


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - no affinity on this platform
        return max(1, os.cpu_count() or 1)


def _parse(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"{ENV} must be a whole number of threads ≥ 1, not {text!r}")
    return n


def threads() -> int:
    """The threads to use: as ``set_threads`` last said, else ``FBS_SENSOR_THREADS``, else the cores."""
    global _from_env
    if _override is not None:
        return _override
    if _from_env is None:
        text = os.environ.get(ENV, "").strip()
        _from_env = _parse(text) if text else _cores()
    return _from_env


def set_threads(n: int | None) -> None:
    """Use ``n`` threads from now on in this process (None: back to the variable or the cores)."""
    global _override, _from_env
    if n is not None and n < 1:
        raise ConfigError(f"the number of threads must be ≥ 1, not {n}")
    _override, _from_env = n, None
