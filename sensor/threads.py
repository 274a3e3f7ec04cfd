"""How many threads the receive path may use: one, unless ``FBS_SENSOR_THREADS`` or ``--threads`` say more.

With more than one, a second thread takes the large forward FFT batches (``dsp.fft``), makes the
next group of channel streams while the current one is decoded (``dsp.channelizer``) and reads a
replay's next block ahead; the output is the same with any number. One is the default because
more did not pay where it was measured: on an idle 2-core machine the 10-s 20-Msps 60-cell replay
took 10.9-11.8 s wall with one thread and 11.5-11.9 s with two, holding 517 MB against 357 MB
(bench/README.md, "Whole processes against gr-gsm": the compiled kernels and the per-burst Python
hold Python's lock, so the threads mostly take turns). ``replay --jobs N`` runs N processes,
which do use N cores; its workers get ``threads // N`` each (at least one).
"""

from __future__ import annotations

import os

from sensor.errors import ConfigError

ENV = "FBS_SENSOR_THREADS"
_override: int | None = None
_from_env: int | None = None


def _parse(text: str) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"{ENV} must be a whole number of threads ≥ 1, not {text!r}")
    return n


def threads() -> int:
    """The threads to use: as ``set_threads`` last said, else ``FBS_SENSOR_THREADS``, else one."""
    global _from_env
    if _override is not None:
        return _override
    if _from_env is None:
        text = os.environ.get(ENV, "").strip()
        _from_env = _parse(text) if text else 1
    return _from_env


def set_threads(n: int | None) -> None:
    """Use ``n`` threads from now on in this process (None: back to the variable or the cores)."""
    global _override, _from_env
    if n is not None and n < 1:
        raise ConfigError(f"the number of threads must be ≥ 1, not {n}")
    _override, _from_env = n, None
