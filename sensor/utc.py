"""UTC time stamps as the sensor writes them: ISO-8601 with microseconds and ``Z``
(CONTRACT.md's ``t_utc``, the envelope's ``sent_utc``, the collector's stored times)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(t_s: float) -> str:
    """POSIX seconds → ``2026-11-25T10:00:00.123456Z``."""
    return datetime.fromtimestamp(t_s, tz=UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


_FRACTION_DIGITS = 6


def canonical_utc(text: str) -> str:
    """A stored time in the one form ``utc_iso`` writes, so that times compare as strings: an
    envelope's ``YYYY-MM-DDTHH:MM:SS[.f]Z`` with 0 to 9 digits of fraction (the envelope's schema)
    gets exactly six (padded, or cut to the microsecond: ``.5Z`` and ``.500Z`` sorted after
    ``.500001Z`` before). Any other text is returned as it is."""
    if len(text) == 27 and text[19] == "." and text[26] == "Z":
        return text
    if len(text) < 20 or text[-1] != "Z" or text[10] != "T":
        return text
    head, dot, frac = text[:-1].partition(".")
    if len(head) != 19 or (dot and not (0 < len(frac) <= 9 and frac.isdigit())) or not head[:4].isdigit():
        return text
    return f"{head}.{(frac + '0' * _FRACTION_DIGITS)[:_FRACTION_DIGITS]}Z"
