"""A recorded track for replays: an NMEA log or a GPX file, giving fixes by GPS time.

``CONTRACT.md``: a recording's positions come from ``--track FILE.nmea|.gpx`` or a sidecar file
beside it (``NAME.nmea``/``NAME.gpx`` for ``NAME.sigmf-meta``). NMEA logs may hold any mix of
sentences and noise (``gpspipe -r`` output, a terminal capture, gpsfake logs with ``#`` comments);
a log without RMC or ZDA dates needs ``date=``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from sensor.errors import InputError
from sensor.gps.align import AlignConfig
from sensor.gps.fix import Fix, NoFix
from sensor.gps.source import PositionSource
from sensor.gps.stats import GeoStats

TRACK_SUFFIXES = (".nmea", ".gpx", ".log", ".txt")


def read_nmea_log(path: str | Path, *, date: dt.date | None = None, stats: GeoStats | None = None) -> list[Fix | NoFix]:
    path = Path(path)
    stats = stats if stats is not None else GeoStats()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    from sensor.gps.epoch import (
        NmeaFixDecoder,
    )  # the NMEA parser: only when a track is read (every replay imports this module)

    decoder = NmeaFixDecoder(f"track:{path.name}", stats=stats, date=date)
    lines = [line for line in data.splitlines() if not line.lstrip().startswith(b"#")]
    out: list[Fix | NoFix] = []
    for line in lines:
        out += decoder.feed(line + b"\n")
    out += decoder.flush()
    if stats.sentences_ok == 0:
        raise InputError(f"{path}: no NMEA sentences with valid checksums: not an NMEA log")
    return out


def read_track(path: str | Path, *, date: dt.date | None = None, stats: GeoStats | None = None) -> list[Fix | NoFix]:
    """Fixes and no-fix epochs of a GPX file (by suffix or content) or an NMEA log."""
    path = Path(path)
    if path.suffix.lower() == ".gpx" or _looks_like_xml(path):
        from sensor.gps.gpx import read_gpx

        return read_gpx(path, stats=stats)
    return read_nmea_log(path, date=date, stats=stats)


def _looks_like_xml(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    except OSError:
        return False


class TrackSource(PositionSource):
    """A track file as a position source: everything is loaded at ``start()``."""

    def __init__(self, path: str | Path, *, date: dt.date | None = None, align: AlignConfig | None = None) -> None:
        super().__init__(f"track:{Path(path).name}", align=align)
        self.path = Path(path)
        self.date = date
        self._fixes: list[Fix] = []

    def _start(self) -> None:
        items = read_track(self.path, date=self.date, stats=self.stats)
        for item in sorted(items, key=lambda i: float("inf") if i.time_utc_s is None else i.time_utc_s):
            self._publish(item)
            if isinstance(item, Fix) and self.latest() is item:
                if self._fixes and self._fixes[-1].time_utc_s == item.time_utc_s:
                    self._fixes[-1] = item  # the same epoch again
                else:
                    self._fixes.append(item)

    def fixes(self, timeout_s: float | None = None) -> Iterator[Fix]:
        """Every accepted fix of the track, in GPS-time order."""
        yield from list(self._fixes)

    @property
    def span_utc_s(self) -> tuple[float, float] | None:
        """GPS time of the first and last fix."""
        return self.aligner.span_utc_s
