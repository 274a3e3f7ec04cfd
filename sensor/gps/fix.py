"""A position fix from a GPS receiver, and the ``position`` object of the JSON contract.

A ``Fix`` is one valid navigation solution: the receiver said it had a fix (RMC status A, GGA
quality ≥ 1, gpsd mode ≥ 2), and every value passed the plausibility checks here. Invalid epochs
never become a ``Fix``; they become a ``NoFix`` so that losses are visible and nothing is
interpolated across them.

Times: ``time_utc_s`` is the GPS's own time of the solution (POSIX seconds, UTC);
``received_utc_s``/``received_mono_s`` are when this laptop read it (``time.time()`` and
``time.monotonic()``), ``None`` for fixes replayed from a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

FixMode = Literal["2d", "3d", "fixed"]
MODES: tuple[str, ...] = ("2d", "3d", "fixed")

# Plausibility bounds: anything outside is corrupt input, not a position.
MIN_ALT_M = -1_000.0  # below the Dead Sea shore, with margin
MAX_ALT_M = 20_000.0  # a patrol car's GPS does not fly; generous margin for bad geoid models
MAX_SPEED_M_S = 500.0  # a receiver reporting more is broken or not in a car
MAX_HDOP = 100.0
MAX_SATELLITES = 255
STANDING_M_S = 0.5  # below this a course over ground is noise: the heading is unknown
MIN_TIME_UTC_S = 946_684_800.0  # 2000-01-01: older GPS times are a receiver without a clock
MAX_TIME_UTC_S = 7_258_118_400.0  # 2200-01-01


@dataclass(frozen=True, slots=True)
class Fix:
    time_utc_s: float  # GPS time of the solution, POSIX seconds (UTC)
    lat_deg: float  # WGS84, north positive
    lon_deg: float  # WGS84, east positive, in [-180, 180]
    alt_m: float | None  # above mean sea level; None in 2D fixes or when not reported
    mode: FixMode
    hdop: float | None = None
    satellites: int | None = None  # satellites used in the solution
    speed_m_s: float | None = None  # over ground
    track_deg: float | None = None  # course over ground, true north, [0, 360)
    source: str = ""  # e.g. "nmea:/dev/ttyACM0", "gpsd:127.0.0.1:2947", "fixed", "track:drive.gpx"
    received_mono_s: float | None = None
    received_utc_s: float | None = None

    def __post_init__(self) -> None:
        problem = fix_problem(self)
        if problem is not None:
            raise ValueError(problem)

    def position(self, at_utc_s: float | None = None, *, age_s: float | None = None) -> dict[str, Any]:
        """The contract's ``position`` object for samples taken at ``at_utc_s`` (or give ``age_s``)."""
        if age_s is None:
            age_s = 0.0 if at_utc_s is None or self.mode == "fixed" else abs(at_utc_s - self.time_utc_s)
        return position_dict(
            lat_deg=self.lat_deg,
            lon_deg=self.lon_deg,
            alt_m=self.alt_m,
            mode=self.mode,
            hdop=self.hdop,
            age_s=age_s,
            speed_m_s=self.speed_m_s,
            heading_deg=self.track_deg,
        )


@dataclass(frozen=True, slots=True)
class NoFix:
    """An epoch in which the receiver reported that it had no valid position."""

    time_utc_s: float | None  # GPS time of the epoch when known
    reason: str  # e.g. "RMC status V", "GGA quality 0", "gpsd mode 1"
    source: str = ""
    received_mono_s: float | None = None
    received_utc_s: float | None = None


def position_dict(
    *,
    lat_deg: float,
    lon_deg: float,
    alt_m: float | None,
    mode: str,
    hdop: float | None,
    age_s: float,
    speed_m_s: float | None = None,
    heading_deg: float | None = None,
) -> dict[str, Any]:
    """``{"lat_deg","lon_deg","alt_m","fix","hdop","age_s","speed_m_s","heading_deg"}`` with tidy
    rounding (1 cm, 1 ms, 1 cm/s, 0.1°). ``speed_m_s`` over ground and ``heading_deg`` (course over
    ground, true north, [0, 360)) are the receiver's velocity then, None when unknown (a heading
    also when the car stands: a course at rest is noise)."""
    return {
        "lat_deg": round(lat_deg, 7),
        "lon_deg": round(lon_deg, 7),
        "alt_m": None if alt_m is None else round(alt_m, 2),
        "fix": mode,
        "hdop": None if hdop is None else round(hdop, 2),
        "age_s": round(max(0.0, age_s), 3),
        "speed_m_s": None if speed_m_s is None else round(speed_m_s, 2),
        "heading_deg": None
        if heading_deg is None or (speed_m_s is not None and speed_m_s < STANDING_M_S)
        else round(heading_deg % 360.0, 1) % 360.0,
    }


def _finite(x: float | None) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x))


def fix_problem(fix: Fix) -> str | None:
    """Why ``fix`` is not plausible, or None. Shared by every source so all reject the same things."""
    for name in ("time_utc_s", "lat_deg", "lon_deg", "alt_m", "hdop", "speed_m_s", "track_deg"):
        value = getattr(fix, name)
        if name in ("time_utc_s", "lat_deg", "lon_deg") and value is None:
            return f"{name} is missing"
        if not _finite(value):
            return f"{name} {value!r} is not a finite number"
    if not MIN_TIME_UTC_S <= fix.time_utc_s <= MAX_TIME_UTC_S:
        return f"time {fix.time_utc_s} is not between 2000 and 2200"
    if not -90.0 <= fix.lat_deg <= 90.0:
        return f"latitude {fix.lat_deg} is outside [-90, 90]"
    if not -180.0 <= fix.lon_deg <= 180.0:
        return f"longitude {fix.lon_deg} is outside [-180, 180]"
    if fix.lat_deg == 0.0 and fix.lon_deg == 0.0:
        return "position 0,0 is a receiver's placeholder, not a fix"
    if fix.mode not in MODES:
        return f"mode {fix.mode!r} is not one of {', '.join(MODES)}"
    if fix.alt_m is not None and not MIN_ALT_M <= fix.alt_m <= MAX_ALT_M:
        return f"altitude {fix.alt_m} m is implausible"
    if fix.hdop is not None and not 0.0 < fix.hdop <= MAX_HDOP:
        return f"HDOP {fix.hdop} is implausible"
    sats = fix.satellites
    if sats is not None and (isinstance(sats, bool) or not isinstance(sats, int) or not 0 <= sats <= MAX_SATELLITES):
        return f"satellite count {fix.satellites!r} is implausible"
    if fix.speed_m_s is not None and not 0.0 <= fix.speed_m_s <= MAX_SPEED_M_S:
        return f"speed {fix.speed_m_s} m/s is implausible"
    if fix.track_deg is not None and not 0.0 <= fix.track_deg <= 360.0:
        return f"track {fix.track_deg} deg is outside [0, 360]"
    return None
