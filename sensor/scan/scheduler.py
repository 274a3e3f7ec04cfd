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

Stakeouts: a short visit sees few whole phone sessions (a fake station keeps a phone a few
seconds: assignment, identity requests, SMS, reject, release), and the causal rules and the SMS
need whole ones. So a carrier that is a suspect (``Scanner.suspect``: the daemon judged one of its
cells suspicious or fake) and whose last visit ended with dedicated activity (an Immediate
Assignment on its CCCH, or SDCCH/SACCH blocks) while it still decoded, or that the officer pinned
(``Scanner.watch``, ``--watch ARFCN``: whatever its verdict and activity), is staked out at the
next visit of its tuning: the visit stays, window after window, while the carrier keeps being active
and in reach, and ends at the first window after which, for every staked carrier, either
``StakeoutPolicy.idle_s`` passed with no dedicated activity or ``lost_s`` without its SCH decoding
(out of reach), once the receiver moved ``move_m`` (a visit gives one reading of each cell, power
and position, for localisation: a long one in a moving car would smear it over the road and take
the many positions the fit needs; on the patrol drive at 15 m/s, 30 s stakeouts left the fake's
95 % region at 389 m where usual visits give 216 m, 20 m ones 247 m), or at the visit's allowance,
whichever comes first. A stakeout is for a parked or slow car; what the tuning's usual visit
waits for (the goal's SI) is waited for too. The decisions are taken per window, in the
visit's own ``decide`` callback: the inner loop is no slower.

The rest of the band is still revisited: stakeouts spend a budget that only the other visits earn.
With ``share`` s and r = s / (1 − s), every second of a visit that is not a stakeout earns r
seconds, the budget never holds more than ``max_s``, a stakeout may last no longer than the budget
(nor ``max_s``) and starts only when the budget allows ``min_s``. So over any stretch of radio
time in which the other visits take N seconds, stakeouts take at most ``max_s`` + r·N (with the
defaults, s = 0.5: at most half of the radio time, plus one stakeout). A tuning visited in every
pass, where a pass's other visits take at most P seconds, is revisited within
2·(1 + r)·P + ``max_s`` seconds of radio time (tunings retuned to in between add their settle time).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sensor.cells import CellObservation, CellTracker
from sensor.errors import ConfigError
from sensor.gps.geodesy import distance_m
from sensor.gps.source import PositionSource
from sensor.l3 import keys
from sensor.l3.ts24007 import PD_RR
from sensor.l3.ts44018 import RRMessageType
from sensor.model import L2Block
from sensor.receiver.stream import StreamReceiver
from sensor.scan.gain import GainControl
from sensor.scan.plan import ScanPlan, Tuning
from sensor.sources.base import DeviceSource

log = logging.getLogger(__name__)

GOALS = ("quick", "full")
MULTIFRAME_S = 51 * 120e-3 / 26  # 235.4 ms
STAKEOUT_MAX_S = 30.0
STAKEOUT_MIN_S = 8.0
STAKEOUT_SHARE = 0.5
# Visits kept (what the status line shows is the latest): a run that lasts for ever keeps a bounded
# history; one pass of the widest plan (GSM900 + DCS1800 at 2.4 Msps) is well under it.
VISITS_KEEP = 1024
# TS 44.018 §9.1.18, §9.1.19: what a cell sends on its CCCH to take a phone onto a dedicated channel
_ASSIGNMENTS = frozenset((RRMessageType.IMMEDIATE_ASSIGNMENT, RRMessageType.IMMEDIATE_ASSIGNMENT_EXTENDED))


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


def dedicated_activity(block: L2Block) -> bool:
    """A block that shows a phone on a dedicated channel of its carrier: an SDCCH or SACCH block
    (the receiver emits those only while a sub-channel is in use), or an Immediate Assignment
    (Extended) on its CCCH: octet 0 the L2 pseudo length, octet 1 skip indicator + PD RR, octet 2
    the message type (TS 44.018 §10.1-10.4)."""
    if block.channel in ("SDCCH", "SACCH"):
        return True
    o = block.octets
    return block.channel == "CCCH" and block.crc_ok and len(o) > 2 and o[1] == PD_RR and o[2] in _ASSIGNMENTS


def check_watch(plan: ScanPlan, arfcns: Iterable[int]) -> None:
    """A pinned ARFCN (``--watch``) must be one the plan scans: in ``--bands``, ``--arfcns`` and the
    receiver's reach."""
    for a in arfcns:
        if plan.tuning_for(a) is None:
            raise ConfigError(f"--watch {a}: ARFCN {a} is not in the scanned bands and ARFCNs")


@dataclass(frozen=True, slots=True)
class StakeoutPolicy:
    """How long a stakeout stays and how much of the radio time stakeouts may take (module docstring)."""

    max_s: float = STAKEOUT_MAX_S  # the longest stakeout, and the most budget that can build up
    min_s: float = STAKEOUT_MIN_S  # a stakeout starts only when the budget allows this long
    share: float = STAKEOUT_SHARE  # of the radio time, at most (plus one stakeout); 0: no stakeouts
    idle_s: float = 3.0  # ends after this long without dedicated activity on the carrier
    lost_s: float = 1.0  # ends after this long without the carrier's SCH decoding (out of reach)
    move_m: float = 20.0  # ends once the receiver moved this far: a visit is one reading, of one place

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 0.9:
            raise ConfigError(f"stakeout share {self.share:g}: between 0 and 0.9 of the radio time")
        if not 0.0 < self.min_s <= self.max_s:
            raise ConfigError(f"stakeout: 0 < min ({self.min_s:g} s) ≤ max ({self.max_s:g} s)")
        if self.idle_s <= 0 or self.lost_s <= 0 or self.move_m <= 0:
            raise ConfigError("stakeout: idle and lost times and the distance moved must be positive")

    @property
    def ratio(self) -> float:
        """Seconds of stakeout each second of another visit earns."""
        return self.share / (1.0 - self.share)


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
    # Stakeouts: the carriers this visit staked out (empty: a usual visit), why the stakeout ended
    # ("idle", "out_of_reach", "moved", "bound": its allowance, "left": asked to leave), the responsible
    # carriers with dedicated activity within idle_s of the visit's end, and those still decoding then.
    stakeout: tuple[int, ...] = ()
    stakeout_end: str | None = None
    active: set[int] = field(default_factory=set)
    in_reach: set[int] = field(default_factory=set)


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
    stakeout: StakeoutPolicy = field(default_factory=StakeoutPolicy)
    visits: list[TuningVisit] = field(default_factory=list)  # the latest VISITS_KEEP (a run lasts for ever)
    visits_made: int = 0
    blocks: int = 0
    current: TuningVisit | None = None  # the visit in progress (what a status line shows)
    stakeout_s: float = 0.0  # radio time spent on stakeouts
    stakeouts: int = 0
    _seen: dict[float, set[tuple[int, int | None]]] = field(default_factory=dict)
    _last_end: dict[float, float] = field(default_factory=dict)
    _empty_runs: dict[float, int] = field(default_factory=dict)
    _priority: set[float] = field(default_factory=set)
    _watched: set[int] = field(default_factory=set)
    _suspects: set[int] = field(default_factory=set)
    _active: set[int] = field(default_factory=set)  # active and in reach at the end of their last visit
    _budget_s: float = 0.0  # stakeout seconds the other visits earned (full at the start)
    _leave: bool = False

    def __post_init__(self) -> None:
        if self.policy.goal not in GOALS:
            raise ValueError(f"unknown scan goal {self.policy.goal!r} (known: {', '.join(GOALS)})")
        self._budget_s = self.stakeout.max_s

    # -- stakeouts ---------------------------------------------------------------------------------
    def watch(self, arfcn: int) -> None:
        """Pin a carrier (``--watch``): its tuning is staked out at every visit the budget allows,
        whatever its verdict, and visited first and often."""
        check_watch(self.plan, (arfcn,))
        self._watched.add(arfcn)

    def suspect(self, arfcn: int) -> None:
        """A cell on this carrier was judged suspicious or fake: stake it out when it is active."""
        self._suspects.add(arfcn)

    @property
    def watched(self) -> tuple[int, ...]:
        return tuple(sorted(self._watched))

    def leave(self) -> None:
        """End the visit in progress after the current window (the daemon is stopping)."""
        self._leave = True

    def _stakeout_for(self, tuning: Tuning) -> tuple[tuple[int, ...], float]:
        """The carriers to stake out on this visit of ``tuning`` and for how long at most."""
        here = set(tuning.arfcns)
        want = (self._watched & here) | (self._suspects & self._active & here)
        allowance = min(self.stakeout.max_s, self._budget_s)
        if not want or self.stakeout.share <= 0 or allowance < self.stakeout.min_s:
            return (), 0.0
        return tuple(sorted(want)), allowance

    def _account(self, v: TuningVisit, responsible: set[int]) -> None:
        pol, budget = self.stakeout, self._budget_s
        if v.stakeout:
            self._budget_s = max(0.0, budget - v.dwell_s)
            self.stakeout_s += v.dwell_s
            self.stakeouts += 1
        else:
            self._budget_s = min(pol.max_s, budget + pol.ratio * v.dwell_s)
        self._active -= responsible
        self._active |= v.active & v.in_reach

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
        v.stakeout, allowance_s = self._stakeout_for(tuning)
        staking = bool(v.stakeout)
        max_samples = int(max(pol.timeout_s, allowance_s) * rate)
        self.current, self._leave = v, False
        if staking:
            log.info("%.1f MHz: stakeout of ARFCN %s (up to %.0f s)", tuning.center_hz / 1e6, v.stakeout, allowance_s)

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
        last_active: dict[int, float] = {}  # responsible ARFCN → time of its latest dedicated activity
        where: list[dict[str, Any]] = []  # the receiver's first and latest position in this visit
        lost_since: dict[int, float] = {}  # responsible ARFCN → start of the windows it did not decode in

        def decide(t0_s: float, t1_s: float) -> None:
            nonlocal stop, staking
            v.dwell_s = consumed / rate
            last = {a: ok for a, ok in stream.last_window.items() if a in responsible}
            synced.update(a for a, ok in last.items() if ok)
            for a, ok in last.items():
                if not ok:
                    unsynced[a] = unsynced.get(a, 0) + 1
            for a in responsible:
                if last.get(a):
                    lost_since.pop(a, None)
                else:
                    lost_since.setdefault(a, t0_s)
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
            if staking:
                idle = {a for a in v.stakeout if t1_s - last_active.get(a, v.started_s) >= self.stakeout.idle_s}
                lost = {a for a in v.stakeout if a in lost_since and t1_s - lost_since[a] >= self.stakeout.lost_s}
                moved_m = (
                    distance_m(where[0]["lat_deg"], where[0]["lon_deg"], where[1]["lat_deg"], where[1]["lon_deg"])
                    if where
                    else 0.0
                )
                if self._leave:
                    v.stakeout_end = "left"
                elif moved_m >= self.stakeout.move_m:
                    v.stakeout_end = "moved"
                elif lost >= set(v.stakeout):
                    v.stakeout_end = "out_of_reach"
                elif idle | lost >= set(v.stakeout):
                    v.stakeout_end = "idle"
                staking = v.stakeout_end is None
            if not staking and (
                (v.found and v.complete == v.found)
                or (not v.found and v.dwell_s >= pol.first_look_s)
                or (v.stakeout and v.dwell_s >= pol.timeout_s)
                or self._leave
            ):
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
            if pos is not None:
                where[:] = [where[0] if where else pos, pos]
            if b.t_s is not None:
                v.t_s[key] = b.t_s
                if b.arfcn in responsible and dedicated_activity(b):
                    last_active[b.arfcn] = b.t_s
            if self.on_block is not None:
                self.on_block(b)
        v.power_dbfs = {k: 10 * math.log10(sum(x) / len(x)) for k, x in sums.items() if sum(x) > 0}
        # the carriers measured on this visit's FCCH bursts: the visit is each cell's reading
        for e in stream.take_fcch():
            pos = self.gps.position_at(e.time_utc_s) if self.gps is not None else None
            self.tracker.add_fcch(e, pos, reading_start_t_s=v.started_s)
        stream.close()  # its buffers go now, not at the next full garbage collection
        self.tracker.finish_readings()
        v.dwell_s = consumed / rate
        end_s = v.started_s + v.dwell_s
        v.active = {a for a, t in last_active.items() if end_s - t < self.stakeout.idle_s}
        v.in_reach = {a for a in synced if a not in lost_since or end_s - lost_since[a] < self.stakeout.lost_s}
        if staking:
            v.stakeout_end = "bound"
        v.timed_out = bool(v.found - v.complete) or (not v.stakeout and consumed >= max_samples and not stop)
        self._compare(v)
        self._account(v, responsible)
        self.visits.append(v)
        self.visits_made += 1
        del self.visits[:-VISITS_KEEP]
        self.current = None
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
        """The tunings of pass ``pass_no`` (0-based): prioritised and watched ones first and again
        after every ``revisit_every`` others (a suspicious cell is measured from many places as the
        car moves: what localisation needs), quiet ones only every ``empty_every`` passes."""
        first = [t for t in self.plan.tunings if t.center_hz in self._priority or self._watched & set(t.arfcns)]
        rest = [
            t
            for t in self.plan.tunings
            if t not in first and (self._empty_runs.get(t.center_hz, 0) < 2 or pass_no % self.empty_every == 0)
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
