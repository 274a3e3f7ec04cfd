"""Time alignment: the position valid at the time of some samples, or None — never a guess.

Given the fixes of a drive (GPS time) and a sample time (UTC), the position is:

- the fix at exactly that time;
- else a linear interpolation between the two fixes that bracket it, when they are at most
  ``max_span_s`` apart, no no-fix epoch lies between them, and the speed they imply is one a car
  can drive (``max_speed_m_s``, plus ``jitter_m`` of position noise);
- else the nearest fix on either side, when it is at most ``max_age_s`` from the sample time and
  no no-fix epoch lies between them;
- else None: no fix, a stale fix, a gap, or the receiver said it had no fix.

``age_s`` in the result is how far the sample time is from the nearest fix used.

The velocity (``speed_m_s``, ``heading_deg``) is what the GPS reported (RMC/VTG speed and course,
gpsd TPV ``speed``/``track``, GPX 1.0 ``speed``/``course``), interpolated like the position
(the heading the short way round); where a fix did not report it (a GGA-only log, a GPX 1.1 track)
it is the track's derivative: the central difference of the fixes either side (one-sided at an
end), only across fixes the interpolation itself would join (at most ``max_span_s`` apart, no
no-fix epoch between, a speed a car can drive). None when neither is there.

Fixes are added in GPS-time order. A fix that would need an impossible speed from the previous
accepted fix is a jump: it is logged, counted (``GeoStats.jumps``) and dropped. If the next
``relocate_after`` fixes all jump the same way and agree with each other, the earlier track was
the wrong one (a receiver's bad first fix): they are accepted and nothing is interpolated across
the break.
"""

from __future__ import annotations

import bisect
import logging
import math
import threading
from dataclasses import dataclass
from typing import Any

from sensor.gps.clock import ClockOffset, ClockOffsetEstimate
from sensor.gps.fix import Fix, position_dict
from sensor.gps.geodesy import bearing_deg, distance_m, lerp_lat_lon
from sensor.gps.stats import GeoStats
from sensor.schema import bounded

log = logging.getLogger(__name__)

_SAME_TIME_S = 1e-6


@dataclass(frozen=True, slots=True)
class AlignConfig:
    max_span_s: float = bounded(2.0, min=0.0, max=60.0, doc="interpolate only between fixes at most this far apart")
    max_age_s: float = bounded(1.0, min=0.0, max=60.0, doc="without a bracketing pair, the nearest fix may be this old")
    max_speed_m_s: float = bounded(70.0, min=1.0, max=1000.0, doc="faster implied motion is a jump, not a drive")
    jitter_m: float = bounded(20.0, min=0.0, max=1000.0, doc="position noise allowed on top of max_speed_m_s × Δt")
    relocate_after: int = bounded(3, min=2, max=100, doc="agreeing jumping fixes that mean the old track was wrong")
    history_s: float = bounded(3600.0, min=1.0, doc="how much GPS time of fixes to keep")
    clock_window: int = bounded(120, min=1, doc="fixes in the clock-offset median")
    clock_warn_s: float = bounded(2.0, min=0.0, doc="warn when the laptop clock is this far from GPS time")


@dataclass(frozen=True, slots=True)
class AlignedPosition:
    lat_deg: float
    lon_deg: float
    alt_m: float | None
    mode: str
    hdop: float | None
    age_s: float
    interpolated: bool
    speed_m_s: float | None = None
    heading_deg: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The contract's ``position`` object."""
        return position_dict(
            lat_deg=self.lat_deg,
            lon_deg=self.lon_deg,
            alt_m=self.alt_m,
            mode=self.mode,
            hdop=self.hdop,
            age_s=self.age_s,
            speed_m_s=self.speed_m_s,
            heading_deg=self.heading_deg,
        )


class Aligner:
    """Fixes in (in GPS-time order), positions at sample times out. Thread-safe."""

    def __init__(self, config: AlignConfig | None = None, *, stats: GeoStats | None = None, source: str = "") -> None:
        self.config = config if config is not None else AlignConfig()
        self.stats = stats if stats is not None else GeoStats()
        self.source = source or "gps"
        self.clock = ClockOffset(self.config.clock_window)
        self.out_of_order = 0
        self.relocations = 0
        self._times: list[float] = []
        self._fixes: list[Fix] = []
        self._outages: list[float] = []
        self._pending: list[Fix] = []
        self._clock_warned = False
        self._lock = threading.Lock()

    # -- input ---------------------------------------------------------------------------------

    def add(self, fix: Fix) -> bool:
        """Add a fix; False when it was dropped (out of order, or a jump)."""
        with self._lock:
            accepted = self._add(fix)
            if accepted:
                self.clock.add(fix.received_utc_s, fix.time_utc_s)
                self._check_clock()
            return accepted

    def add_no_fix(self, time_utc_s: float | None) -> None:
        """The receiver reported no fix at this GPS time: never interpolate across it."""
        if time_utc_s is None or not math.isfinite(time_utc_s):
            return
        with self._lock:
            bisect.insort(self._outages, time_utc_s)

    def _add(self, fix: Fix) -> bool:
        if not self._fixes:
            self._append(fix)
            return True
        last = self._fixes[-1]
        dt = fix.time_utc_s - last.time_utc_s
        if dt < -_SAME_TIME_S:
            self.out_of_order += 1
            log.debug("%s: dropped a fix %.3f s older than the last one", self.source, -dt)
            return False
        if dt <= _SAME_TIME_S and self._plausible(last, fix):
            self._fixes[-1] = fix  # the same epoch again (gpsd repeats it as sentences arrive)
            return True
        if dt > _SAME_TIME_S and self._plausible(last, fix):
            self._pending.clear()
            self._append(fix)
            return True
        self.stats.jumps += 1
        d_m = distance_m(last.lat_deg, last.lon_deg, fix.lat_deg, fix.lon_deg)
        log.warning(
            "%s: dropped a GPS fix that jumps %.0f m in %.1f s (%.4f,%.4f → %.4f,%.4f)",
            self.source, d_m, dt, last.lat_deg, last.lon_deg, fix.lat_deg, fix.lon_deg,
        )  # fmt: skip
        if self._pending and self._pending[-1].time_utc_s < fix.time_utc_s and self._plausible(self._pending[-1], fix):
            self._pending.append(fix)
        else:
            self._pending = [fix]
        if len(self._pending) >= self.config.relocate_after:
            self.relocations += 1
            log.warning("%s: %d agreeing fixes contradict the track: taking them as the true position",
                        self.source, len(self._pending))  # fmt: skip
            bisect.insort(self._outages, (last.time_utc_s + self._pending[0].time_utc_s) / 2)
            for p in self._pending:
                self._append(p)
            self._pending.clear()
        return False

    def _append(self, fix: Fix) -> None:
        self._times.append(fix.time_utc_s)
        self._fixes.append(fix)
        horizon = fix.time_utc_s - self.config.history_s
        if self._times[0] < horizon:
            k = bisect.bisect_left(self._times, horizon)
            del self._times[:k], self._fixes[:k]
            j = bisect.bisect_left(self._outages, horizon)
            del self._outages[:j]

    def _plausible(self, a: Fix, b: Fix) -> bool:
        dt = abs(b.time_utc_s - a.time_utc_s)
        d_m = distance_m(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg)
        return d_m <= self.config.max_speed_m_s * dt + self.config.jitter_m

    def _check_clock(self) -> None:
        est = self.clock.estimate()
        if est is None or est.samples < 10:
            return
        off = abs(est.offset_s) > self.config.clock_warn_s
        if off and not self._clock_warned:
            log.warning("%s: laptop clock is %+.2f s from GPS time (median of %d fixes): sample times are off",
                        self.source, est.offset_s, est.samples)  # fmt: skip
        self._clock_warned = off

    # -- output --------------------------------------------------------------------------------

    def _outage_in(self, lo: float, hi: float, *, lo_open: bool = True, hi_open: bool = True) -> bool:
        i = bisect.bisect_right(self._outages, lo) if lo_open else bisect.bisect_left(self._outages, lo)
        return i < len(self._outages) and (self._outages[i] < hi if hi_open else self._outages[i] <= hi)

    def position_at(self, time_utc_s: float | None) -> dict[str, Any] | None:
        """The contract's ``position`` object for samples taken at ``time_utc_s``, or None."""
        aligned = self.fix_at(time_utc_s)
        return None if aligned is None else aligned.as_dict()

    def fix_at(self, time_utc_s: float | None) -> AlignedPosition | None:
        if time_utc_s is None or not math.isfinite(time_utc_s):
            return None
        with self._lock:
            return self._fix_at(time_utc_s)

    def _fix_at(self, t: float) -> AlignedPosition | None:
        cfg = self.config
        i = bisect.bisect_right(self._times, t)
        a = self._fixes[i - 1] if i > 0 else None
        b = self._fixes[i] if i < len(self._fixes) else None
        if a is not None and t - a.time_utc_s <= _SAME_TIME_S:
            return _from_fix(a, 0.0, self._velocity_of(i - 1))
        if a is not None and b is not None and self._joined(a, b):
            return _interpolate(a, b, t, self._velocity_of(i - 1), self._velocity_of(i))
        best: tuple[float, int] | None = None
        if a is not None and t - a.time_utc_s <= cfg.max_age_s and not self._outage_in(a.time_utc_s, t, hi_open=False):
            best = (t - a.time_utc_s, i - 1)
        if (
            b is not None
            and b.time_utc_s - t <= cfg.max_age_s
            and not self._outage_in(t, b.time_utc_s, lo_open=False)
            and (best is None or b.time_utc_s - t < best[0])
        ):
            best = (b.time_utc_s - t, i)
        return None if best is None else _from_fix(self._fixes[best[1]], best[0], self._velocity_of(best[1]))

    def _joined(self, a: Fix, b: Fix) -> bool:
        """Whether the track runs from fix ``a`` to the later fix ``b`` (what interpolation may join)."""
        return (
            b.time_utc_s - a.time_utc_s <= self.config.max_span_s
            and not self._outage_in(a.time_utc_s, b.time_utc_s)
            and self._plausible(a, b)
        )

    def _velocity_of(self, k: int) -> tuple[float | None, float | None]:
        """(speed_m_s, heading_deg) at fix ``k``: as reported, else the track's derivative there."""
        fix = self._fixes[k]
        speed, heading = fix.speed_m_s, fix.track_deg
        if speed is not None and heading is not None:
            return speed, heading
        lo = k - 1 if k > 0 and self._joined(self._fixes[k - 1], fix) else k
        hi = k + 1 if k + 1 < len(self._fixes) and self._joined(fix, self._fixes[k + 1]) else k
        if lo == hi:
            return speed, heading
        p, q = self._fixes[lo], self._fixes[hi]
        d_m = distance_m(p.lat_deg, p.lon_deg, q.lat_deg, q.lon_deg)
        derived = d_m / (q.time_utc_s - p.time_utc_s)
        if heading is None and d_m > 0.0:
            heading = bearing_deg(p.lat_deg, p.lon_deg, q.lat_deg, q.lon_deg)
        return (derived if speed is None else speed), heading

    def clock_offset(self) -> ClockOffsetEstimate | None:
        """Laptop clock minus GPS time (median; includes the receiver's output latency)."""
        with self._lock:
            return self.clock.estimate()

    def snapshot(self) -> list[Fix]:
        """The accepted fixes kept, in GPS-time order."""
        with self._lock:
            return list(self._fixes)

    def __len__(self) -> int:
        return len(self._fixes)

    @property
    def span_utc_s(self) -> tuple[float, float] | None:
        with self._lock:
            return (self._times[0], self._times[-1]) if self._times else None


Velocity = tuple[float | None, float | None]  # (speed_m_s, heading_deg)


def _from_fix(fix: Fix, age_s: float, velocity: Velocity) -> AlignedPosition:
    return AlignedPosition(fix.lat_deg, fix.lon_deg, fix.alt_m, fix.mode, fix.hdop, age_s, False, *velocity)


def _interpolate(a: Fix, b: Fix, t: float, va: Velocity, vb: Velocity) -> AlignedPosition:
    frac = (t - a.time_utc_s) / (b.time_utc_s - a.time_utc_s)
    lat, lon = lerp_lat_lon(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, frac)
    alt = a.alt_m + frac * (b.alt_m - a.alt_m) if a.alt_m is not None and b.alt_m is not None else None
    mode = "3d" if a.mode == b.mode == "3d" else "2d"
    hdops = [h for h in (a.hdop, b.hdop) if h is not None]
    age_s = min(t - a.time_utc_s, b.time_utc_s - t)
    speed = None if va[0] is None or vb[0] is None else va[0] + frac * (vb[0] - va[0])
    heading = None
    if va[1] is not None and vb[1] is not None:
        turn = (vb[1] - va[1] + 180.0) % 360.0 - 180.0  # the short way round
        heading = (va[1] + frac * turn) % 360.0
    hdop = max(hdops) if hdops else None
    return AlignedPosition(lat, lon, alt if mode == "3d" else None, mode, hdop, age_s, True, speed, heading)
