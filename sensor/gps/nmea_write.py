"""Writing fixes as NMEA 0183 (RMC + GGA + GSA), beside the parser in ``nmea.py``: the track a
recording keeps in its sidecar ``NAME.nmea``, and the simulator's drives."""

from __future__ import annotations

from datetime import UTC, datetime

from sensor.gps.fix import Fix

KNOTS_PER_M_S = 1 / 0.514444


def with_checksum(body: str) -> str:
    """``GPRMC,...`` → ``$GPRMC,...*hh`` (XOR of the characters between ``$`` and ``*``)."""
    c = 0
    for ch in body.encode("ascii"):
        c ^= ch
    return f"${body}*{c:02X}"


def _angle(value: float, degree_digits: int, hemispheres: str) -> str:
    a = abs(value)
    deg = int(a)
    minutes = (a - deg) * 60
    if round(minutes, 4) >= 60:  # 59.99999 rounds up: carry into the degrees
        deg, minutes = deg + 1, 0.0
    return f"{deg:0{degree_digits}d}{minutes:07.4f},{hemispheres[0] if value >= 0 else hemispheres[1]}"


def fix_sentences(fix: Fix, talker: str = "GP") -> list[str]:
    """One epoch: RMC (date, speed, course), GGA (altitude, HDOP, satellites), GSA (2D/3D)."""
    t = datetime.fromtimestamp(fix.time_utc_s, tz=UTC)
    hhmmss = t.strftime("%H%M%S") + f".{t.microsecond // 10000:02d}"
    lat = _angle(fix.lat_deg, 2, "NS")
    lon = _angle(fix.lon_deg, 3, "EW")
    knots = "" if fix.speed_m_s is None else f"{fix.speed_m_s * KNOTS_PER_M_S:.1f}"
    course = "" if fix.track_deg is None else f"{fix.track_deg:.1f}"
    alt = "" if fix.alt_m is None else f"{fix.alt_m:.1f}"
    hdop = "" if fix.hdop is None else f"{fix.hdop:.1f}"
    sats = "" if fix.satellites is None else f"{fix.satellites:02d}"
    mode3 = "3" if fix.mode == "3d" or (fix.mode == "fixed" and fix.alt_m is not None) else "2"
    return [
        with_checksum(f"{talker}RMC,{hhmmss},A,{lat},{lon},{knots},{course},{t.strftime('%d%m%y')},,,A"),
        with_checksum(f"{talker}GGA,{hhmmss},{lat},{lon},1,{sats},{hdop},{alt},{'M' if alt else ''},,,,"),
        with_checksum(f"{talker}GSA,A,{mode3},,,,,,,,,,,,,,{hdop},"),
    ]
