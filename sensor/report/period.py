"""The days a report covers: ``--from DATE --to DATE``, both included, UTC.

Stored times are ISO-8601 UTC strings (``sensor/utc.py``), so a day's readings are those whose
``time_utc`` starts with it: the period is the half-open string range ``[since_utc, until_utc)``
with ``since_utc = "FROM T"`` and ``until_utc = "TO+1 T"`` (``"2026-12-08T"`` sorts after every
time of 7 December and before every time of the 8th), which the time indexes answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sensor.errors import InputError

MAX_DAYS = 366  # one bar per day: a year at most
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date  # included

    @property
    def since_utc(self) -> str:
        return f"{self.first.isoformat()}T"

    @property
    def until_utc(self) -> str:
        """The exclusive upper bound: the day after the last."""
        return f"{(self.last + timedelta(days=1)).isoformat()}T"

    def days(self) -> list[str]:
        """Every day of the period, as ``YYYY-MM-DD``."""
        n = (self.last - self.first).days + 1
        return [(self.first + timedelta(days=k)).isoformat() for k in range(n)]


def _day(text: str, option: str) -> date:
    if not _DATE.fullmatch(text.strip()):
        raise InputError(f"{option} {text!r}: not a date (YYYY-MM-DD, UTC)")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InputError(f"{option} {text!r}: not a date ({exc})") from None


def parse_period(from_text: str, to_text: str) -> Period:
    """The period of ``--from`` and ``--to`` (``InputError`` when either is not a date, when --from
    is after --to, or when it spans more than ``MAX_DAYS`` days)."""
    first, last = _day(from_text, "--from"), _day(to_text, "--to")
    if first > last:
        raise InputError(f"--from {first} is after --to {last}")
    if (last - first).days + 1 > MAX_DAYS:
        raise InputError(f"--from {first} --to {last}: {(last - first).days + 1} days, more than {MAX_DAYS}")
    return Period(first, last)
