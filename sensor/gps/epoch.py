"""Merging the NMEA sentences of one navigation epoch into one ``Fix`` (or ``NoFix``).

A receiver reports each solution as a burst of sentences sharing one time of day: RMC carries
the date, speed and track; GGA/GNS altitude, HDOP and satellites; GSA whether the fix is 2D or
3D. An epoch ends when a sentence with another time of day arrives, when the sentence that has
ended the last two epochs arrives (learned, as gpsd does, so a fix is not one second late), or
when the stream goes quiet (``flush``).

Conservative by design: if any sentence of the epoch says there is no fix (RMC/GLL status V or
a non-fix mode, GGA quality 0 or 6–8, GNS mode N/E, GSA fix type 1), the epoch is a ``NoFix``.
If the position sentences of one epoch disagree by more than ``MAX_DISAGREEMENT_M``, or a value
is implausible, the epoch is dropped: a corrupt line that happened to pass its checksum must not
become a position.
"""

from __future__ import annotations

import datetime as dt
import logging

from sensor.gps.fix import Fix, NoFix
from sensor.gps.geodesy import distance_m
from sensor.gps.nmea import (
    GGA_VALID_QUALITY,
    TIMED,
    Gga,
    Gll,
    Gns,
    Gsa,
    NmeaReader,
    Other,
    Rmc,
    Sentence,
    Vtg,
    Zda,
)
from sensor.gps.stats import GeoStats

log = logging.getLogger(__name__)

MAX_DISAGREEMENT_M = 50.0
_DAY_S = 86_400.0
_EPOCH = dt.date(1970, 1, 1)


class _Epoch:
    __slots__ = ("gga", "gll", "gns", "gsa", "last_key", "recv_mono", "recv_utc", "rmc", "tod", "vtg", "zda")

    def __init__(self, tod: float, recv_mono: float | None, recv_utc: float | None) -> None:
        self.tod = tod
        self.rmc: Rmc | None = None
        self.gga: Gga | None = None
        self.gns: Gns | None = None
        self.gll: Gll | None = None
        self.zda: Zda | None = None
        self.gsa: list[Gsa] = []
        self.vtg: Vtg | None = None
        self.last_key = ""
        self.recv_mono = recv_mono
        self.recv_utc = recv_utc


def _key(s: Sentence) -> str:
    return s.talker + (s.kind if isinstance(s, Other) else type(s).__name__.upper())


def _posix(date: dt.date, tod: float) -> float:
    return (date - _EPOCH).days * _DAY_S + tod


class EpochAssembler:
    """Sentences in, ``Fix``/``NoFix`` out, one per epoch.

    ``date``: the UTC date to assume until an RMC or ZDA gives one (for logs without dates).
    ``date_from_clock``: else take the date from the laptop's reception time (live sources).
    """

    def __init__(
        self,
        source: str = "",
        *,
        stats: GeoStats | None = None,
        date: dt.date | None = None,
        date_from_clock: bool = False,
    ) -> None:
        self.source = source
        self.stats = stats if stats is not None else GeoStats()
        self.date_from_clock = date_from_clock
        self._epoch: _Epoch | None = None
        self._date_ref: tuple[dt.date, float] | None = (date, 0.0) if date is not None else None
        self._closed_tod: float | None = None
        self._ender: str | None = None
        self._candidate: str | None = None
        self._candidate_count = 0

    # -- input ---------------------------------------------------------------------------------

    def feed(
        self, sentence: Sentence, *, received_mono_s: float | None = None, received_utc_s: float | None = None
    ) -> list[Fix | NoFix]:
        out: list[Fix | NoFix] = []
        key = _key(sentence)
        if isinstance(sentence, TIMED):
            tod = sentence.time_of_day_s
            ep = self._epoch
            if ep is not None and abs(ep.tod - tod) > 5e-4:
                self._learn_ender(ep.last_key)
                out += self._close()
                ep = None
            if ep is None:
                if self._closed_tod is not None and abs(self._closed_tod - tod) <= 5e-4:
                    # The learned ender closed this epoch too early: unlearn it, drop the straggler.
                    self._ender = self._candidate = None
                    self._candidate_count = 0
                    return out
                ep = self._epoch = _Epoch(tod, received_mono_s, received_utc_s)
            self._attach(ep, sentence)
        elif self._epoch is not None:
            self._attach(self._epoch, sentence)
        else:
            return out
        self._epoch.last_key = key
        if self._ender is not None and key == self._ender:
            out += self._close()
        return out

    def flush(self) -> list[Fix | NoFix]:
        """End the open epoch now (the stream went quiet, or it ended)."""
        return self._close()

    def _attach(self, ep: _Epoch, s: Sentence) -> None:
        if isinstance(s, Rmc):
            ep.rmc = ep.rmc or s
        elif isinstance(s, Gga):
            ep.gga = ep.gga or s
        elif isinstance(s, Gns):
            ep.gns = ep.gns or s
        elif isinstance(s, Gll):
            ep.gll = ep.gll or s
        elif isinstance(s, Zda):
            ep.zda = s
        elif isinstance(s, Gsa):
            ep.gsa.append(s)
        elif isinstance(s, Vtg):
            ep.vtg = ep.vtg or s

    def _learn_ender(self, key: str) -> None:
        if key == self._candidate:
            self._candidate_count += 1
        else:
            self._candidate, self._candidate_count = key, 1
        if self._candidate_count >= 2:
            self._ender = key

    # -- output --------------------------------------------------------------------------------

    def _close(self) -> list[Fix | NoFix]:
        ep, self._epoch = self._epoch, None
        if ep is None:
            return []
        self._closed_tod = ep.tod
        result = self._finish(ep)
        if result is None:
            return []
        if isinstance(result, NoFix):
            self.stats.no_fix_epochs += 1
        return [result]

    def _resolve_date(self, ep: _Epoch) -> dt.date | None:
        own = ep.rmc.date if ep.rmc is not None and ep.rmc.date is not None else None
        if own is None and ep.zda is not None:
            own = ep.zda.date
        if own is not None:
            self._date_ref = (own, ep.tod)
            return own
        if self._date_ref is not None:
            date, tod = self._date_ref
            if ep.tod < tod - _DAY_S / 2:  # passed midnight since the last dated epoch
                date += dt.timedelta(days=1)
            elif ep.tod > tod + _DAY_S / 2:
                date -= dt.timedelta(days=1)
            self._date_ref = (date, ep.tod)
            return date
        if self.date_from_clock and ep.recv_utc is not None:
            today = dt.datetime.fromtimestamp(ep.recv_utc, dt.UTC).date()
            days = (today + dt.timedelta(days=d) for d in (-1, 0, 1))
            return min(days, key=lambda d: abs(_posix(d, ep.tod) - ep.recv_utc))
        return None

    def _finish(self, ep: _Epoch) -> Fix | NoFix | None:
        date = self._resolve_date(ep)
        positional = [s for s in (ep.gga, ep.gns, ep.rmc, ep.gll) if s is not None]
        if not positional:
            return None  # a ZDA/GSA/VTG-only burst: nothing to report
        time_utc_s = _posix(date, ep.tod) if date is not None else None
        why = self._why_no_fix(ep)
        if why is not None:
            return NoFix(time_utc_s, why, self.source, ep.recv_mono, ep.recv_utc)
        located = [s for s in positional if s.lat_deg is not None and s.lon_deg is not None]
        if not located:
            return NoFix(time_utc_s, "valid status but no position", self.source, ep.recv_mono, ep.recv_utc)
        if time_utc_s is None:
            return self._reject(ep, "no date (no RMC or ZDA yet)")
        lat, lon = located[0].lat_deg, located[0].lon_deg
        for other in located[1:]:
            if distance_m(lat, lon, other.lat_deg, other.lon_deg) > MAX_DISAGREEMENT_M:
                return self._reject(ep, "position sentences of one epoch disagree")
        dims = [g.dimension for g in ep.gsa]
        alt_source = ep.gga if ep.gga is not None and ep.gga.alt_m is not None else ep.gns
        alt = alt_source.alt_m if alt_source is not None else None
        if dims:
            mode = "3d" if max(dims) == 3 else "2d"
        else:
            mode = "3d" if alt is not None else "2d"
        if mode != "3d":
            alt = None  # a 2D fix reports an assumed altitude: not a measurement
        hdop = next((s.hdop for s in (ep.gga, ep.gns) if s is not None and s.hdop is not None), None)
        if hdop is None:
            hdop = next((g.hdop for g in ep.gsa if g.hdop is not None), None)
        if hdop is not None and hdop <= 0.0:
            hdop = None
        sats = next((s.satellites for s in (ep.gga, ep.gns) if s is not None and s.satellites is not None), None)
        speed = ep.rmc.speed_m_s if ep.rmc is not None and ep.rmc.speed_m_s is not None else None
        track = ep.rmc.track_deg if ep.rmc is not None and ep.rmc.track_deg is not None else None
        if ep.vtg is not None and ep.vtg.mode not in ("N", "E", "M", "S"):
            speed = speed if speed is not None else ep.vtg.speed_m_s
            track = track if track is not None else ep.vtg.track_deg
        if track is not None and track >= 360.0:
            track -= 360.0
        candidate = dict(
            time_utc_s=time_utc_s,
            lat_deg=lat,
            lon_deg=lon,
            alt_m=alt,
            mode=mode,
            hdop=hdop,
            satellites=sats,
            speed_m_s=speed,
            track_deg=track,
            source=self.source,
            received_mono_s=ep.recv_mono,
            received_utc_s=ep.recv_utc,
        )
        try:
            return Fix(**candidate)  # type: ignore[arg-type]
        except ValueError as exc:
            return self._reject(ep, str(exc))

    @staticmethod
    def _why_no_fix(ep: _Epoch) -> str | None:
        if ep.rmc is not None and not ep.rmc.valid:
            return ep.rmc.why_invalid
        if ep.gga is not None and ep.gga.quality not in GGA_VALID_QUALITY:
            return f"GGA quality {ep.gga.quality}"
        if ep.gns is not None and not ep.gns.valid:
            return f"GNS mode {ep.gns.modes}"
        if ep.gll is not None and not ep.gll.valid:
            return ep.gll.why_invalid
        if ep.gsa and max(g.dimension for g in ep.gsa) == 1:
            return "GSA fix type 1"
        return None

    def _reject(self, ep: _Epoch, why: str) -> None:
        self.stats.rejected_epochs += 1
        log.debug("%s: dropped epoch at %.3f s of day: %s", self.source or "nmea", ep.tod, why)
        return


class NmeaFixDecoder:
    """Bytes of an NMEA stream in, fixes out: ``NmeaReader`` + ``EpochAssembler``. Never raises."""

    def __init__(self, source: str = "", *, stats: GeoStats | None = None, **assembler_kw: object) -> None:
        self.stats = stats if stats is not None else GeoStats()
        self.reader = NmeaReader(self.stats)
        self.assembler = EpochAssembler(source, stats=self.stats, **assembler_kw)  # type: ignore[arg-type]

    def feed(
        self, data: bytes, *, received_mono_s: float | None = None, received_utc_s: float | None = None
    ) -> list[Fix | NoFix]:
        out: list[Fix | NoFix] = []
        for sentence in self.reader.feed(data):
            out += self.assembler.feed(sentence, received_mono_s=received_mono_s, received_utc_s=received_utc_s)
        return out

    def flush(self) -> list[Fix | NoFix]:
        return self.assembler.flush()
