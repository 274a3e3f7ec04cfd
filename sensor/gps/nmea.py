"""NMEA 0183 sentences: framing a byte stream into lines, checksums, and parsing the sentences
a position needs (RMC, GGA, GSA, VTG, GNS, GLL, ZDA) from any GNSS talker.

Layouts follow NMEA 0183 v4.11 (as documented in receiver manuals, e.g. u-blox M8 protocol
specification UBX-13003221 §31): ``$<talker 2><type 3>,<fields>*<XOR checksum, 2 hex>\\r\\n``.
Every parser checks field syntax strictly (no ``float()`` leniency: ``nan``, ``1e9``, ``inf`` are
not NMEA numbers) and value ranges; anything wrong raises ``NmeaError``. The stream-level
``NmeaReader`` never raises: it counts bad input and moves on.

One protocol in one file: the seven sentence parsers share the field readers (numbers, time, date,
coordinates, mode indicators) and the framing above them; they are short, and together they are
what a reader of NMEA looks for in one place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import reduce

from sensor.errors import DecodeError
from sensor.gps.stats import GeoStats

KNOT_M_S = 1852.0 / 3600.0
KMH_M_S = 1000.0 / 3600.0

# NMEA's own limit is 82 characters including "$" and CR LF; receivers with long GSA/GNS lists
# exceed it a little. Longer lines are noise (two sentences run together, binary data).
MAX_SENTENCE_CHARS = 160
MAX_LINE_BYTES = 512

# Talker ids of satellite navigation systems (NMEA 0183 v4.11): GPS, GLONASS, Galileo, BeiDou
# (GB new, BD old), QZSS, NavIC, and GN for combined solutions.
GNSS_TALKERS = frozenset({"GP", "GL", "GA", "GB", "BD", "GQ", "QZ", "GI", "GN"})

# GGA quality: 1 GPS SPS, 2 DGPS, 3 PPS, 4 RTK fixed, 5 RTK float are fixes; 0 invalid,
# 6 dead reckoning (estimated), 7 manual input, 8 simulator are not measured positions.
GGA_VALID_QUALITY = frozenset({1, 2, 3, 4, 5})
# Mode indicators (RMC/GLL/VTG field, GNS one per system): A autonomous, D differential,
# P precise, R RTK, F float RTK are fixes; N none, E estimated (dead reckoning), M manual,
# S simulator are not.
VALID_MODE_INDICATORS = frozenset("ADPRF")
ALL_MODE_INDICATORS = frozenset("ADPRFNEMSC")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_INT = re.compile(r"\d{1,3}\Z")
_TIME = re.compile(r"(\d{2})(\d{2})(\d{2}(?:\.\d{1,6})?)\Z")
_DATE = re.compile(r"(\d{2})(\d{2})(\d{2})\Z")
_LAT = re.compile(r"(\d{1,2})(\d{2}(?:\.\d{1,10})?)\Z")
_LON = re.compile(r"(\d{1,3})(\d{2}(?:\.\d{1,10})?)\Z")
_ADDRESS = re.compile(r"[A-Z][A-Z0-9]{1,9}\Z")
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}\Z")


class NmeaError(DecodeError):
    """A line is not a well-formed, checksummed, plausible NMEA sentence."""


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rmc:
    talker: str
    time_of_day_s: float
    valid: bool  # status A and a fix mode indicator (when present)
    why_invalid: str | None
    lat_deg: float | None
    lon_deg: float | None
    speed_m_s: float | None
    track_deg: float | None
    date: dt.date | None


@dataclass(frozen=True, slots=True)
class Gga:
    talker: str
    time_of_day_s: float
    quality: int
    lat_deg: float | None
    lon_deg: float | None
    satellites: int | None
    hdop: float | None
    alt_m: float | None  # above mean sea level


@dataclass(frozen=True, slots=True)
class Gsa:
    talker: str
    dimension: int  # 1 no fix, 2 2D, 3 3D
    pdop: float | None
    hdop: float | None
    vdop: float | None


@dataclass(frozen=True, slots=True)
class Vtg:
    talker: str
    track_deg: float | None
    speed_m_s: float | None
    mode: str | None


@dataclass(frozen=True, slots=True)
class Gns:
    talker: str
    time_of_day_s: float
    modes: str  # one mode indicator per constellation
    valid: bool
    lat_deg: float | None
    lon_deg: float | None
    satellites: int | None
    hdop: float | None
    alt_m: float | None


@dataclass(frozen=True, slots=True)
class Gll:
    talker: str
    time_of_day_s: float
    valid: bool
    why_invalid: str | None
    lat_deg: float | None
    lon_deg: float | None


@dataclass(frozen=True, slots=True)
class Zda:
    talker: str
    time_of_day_s: float
    date: dt.date


@dataclass(frozen=True, slots=True)
class Other:
    """A well-formed sentence this package does not use (GSV, TXT, proprietary, other talkers)."""

    talker: str
    kind: str


Sentence = Rmc | Gga | Gsa | Vtg | Gns | Gll | Zda | Other
TIMED = (Rmc, Gga, Gns, Gll, Zda)


# ---------------------------------------------------------------------------------------------
# Framing and checksum
# ---------------------------------------------------------------------------------------------


def checksum(body: str) -> int:
    """XOR of every character between ``$`` and ``*``."""
    return reduce(lambda acc, ch: acc ^ ord(ch), body, 0)


def with_checksum(body: str) -> str:
    """``$body*HH`` (no line ending): handy for tests and simulators."""
    return f"${body}*{checksum(body):02X}"


def split_sentence(line: str) -> tuple[str, list[str]]:
    """Check framing and checksum; return the address (``GPRMC``) and the fields after it."""
    line = line.strip()
    if len(line) > MAX_SENTENCE_CHARS:
        raise NmeaError(f"sentence too long ({len(line)} characters)")
    if not line.startswith("$"):
        raise NmeaError("does not start with '$'")
    star = line.rfind("*")
    if star < 0:
        raise NmeaError("no checksum")
    body, given = line[1:star], line[star + 1 :]
    if not _HEX2.match(given):
        raise NmeaError(f"checksum field {given!r} is not two hex digits")
    if any(not 0x20 <= ord(c) <= 0x7E or c in "$*!\\" for c in body):
        raise NmeaError("illegal character in sentence")
    if checksum(body) != int(given, 16):
        raise NmeaError(f"checksum mismatch (computed {checksum(body):02X}, sentence says {given.upper()})")
    fields = body.split(",")
    address = fields[0]
    if not _ADDRESS.match(address):
        raise NmeaError(f"bad address field {address!r}")
    return address, fields[1:]


# ---------------------------------------------------------------------------------------------
# Field parsers
# ---------------------------------------------------------------------------------------------


def _float(s: str, what: str, lo: float | None = None, hi: float | None = None) -> float | None:
    if s == "":
        return None
    if not _NUMBER.match(s):
        raise NmeaError(f"{what} {s!r} is not a number")
    v = float(s)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise NmeaError(f"{what} {s} is out of range")
    return v


def _int(s: str, what: str, lo: int, hi: int) -> int | None:
    if s == "":
        return None
    if not _INT.match(s):
        raise NmeaError(f"{what} {s!r} is not a whole number")
    v = int(s)
    if not lo <= v <= hi:
        raise NmeaError(f"{what} {v} is out of range")
    return v


def parse_time(s: str) -> float:
    """``hhmmss.ss`` → seconds of the UTC day (leap second 60 allowed)."""
    m = _TIME.match(s)
    if not m:
        raise NmeaError(f"time {s!r} is not hhmmss.ss")
    hh, mm, ss = int(m.group(1)), int(m.group(2)), float(m.group(3))
    if hh > 23 or mm > 59 or ss >= 61.0:
        raise NmeaError(f"time {s!r} is out of range")
    return round(hh * 3600 + mm * 60 + ss, 6)


def parse_date(s: str) -> dt.date:
    """``ddmmyy`` → date; two-digit years 80–99 are 1980–1999 (GPS epoch), the rest 2000–2079."""
    m = _DATE.match(s)
    if not m:
        raise NmeaError(f"date {s!r} is not ddmmyy")
    day, month, yy = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return dt.date(1900 + yy if yy >= 80 else 2000 + yy, month, day)
    except ValueError:
        raise NmeaError(f"date {s!r} does not exist") from None


def _coordinate(value: str, hemi: str, pattern: re.Pattern[str], limit: float, hemis: str, what: str) -> float | None:
    if value == "" and hemi == "":
        return None
    m = pattern.match(value)
    if not m or hemi not in hemis or hemi == "":
        raise NmeaError(f"{what} {value!r},{hemi!r} is malformed")
    degrees, minutes = int(m.group(1)), float(m.group(2))
    if minutes >= 60.0:
        raise NmeaError(f"{what} minutes {minutes} ≥ 60")
    v = degrees + minutes / 60.0
    if v > limit:
        raise NmeaError(f"{what} {v} is out of range")
    return -v if hemi == hemis[1] else v


def parse_lat_lon(lat: str, ns: str, lon: str, ew: str) -> tuple[float | None, float | None]:
    lat_deg = _coordinate(lat, ns, _LAT, 90.0, "NS", "latitude")
    lon_deg = _coordinate(lon, ew, _LON, 180.0, "EW", "longitude")
    if (lat_deg is None) != (lon_deg is None):
        raise NmeaError("only one of latitude and longitude is given")
    return lat_deg, lon_deg


def _need(fields: list[str], n: int, kind: str) -> None:
    if len(fields) < n:
        raise NmeaError(f"{kind} has {len(fields)} fields, needs at least {n}")


def _mode_indicator(s: str, what: str) -> str | None:
    if s == "":
        return None
    if len(s) != 1 or s not in ALL_MODE_INDICATORS:
        raise NmeaError(f"{what} mode indicator {s!r} is unknown")
    return s


# ---------------------------------------------------------------------------------------------
# Sentence parsers
# ---------------------------------------------------------------------------------------------


def _rmc(talker: str, f: list[str]) -> Rmc:
    _need(f, 9, "RMC")
    tod = parse_time(f[0])
    status = f[1]
    if status not in ("A", "V"):
        raise NmeaError(f"RMC status {status!r} is neither A nor V")
    lat, lon = parse_lat_lon(f[2], f[3], f[4], f[5])
    knots = _float(f[6], "RMC speed", 0.0, 2000.0)
    track = _float(f[7], "RMC track", 0.0, 360.0)
    date = parse_date(f[8]) if f[8] else None
    mode = _mode_indicator(f[11], "RMC") if len(f) > 11 else None
    why = None
    if status != "A":
        why = "RMC status V"
    elif mode is not None and mode not in VALID_MODE_INDICATORS:
        why = f"RMC mode {mode}"
    return Rmc(talker, tod, why is None, why, lat, lon, None if knots is None else knots * KNOT_M_S, track, date)


def _gga(talker: str, f: list[str]) -> Gga:
    _need(f, 9, "GGA")
    tod = parse_time(f[0])
    lat, lon = parse_lat_lon(f[1], f[2], f[3], f[4])
    quality = _int(f[5], "GGA quality", 0, 8)
    if quality is None:
        raise NmeaError("GGA quality is empty")
    sats = _int(f[6], "GGA satellites", 0, 255)
    hdop = _float(f[7], "GGA HDOP", 0.0, 100.0)
    alt = _float(f[8], "GGA altitude", -10_000.0, 100_000.0)
    if alt is not None and len(f) > 9 and f[9] not in ("M", ""):
        raise NmeaError(f"GGA altitude unit {f[9]!r} is not M")
    return Gga(talker, tod, quality, lat, lon, sats, hdop, alt)


def _gsa(talker: str, f: list[str]) -> Gsa:
    _need(f, 17, "GSA")
    if f[0] not in ("A", "M", ""):
        raise NmeaError(f"GSA selection mode {f[0]!r} is neither A nor M")
    dim = _int(f[1], "GSA fix type", 1, 3)
    if dim is None:
        raise NmeaError("GSA fix type is empty")
    for prn in f[2:14]:
        _int(prn, "GSA satellite id", 0, 999)
    pdop = _float(f[14], "GSA PDOP", 0.0, 100.0)
    hdop = _float(f[15], "GSA HDOP", 0.0, 100.0)
    vdop = _float(f[16], "GSA VDOP", 0.0, 100.0)
    return Gsa(talker, dim, pdop, hdop, vdop)


def _vtg(talker: str, f: list[str]) -> Vtg:
    _need(f, 4, "VTG")
    if len(f) >= 8 and f[1] in ("T", "") and f[3] in ("M", "") and f[5] in ("N", "") and f[7] in ("K", ""):
        track = _float(f[0], "VTG track", 0.0, 360.0)
        knots = _float(f[4], "VTG speed", 0.0, 2000.0)
        kmh = _float(f[6], "VTG speed", 0.0, 4000.0)
        mode = _mode_indicator(f[8], "VTG") if len(f) > 8 else None
    else:  # NMEA 0183 v1.5–2.0 layout: track true, track magnetic, knots, km/h
        track = _float(f[0], "VTG track", 0.0, 360.0)
        knots = _float(f[2], "VTG speed", 0.0, 2000.0)
        kmh = _float(f[3], "VTG speed", 0.0, 4000.0)
        mode = None
    speed = knots * KNOT_M_S if knots is not None else (kmh * KMH_M_S if kmh is not None else None)
    return Vtg(talker, track, speed, mode)


def _gns(talker: str, f: list[str]) -> Gns:
    _need(f, 9, "GNS")
    tod = parse_time(f[0])
    lat, lon = parse_lat_lon(f[1], f[2], f[3], f[4])
    modes = f[5]
    if not 1 <= len(modes) <= 8 or any(c not in ALL_MODE_INDICATORS for c in modes):
        raise NmeaError(f"GNS mode indicators {modes!r} are malformed")
    sats = _int(f[6], "GNS satellites", 0, 255)
    hdop = _float(f[7], "GNS HDOP", 0.0, 100.0)
    alt = _float(f[8], "GNS altitude", -10_000.0, 100_000.0)
    valid = any(c in VALID_MODE_INDICATORS for c in modes) and not any(c in "EMS" for c in modes)
    return Gns(talker, tod, modes, valid, lat, lon, sats, hdop, alt)


def _gll(talker: str, f: list[str]) -> Gll:
    _need(f, 6, "GLL")
    lat, lon = parse_lat_lon(f[0], f[1], f[2], f[3])
    tod = parse_time(f[4])
    status = f[5]
    if status not in ("A", "V"):
        raise NmeaError(f"GLL status {status!r} is neither A nor V")
    mode = _mode_indicator(f[6], "GLL") if len(f) > 6 else None
    why = None
    if status != "A":
        why = "GLL status V"
    elif mode is not None and mode not in VALID_MODE_INDICATORS:
        why = f"GLL mode {mode}"
    return Gll(talker, tod, why is None, why, lat, lon)


def _zda(talker: str, f: list[str]) -> Zda:
    _need(f, 4, "ZDA")
    tod = parse_time(f[0])
    day = _int(f[1], "ZDA day", 1, 31)
    month = _int(f[2], "ZDA month", 1, 12)
    if not re.fullmatch(r"\d{4}", f[3]) or day is None or month is None:
        raise NmeaError("ZDA date is incomplete")
    try:
        date = dt.date(int(f[3]), month, day)
    except ValueError:
        raise NmeaError(f"ZDA date {f[3]}-{month}-{day} does not exist") from None
    return Zda(talker, tod, date)


_PARSERS = {"RMC": _rmc, "GGA": _gga, "GSA": _gsa, "VTG": _vtg, "GNS": _gns, "GLL": _gll, "ZDA": _zda}


def parse_sentence(line: str) -> Sentence:
    """One line → a sentence object; raises ``NmeaError`` for anything malformed or implausible."""
    address, fields = split_sentence(line)
    if address.startswith("P") or len(address) != 5:
        return Other(address[:1], address[1:])  # proprietary ($PUBX, $PMTK...) or nonstandard
    talker, kind = address[:2], address[2:]
    parser = _PARSERS.get(kind)
    if parser is None or talker not in GNSS_TALKERS:
        return Other(talker, kind)
    return parser(talker, fields)


# ---------------------------------------------------------------------------------------------
# Stream reader
# ---------------------------------------------------------------------------------------------


class LineFramer:
    """Cuts a byte stream into lines at LF (CR stripped); overlong runs without LF are dropped."""

    def __init__(self, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.max_line_bytes = max_line_bytes
        self._buf = bytearray()
        self._discarding = False
        self.overflows = 0

    def feed(self, data: bytes) -> list[bytes]:
        lines: list[bytes] = []
        self._buf += data
        while True:
            nl = self._buf.find(b"\n")
            if nl < 0:
                break
            line = bytes(self._buf[:nl])
            del self._buf[: nl + 1]
            if self._discarding:
                self._discarding = False
                continue
            lines.append(line.strip(b"\r\x00 \t"))
        if len(self._buf) > self.max_line_bytes:
            self._buf.clear()
            self._discarding = True
            self.overflows += 1
        return lines

    def reset(self) -> None:
        self._buf.clear()
        self._discarding = False


class NmeaReader:
    """Bytes in, parsed sentences out. Never raises on input; counts into ``stats``."""

    def __init__(self, stats: GeoStats | None = None) -> None:
        self.stats = stats if stats is not None else GeoStats()
        self.framer = LineFramer()
        self.last_error: str | None = None

    def feed(self, data: bytes) -> list[Sentence]:
        self.stats.bytes_read += len(data)
        before = self.framer.overflows
        out = [s for line in self.framer.feed(data) if (s := self.parse_line(line)) is not None]
        self.stats.sentences_bad += self.framer.overflows - before
        return out

    def parse_line(self, line: bytes) -> Sentence | None:
        if not line:
            return None
        start = line.rfind(b"$")  # noise before the sentence start (a glitch, a UBX frame) is skipped
        if start < 0:
            self.stats.sentences_bad += 1
            self.last_error = "no '$' in line"
            return None
        try:
            text = line[start:].decode("ascii")
            sentence = parse_sentence(text)
        except (UnicodeDecodeError, NmeaError) as exc:
            self.stats.sentences_bad += 1
            self.last_error = str(exc)
            return None
        if isinstance(sentence, Other):
            self.stats.sentences_ignored += 1
        else:
            self.stats.sentences_ok += 1
        return sentence

    def reset(self) -> None:
        self.framer.reset()
