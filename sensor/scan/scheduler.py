"""The scan scheduler: tune, look, stay only as long as the carriers of the tuning need, move on.

Per tuning (``Scanner.visit``): retune, start at the gain that worked there before (``gain.py``)
and correct it on the first samples if they clip, then stream through the receiver in short
windows (``window_s``). After every window the scheduler knows which of the carriers this tuning is
responsible for were found (their FCCH) and which of them delivered what the goal asks for:

* ``quick``: SI3 (identity, LAC, cell-selection parameters; sent at TC 2 and 6 of the 8-multiframe
  cycle, so at most 4 × 51 frames = 0.94 s apart);
* ``full``: every SI type the cell announces (SI1, SI2, SI3, SI4, SI2bis/2ter/2quater when
  announced, SI13 when it has GPRS): one full cycle, 8 × 51 frames = 1.88 s.

It leaves as soon as every carrier found is complete; a tuning with no carrier after
``first_look_s`` (about five FCCH periods) is left at once; ``max_dwell_s`` bounds a carrier whose
SCH never decodes. In continuous mode (``Scanner.passes``) it keeps revisiting: tunings with a
suspicious or changed cell first, tunings that were empty twice only every ``empty_every`` passes;
cells that appear or vanish between visits are reported.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sensor.cells import CellObservation, CellTracker
from sensor.gps.source import PositionSource
from sensor.l3 import keys
from sensor.model import L2Block
from sensor.receiver.stream import StreamReceiver
from sensor.scan.gain import GainControl
from sensor.scan.plan import ScanPlan, Tuning
from sensor.sources.base import DeviceSource

log = logging.getLogger(__name__)

GOALS = ("quick", "full")
MULTIFRAME_S = 51 * 120e-3 / 26  # 235.4 ms


def needed_si(cell: CellObservation, goal: str) -> set[str]:
    """The SI types a cell must have delivered for ``goal`` (what it announces, for ``full``)."""
    if goal == "quick":
        return {"3"}
    need = {"1", "2", "3", "4"}
    p = cell.params()
    if p.get(keys.EXT_IND):
        need.add("2bis")
    if p.get(keys.SI2TER_INDICATOR):
        need.add("2ter")
    if p.get(keys.SI2QUATER_INDICATOR):
        need.add("2quater")
    if p.get(keys.GPRS):
        need.add("13")
    return need


def si_complete(cell: CellObservation, goal: str) -> bool:
    return needed_si(cell, goal) <= set(cell.si_octets)


@dataclass(frozen=True, slots=True)
class DwellPolicy:
    goal: str = "quick"
    first_look_s: float = 0.25
    window_s: float = 0.3
    overlap_s: float = 0.1
    max_dwell_s: float | None = None  # None: 1.6 s for quick, 2.9 s for full
    block_s: float = 0.05
    give_up_windows: int = 3  # windows with an FCCH but no SCH before a carrier is not waited for

    @property
    def timeout_s(self) -> float:
        return self.max_dwell_s if self.max_dwell_s is not None else (1.6 if self.goal == "quick" else 2.9)


@dataclass(slots=True)
class TuningVisit:
    center_hz: float
    started_s: float  # source time of the first sample
    dwell_s: float = 0.0  # samples consumed / rate
    gain_db: float | None = None
    found: set[int] = field(default_factory=set)  # responsible ARFCNs whose carrier was found
    complete: set[int] = field(default_factory=set)
    timed_out: bool = False
    cells: set[tuple[int, int | None]] = field(default_factory=set)  # (ARFCN, BSIC) decoded on this visit
    appeared: set[tuple[int, int | None]] = field(default_factory=set)
    since_last_s: float | None = None  # from the end of the previous visit to this tuning
    vanished: set[tuple[int, int | None]] = field(default_factory=set)
    clipped: int = 0
    # What each cell measured on this visit alone (a reading for localisation): mean power of its
    # blocks, and where the receiver was at its last block (None without a fix).
    power_dbfs: dict[tuple[int, int | None], float] = field(default_factory=dict)
    position: dict[tuple[int, int | None], dict[str, Any] | None] = field(default_factory=dict)
    t_s: dict[tuple[int, int | None], float] = field(default_factory=dict)


@dataclass(slots=True)
class Scanner:
    source: DeviceSource
    plan: ScanPlan
    policy: DwellPolicy = field(default_factory=DwellPolicy)
    gain: GainControl | None = None
    tracker: CellTracker = field(default_factory=CellTracker)
    gps: PositionSource | None = None
    on_block: Callable[[L2Block], None] | None = None
    on_window: Callable[[TuningVisit], None] | None = None
    empty_every: int = 3
    revisit_every: int = 4
    visits: list[TuningVisit] = field(default_factory=list)
    blocks: int = 0
    _seen: dict[float, set[tuple[int, int | None]]] = field(default_factory=dict)
    _last_end: dict[float, float] = field(default_factory=dict)
    _empty_runs: dict[float, int] = field(default_factory=dict)
    _priority: set[float] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.policy.goal not in GOALS:
            raise ValueError(f"unknown scan goal {self.policy.goal!r} (known: {', '.join(GOALS)})")

    # -- one tuning -------------------------------------------------------------------------------
    def visit(self, tuning: Tuning) -> TuningVisit:
        src, pol = self.source, self.policy
        rate = src.sample_rate_hz
        src.tune(tuning.center_hz)
        gain = self.gain.start_gain(tuning.center_hz) if self.gain is not None else src.gain_db
        if self.gain is not None and gain is not None:
            src.set_gain(gain)
        v = TuningVisit(tuning.center_hz, started_s=0.0, gain_db=src.gain_db)
        responsible = set(tuning.arfcns)
        stop = False
        consumed = 0
        max_samples = int(pol.timeout_s * rate)

        def feed() -> Iterator[Any]:
            nonlocal consumed
            checks = 0
            for blk in src.blocks(block_samples=max(1, int(pol.block_s * rate))):
                if consumed == 0 and self.gain is not None and checks < 3:
                    checks += 1
                    new = self.gain.adjust(tuning.center_hz, src.gain_db, blk.samples)
                    if new is not None:
                        log.info("%.1f MHz: gain %s → %s dB", tuning.center_hz / 1e6, src.gain_db, new)
                        src.set_gain(new)
                        v.gain_db = new
                        continue  # look again at the new gain
                if consumed == 0:
                    v.started_s = blk.start_s
                consumed += len(blk)
                yield blk
                if stop or consumed >= max_samples:
                    return

        unsynced: dict[int, int] = {}  # windows in which a carrier's FCCH was found but no SCH decoded
        synced: set[int] = set()

        def decide(t0_s: float, t1_s: float) -> None:
            nonlocal stop
            v.dwell_s = consumed / rate
            last = {a: ok for a, ok in stream.last_window.items() if a in responsible}
            synced.update(a for a, ok in last.items() if ok)
            for a, ok in last.items():
                if not ok:
                    unsynced[a] = unsynced.get(a, 0) + 1
            # Waited for: every carrier that synchronised, and one whose FCCH shows in the last window
            # but not yet its SCH, for a few windows. One whose SCH never decodes (too weak, or an image
            # of a strong carrier through the tuner's I/Q imbalance) or that showed once is not.
            v.found = synced | {a for a, ok in last.items() if not ok and unsynced[a] < pol.give_up_windows}
            by_arfcn: dict[int, list[CellObservation]] = {}
            for (a, _), c in self.tracker.cells.items():
                by_arfcn.setdefault(a, []).append(c)
            v.complete = {
                a
                for a in v.found
                if any(si_complete(c, pol.goal) and (c.last_t_s or -1) >= v.started_s for c in by_arfcn.get(a, []))
            }
            if (v.found and v.complete == v.found) or (not v.found and v.dwell_s >= pol.first_look_s):
                stop = True
            if self.on_window is not None:
                self.on_window(v)

        stream = StreamReceiver(window_s=pol.window_s, overlap_s=pol.overlap_s, on_window=decide, prescreen=True)
        sums: dict[tuple[int, int | None], list[float]] = {}
        for b in stream.process(feed()):
            self.blocks += 1
            pos = self.gps.position_at(b.time_utc_s) if self.gps is not None else None
            self.tracker.add_block(b, pos)
            key = (b.arfcn, b.bsic)
            v.cells.add(key)
            if b.rssi_dbfs is not None:
                sums.setdefault(key, []).append(10 ** (b.rssi_dbfs / 10))
            v.position[key] = pos
            if b.t_s is not None:
                v.t_s[key] = b.t_s
            if self.on_block is not None:
                self.on_block(b)
        v.power_dbfs = {k: 10 * math.log10(sum(x) / len(x)) for k, x in sums.items() if sum(x) > 0}
        # the carriers measured on this visit's FCCH bursts: the visit is each cell's reading
        for e in stream.take_fcch():
            pos = self.gps.position_at(e.time_utc_s) if self.gps is not None else None
            self.tracker.add_fcch(e, pos, reading_start_t_s=v.started_s)
        self.tracker.finish_readings()
        v.dwell_s = consumed / rate
        v.timed_out = bool(v.found - v.complete) or (consumed >= max_samples and not stop)
        self._compare(v)
        self.visits.append(v)
        return v

    def _compare(self, v: TuningVisit) -> None:
        before = self._seen.get(v.center_hz)
        if before is not None:
            v.appeared, v.vanished = v.cells - before, before - v.cells
            v.since_last_s = v.started_s - self._last_end[v.center_hz]
        self._seen[v.center_hz] = set(v.cells)
        self._last_end[v.center_hz] = v.started_s + v.dwell_s
        self._empty_runs[v.center_hz] = 0 if v.found else self._empty_runs.get(v.center_hz, 0) + 1

    # -- passes ------------------------------------------------------------------------------------
    def prioritise(self, center_hz: float) -> None:
        """Visit this tuning first on the next pass (a suspicious or changed cell is there)."""
        self._priority.add(center_hz)

    def order(self, pass_no: int) -> list[Tuning]:
        """The tunings of pass ``pass_no`` (0-based): prioritised ones first and again after every
        ``revisit_every`` others (a suspicious cell is measured from many places as the car moves:
        what localisation needs), quiet ones only every ``empty_every`` passes."""
        first = [t for t in self.plan.tunings if t.center_hz in self._priority]
        rest = [
            t
            for t in self.plan.tunings
            if t.center_hz not in self._priority
            and (self._empty_runs.get(t.center_hz, 0) < 2 or pass_no % self.empty_every == 0)
        ]
        self._priority.clear()
        out = list(first)
        for i, t in enumerate(rest, 1):
            out.append(t)
            if first and i % self.revisit_every == 0:
                out.extend(first)
        return out

    def scan_pass(self, pass_no: int = 0) -> list[TuningVisit]:
        return [self.visit(t) for t in self.order(pass_no)]

    def passes(self, n: int | None = None) -> Iterator[list[TuningVisit]]:
        """Pass after pass (for ever when ``n`` is None)."""
        k = 0
        while n is None or k < n:
            yield self.scan_pass(k)
            k += 1
