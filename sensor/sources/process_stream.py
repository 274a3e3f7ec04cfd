"""A command whose standard output is a sample stream (e.g. ``hackrf_transfer -r -``).

The process runs in its own session (tools that signal their whole process group must not reach
us), its stdout is drained by a reader thread into a ``BytePump`` (bounded, drops counted), its
stderr lines are kept (the last 50, for error messages) and handed to a hook, and ``stop`` ends
it cleanly: SIGINT while stdout is still drained, a kill after a timeout, and always a reap (no
zombie).
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable

from sensor.sources.pump import BytePump

log = logging.getLogger(__name__)

PIPE_BYTES = 1 << 20  # a big pipe: fewer, larger reads at 20-40 MB/s


class ProcessStream:
    def __init__(
        self,
        cmd: list[str],
        *,
        frame_bytes: int,
        max_buffer_bytes: int,
        name: str,
        stop_timeout_s: float,
        on_stderr_line: Callable[[str, BytePump], None] | None = None,
    ) -> None:
        """Start ``cmd`` (``OSError`` when it cannot be run) and its reader threads."""
        self.name = name
        self.stop_timeout_s = stop_timeout_s
        self.lines: deque[str] = deque(maxlen=50)
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
            start_new_session=True,
        )
        assert self.proc.stdout is not None and self.proc.stderr is not None
        fd = self.proc.stdout.fileno()
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        except (OSError, AttributeError):
            pass
        self.pump = BytePump(
            lambda: os.read(fd, PIPE_BYTES),
            frame_bytes=frame_bytes,
            max_buffer_bytes=max_buffer_bytes,
            name=f"{name}-{self.proc.pid}",
        )
        self._on_line = on_stderr_line
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, name=f"{name}-stderr-{self.proc.pid}", daemon=True
        )
        self.pump.start()
        self._stderr_thread.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain_stderr(self) -> None:
        try:
            for raw in iter(self.proc.stderr.readline, b""):  # type: ignore[union-attr]
                line = raw.decode("utf-8", "replace").strip()
                if not line:
                    continue
                self.lines.append(line)
                if self._on_line is not None:
                    self._on_line(line, self.pump)
                log.debug("%s: %s", self.name, line)
        except (OSError, ValueError):  # closed under us at shutdown
            pass

    def wait_exit(self) -> int | None:
        """Wait (up to the stop timeout) for the process to end by itself, and for its last stderr
        lines; its exit status, or None while it still runs."""
        try:
            rc = self.proc.wait(timeout=self.stop_timeout_s)
        except subprocess.TimeoutExpired:
            rc = None
        self._stderr_thread.join(1.0)
        return rc

    def stop(self) -> None:
        proc = self.proc
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGINT)  # a clean stop; stdout keeps being drained meanwhile
                proc.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("%s (pid %d) ignored SIGINT; killing it", self.name, proc.pid)
                proc.kill()
                proc.wait()
            except OSError as exc:
                if exc.errno != errno.ESRCH:
                    raise
                proc.wait()
        self.pump.stop(join_timeout_s=2.0)
        self._stderr_thread.join(2.0)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
