"""UTC time stamps as gpsd and GPX write them."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any


def parse_utc_time(value: Any) -> float | None:
    """ISO 8601 (``2024-06-15T12:00:00.000Z``; no zone means UTC) or POSIX seconds → POSIX seconds; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        t = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()
