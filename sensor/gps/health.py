"""Tracking losses and recoveries of a GPS fix: logged once per change, counted in ``GeoStats``."""

from __future__ import annotations

import logging
import time

from sensor.gps.stats import GeoStats

log = logging.getLogger(__name__)


class FixHealth:
    """State machine: unknown → fix ⇄ lost. A loss counts only after a fix was had."""

    def __init__(self, source: str, stats: GeoStats) -> None:
        self.source = source
        self.stats = stats
        self.has_fix: bool | None = None  # None until the first fix or no-fix report
        self._lost_mono_s: float | None = None

    def fix(self) -> None:
        if self._lost_mono_s is not None:
            self.stats.recoveries += 1
            log.info("%s: GPS fix recovered after %.1f s", self.source, time.monotonic() - self._lost_mono_s)
        self.has_fix = True
        self._lost_mono_s = None

    def lost(self, reason: str) -> None:
        if self.has_fix:
            self.stats.losses += 1
            self._lost_mono_s = time.monotonic()
            log.warning("%s: GPS fix lost (%s)", self.source, reason)
        elif self.has_fix is None:
            log.info("%s: no GPS fix yet (%s)", self.source, reason)
        self.has_fix = False
