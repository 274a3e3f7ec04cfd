"""systemd's notify protocol (sd_notify(3)) without a library: a datagram to ``$NOTIFY_SOCKET``.

``READY=1`` when scanning starts, ``WATCHDOG=1`` from the status tick (the unit's ``WatchdogSec``
restarts a sensor whose loop hangs), ``STATUS=...`` for ``systemctl status``, ``STOPPING=1``.
Outside systemd (no ``NOTIFY_SOCKET``) every call does nothing.
"""

from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    addr = os.environ.get("NOTIFY_SOCKET")
    if not addr:
        return False
    if addr.startswith("@"):  # abstract namespace
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(addr)
            s.sendall(message.encode("utf-8"))
        return True
    except OSError:
        return False
