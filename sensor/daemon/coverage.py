"""How much of the band and of the time a run actually covered, so that nothing is said of what was
not scanned.

Counted from the visits the scheduler completed (a visit that a lost receiver cut short delivered
nothing and counts for nothing): the channels asked for (the plan's, plus those no tuning of this
receiver reaches), the channels whose tuning delivered samples at least once, the tunings of the
current pass visited out of the plan's, and the seconds of radio received (samples consumed, the
retune settling left out) against the wall-clock seconds the run has lasted. With the simulator the
radio runs faster than the wall clock, so received seconds may exceed wall seconds.

``words()`` is the phrase the status line, the end summary and the collector's status messages use
("scanned 124 of 124 ARFCNs, 38 s received in 40 s"); ``as_dict()`` the same figures for JSON.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sensor.scan.plan import ScanPlan, Tuning

ChannelKey = tuple[str, int]  # (band, ARFCN): PCS1900 and DCS1800 share ARFCN numbers


@dataclass(slots=True)
class Coverage:
    started_mono: float = field(default_factory=time.monotonic)
    planned: set[ChannelKey] = field(default_factory=set)  # asked for, reachable or not
    reachable: set[ChannelKey] = field(default_factory=set)  # some tuning of the plan covers them
    received: set[ChannelKey] = field(default_factory=set)  # their tuning delivered samples at least once
    received_s: float = 0.0  # seconds of samples consumed by visits
    visits: int = 0
    pass_tunings: int = 0  # tunings in the plan (what one pass would visit if none were skipped)
    pass_visited: set[float] = field(default_factory=set)  # centres visited in the current pass
    last_pass: tuple[int, int] | None = None  # (visited, planned) tunings of the last finished pass

    def plan(self, plan: ScanPlan) -> None:
        """The plan of a (re)opened receiver: what is asked for and what it can reach."""
        reach = {(c.band, c.arfcn) for c in plan.channels}
        self.reachable |= reach
        self.planned |= reach | {(c.band, c.arfcn) for c in plan.left_out}
        self.pass_tunings = len(plan.tunings)

    def start_pass(self) -> None:
        self.pass_visited = set()

    def visited(self, tuning: Tuning, dwell_s: float) -> None:
        """A visit completed: ``dwell_s`` seconds of samples of ``tuning`` received."""
        self.visits += 1
        self.pass_visited.add(tuning.center_hz)
        if dwell_s > 0:
            self.received_s += dwell_s
            self.received |= {(c.band, c.arfcn) for c in tuning.channels}

    def end_pass(self) -> None:
        self.last_pass = (len(self.pass_visited), self.pass_tunings)

    def wall_s(self, now_mono: float | None = None) -> float:
        return (time.monotonic() if now_mono is None else now_mono) - self.started_mono

    @property
    def anything(self) -> bool:
        """Whether any samples at all were received (else nothing may be said of any cell)."""
        return self.received_s > 0

    def words(self, now_mono: float | None = None) -> str:
        wall = self.wall_s(now_mono)
        if not self.anything:
            return f"nothing received in {wall:.0f} s"
        text = f"scanned {len(self.received)} of {len(self.planned)} ARFCNs"
        unreachable = len(self.planned - self.reachable)
        if unreachable:
            text += f" ({unreachable} out of this receiver's reach)"
        return text + f", {self.received_s:.0f} s received in {wall:.0f} s"

    def pass_words(self) -> str:
        """The current pass: tunings visited of the plan's (quiet ones are skipped on some passes)."""
        return f"pass {len(self.pass_visited)}/{self.pass_tunings} tunings" if self.pass_tunings else ""

    def as_dict(self, now_mono: float | None = None) -> dict[str, Any]:
        return {
            "arfcns_planned": len(self.planned),
            "arfcns_reachable": len(self.reachable),
            "arfcns_received": len(self.received),
            "received_s": round(self.received_s, 1),
            "wall_s": round(self.wall_s(now_mono), 1),
            "visits": self.visits,
            "last_pass_tunings": None if self.last_pass is None else list(self.last_pass),
        }
