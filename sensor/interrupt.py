"""Ctrl-C that is never lost: the SIGINT a command receives, remembered until the command ends.

Python's own SIGINT handler raises KeyboardInterrupt at whatever line the main thread runs next.
When that line is inside a callback the interpreter calls on its own — a weak reference's
callback, a finaliser, the import system's module-lock clean-up — the exception cannot go
anywhere: CPython prints "Exception ignored in …" with its traceback and the command goes on as if
nothing was pressed (``replay --jobs 2`` finished its work and exited 0 after a Ctrl-C, about one
press in twenty on a loaded machine). ``watching`` installs a handler that remembers the press
before raising; ``check`` raises it again where a long loop checks (the replay's windows and
recordings), so a swallowed press still stops the work there; and the CLI ends a command that
returned after a press with status 130 all the same (``sensor/cli.py``). While watching, such an
ignored KeyboardInterrupt is not printed (the command says "interrupted" once).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_pressed = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _pressed
    _pressed = True
    raise KeyboardInterrupt


def pressed() -> bool:
    """Whether Ctrl-C (SIGINT) reached the command being watched."""
    return _pressed


def handled() -> None:
    """The command took the press as its own way to stop (``record``: Ctrl-C ends the recording):
    it ends as it chooses, not as interrupted."""
    global _pressed
    _pressed = False


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C reached the command: where its first raise was swallowed."""
    if _pressed:
        raise KeyboardInterrupt


@contextmanager
def watching() -> Iterator[None]:
    """Remember SIGINT while the block runs (see the module docstring). Only where Python's own
    handler is in place, in the main thread; a command that installs its own (``run``, the
    collector, the dashboard) keeps it for as long as it is installed."""
    global _pressed
    _pressed = False
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        try:
            yield
        finally:
            _pressed = False
        return
    previous_hook = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not (_pressed and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            previous_hook(unraisable)

    signal.signal(signal.SIGINT, _on_sigint)
    sys.unraisablehook = hook
    try:
        yield
    finally:  # a press belongs to the command it reached: later code in this process starts afresh
        _pressed = False
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = previous_hook
