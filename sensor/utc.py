"""UTC time stamps as the sensor writes them: ISO-8601 with microseconds and ``Z``
(CONTRACT.md's ``t_utc``, the envelope's ``sent_utc``, the collector's stored times)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(t_s: float) -> str:
    """POSIX seconds → ``2026-11-25T10:00:00.123456Z``."""
    return datetime.fromtimestamp(t_s, tz=UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
