"""TP-SCTS (TS 23.040 §9.2.3.11) and TP-VP (§9.2.3.12): semi-octet time stamps and validity periods.

TP-SCTS is seven octets, each two decimal digits with the first digit in bits 4-1 (semi-octets
swapped): year, month, day, hour, minute, second, time zone. The time zone is the difference
from GMT in quarters of an hour; bit 3 of its first semi-octet (bit 4 of the octet) is the sign
(1: negative). Example, 2026-11-03 09:12:40 at GMT+8 (32 quarter hours)::

    62 11 30 90 21 04 23
    26 -11 -03 -09 -12 -40  tz: tens 3 (sign 0), units 2 → +32 quarters = +08:00

A stamp with a non-decimal digit, an impossible date or time decodes as None (the rest of the
TPDU still decodes: the text is the evidence). Two-digit years 90-99 are the 1990s, 00-89 the
2000s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from .errors import SmsEncodeError
from .ts23040 import CENTURY_PIVOT, QUARTER_HOUR_S, RELATIVE_VP_PIECES, SCTS_OCTETS, TZ_SIGN_BIT

_TZ_MAX_QUARTERS = 79  # 3 bits of tens, one decimal digit of units


def _digits(octet: int) -> int | None:
    lo, hi = octet & 0xF, octet >> 4
    return None if lo > 9 or hi > 9 else lo * 10 + hi


def _semi(value: int) -> int:
    return (value // 10) | ((value % 10) << 4)


def decode_scts(octets: bytes) -> datetime | None:
    """§9.2.3.11: the seven octets → a timezone-aware datetime, or None when a field is invalid."""
    if len(octets) != SCTS_OCTETS:
        return None
    fields = [_digits(o) for o in octets[:6]]
    tz = octets[6]
    tens, units = tz & 0x07, tz >> 4
    if any(f is None for f in fields) or units > 9:
        return None
    quarters = (tens * 10 + units) * (-1 if tz & TZ_SIGN_BIT else 1)
    yy, month, day, hour, minute, second = fields  # type: ignore[misc]
    year = (1900 if yy >= CENTURY_PIVOT else 2000) + yy
    try:
        return datetime(
            year, month, day, hour, minute, second, tzinfo=timezone(timedelta(seconds=quarters * QUARTER_HOUR_S))
        )
    except ValueError:  # month 13, day 31 of a 30-day month, hour 25, second 60 ...
        return None


def encode_scts(when: datetime) -> bytes:
    """§9.2.3.11: a timezone-aware datetime (whole quarter-hour offset, year 1990-2089) → seven octets.
    Fractions of a second are dropped."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise SmsEncodeError("TP-SCTS needs a timezone-aware datetime")
    offset_s = int(when.utcoffset().total_seconds())  # type: ignore[union-attr]
    quarters, rest = divmod(abs(offset_s), QUARTER_HOUR_S)
    if rest or quarters > _TZ_MAX_QUARTERS:
        raise SmsEncodeError(f"time zone offset {offset_s} s is not a whole number of quarter hours up to 79")
    if not CENTURY_PIVOT + 1900 <= when.year < CENTURY_PIVOT + 2000:
        raise SmsEncodeError(f"year {when.year} is outside 1990..2089")
    fields = (when.year % 100, when.month, when.day, when.hour, when.minute, when.second)
    tz = _semi(quarters) | (TZ_SIGN_BIT if offset_s < 0 else 0)
    return bytes(_semi(v) for v in fields) + bytes([tz])


def relative_validity_s(value: int) -> int:
    """§9.2.3.12.1: seconds of a relative TP-VP octet."""
    for upper, v0, base_s, step_s in RELATIVE_VP_PIECES:
        if value <= upper:
            return base_s + (value - v0) * step_s
    raise SmsEncodeError(f"relative TP-VP must be 0..255, got {value}")


def utc_now_scts() -> datetime:
    """The current time, whole seconds, UTC (a default SC time stamp)."""
    return datetime.now(UTC).replace(microsecond=0)
