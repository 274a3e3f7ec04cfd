"""Replaying recordings through the receiver: windows of IQ → blocks → cells, with positions.

A recording is streamed block by block through the stream receiver (``receiver/stream.py``:
overlapping windows, so no block is lost at a boundary, and blocks decoded twice kept once).
Several recordings are one drive of one sensor: cells are merged across them. Positions come from
the recording's ``core:geolocation`` (a fixed position), or from a GPS track (``--track`` or a
sidecar ``NAME.nmea``/``NAME.gpx``) at each block's UTC time.

Given a :class:`~sensor.sessions.Pseudonymizer`, every block also goes (in time order) to the
:class:`~sensor.sessions.SessionTracker` of its carrier (:class:`CarrierSessions`): the phone
sessions and SMS of the fake stations' dedicated channels, identities as keyed hashes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sensor import interrupt
from sensor.cells import FCCH_KEEP, CellTracker
from sensor.errors import SensorError
from sensor.gps.sidecar import sidecar_track
from sensor.model import FcchEstimate, IQBlock, L2Block
from sensor.receiver.stream import OVERLAP_S, WINDOW_S, StreamReceiver
from sensor.sessions.output import activity
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.tracker import SessionTracker
from sensor.sources.ahead import read_ahead
from sensor.sources.base import Source
from sensor.sources.deferred import DeferredBlock
from sensor.sources.recording import RecordingSource
from sensor.sources.sigmf import read_metadata
from sensor.threads import threads

if TYPE_CHECKING:
    from sensor.gps.source import PositionSource
    from sensor.sessions.session import Session
    from sensor.sessions.sms import SmsRecord

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReplayStats:
    recordings: int = 0
    seconds: float = 0.0
    blocks: int = 0
    blocks_failed: int = 0
    windows: int = 0
    receiver_ppm: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Recording:
    source: RecordingSource
    path: Path
    track: Path | None = None


def recording_position(path: Path) -> dict[str, Any] | None:
    """``core:geolocation`` of a SigMF recording as the contract's position object (fix "fixed")."""
    try:
        meta = read_metadata(path)
    except Exception:  # noqa: BLE001 - raw files have no metadata
        return None
    geo = meta.get("global", {}).get("core:geolocation")
    coords = geo.get("coordinates") if isinstance(geo, dict) else None
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    return {
        "lat_deg": float(coords[1]),
        "lon_deg": float(coords[0]),
        "alt_m": float(coords[2]) if len(coords) > 2 else None,
        "fix": "fixed",
        "hdop": None,
        "age_s": 0.0,
        "speed_m_s": None,  # one position for the whole recording: how it moved is not known
        "heading_deg": None,
    }


def _by_time(record: Session | SmsRecord) -> tuple[bool, float]:
    return record.t_s is None, record.t_s or 0.0


class CarrierSessions:
    """One :class:`SessionTracker` per carrier, keyed by ARFCN + BSIC as the cell tracker keys cells
    (a BSIC of None, before the SCH, is a carrier of its own), all sharing one pseudonymizer.

    ``add`` takes the blocks in time order; ``finish`` closes what is open at the end of a recording
    (nothing spans a break between recordings). ``sessions`` and ``sms`` are what closed so far.
    """

    def __init__(self, names: Pseudonymizer) -> None:
        self.names = names
        self.trackers: dict[tuple[int, int | None], SessionTracker] = {}
        self._sessions: list[Session] = []
        self._sms: list[SmsRecord] = []

    def add(self, block: L2Block) -> None:
        key = (block.arfcn, block.bsic)
        tracker = self.trackers.get(key)
        if tracker is None:
            tracker = self.trackers[key] = SessionTracker(block.arfcn, block.bsic, self.names)
        tracker.add(block)
        self._collect(*tracker.take())

    def finish(self) -> None:
        for tracker in self.trackers.values():
            self._collect(*tracker.finish())

    def _collect(self, sessions: list[Session], sms: list[SmsRecord]) -> None:
        self._sessions += sessions
        self._sms += sms

    @property
    def sessions(self) -> list[Session]:
        """The sessions closed so far, in the time order of their assignments."""
        return sorted(self._sessions, key=_by_time)

    @property
    def sms(self) -> list[SmsRecord]:
        """The SMS completed so far, in time order."""
        return sorted(self._sms, key=_by_time)

    def take(self) -> tuple[list[Session], list[SmsRecord]]:
        """The sessions and SMS closed since the last call (a long run hands them on and keeps none)."""
        out = (self.sessions, self.sms)
        self._sessions, self._sms = [], []
        return out

    @property
    def phones(self) -> int:
        """Distinct phones (keyed hashes) seen on every carrier."""
        return len(set().union(*(t.phones for t in self.trackers.values()))) if self.trackers else 0

    @property
    def sms_count(self) -> int:
        return sum(t.sms_count for t in self.trackers.values())

    def activity(self, arfcn: int, bsic: int | None) -> dict[str, Any] | None:
        """CONTRACT.md ``cell.activity`` of a carrier, None when it had no dedicated traffic."""
        tracker = self.trackers.get((arfcn, bsic))
        return None if tracker is None else activity(tracker)


@dataclass(frozen=True, slots=True)
class Bursts:
    """FCCH bursts of synchronised carriers, in time order, handed on while a recording is received."""

    fcch: list[FcchEstimate]


# A carrier's bursts wait for its first decoded block (the cell they belong to) for at most this
# many bursts (about 3 minutes); those of a carrier never decoded are dropped at the recording's end.
PENDING_BURSTS_KEEP = FCCH_KEEP


@dataclass(frozen=True, slots=True)
class Received:
    """What the receiver made of one recording beside its blocks, once they are all out: the FCCH
    bursts of its synchronised carriers (in time order) and its figures."""

    fcch: list[FcchEstimate]
    windows: int
    blocks_failed: int
    receiver_ppm: list[float]


def receive(
    src: Source,
    duration_s: float,
    *,
    window_s: float = WINDOW_S,
    overlap_s: float = OVERLAP_S,
    on_window: Callable[[float, float], None] | None = None,
) -> Iterator[L2Block | Bursts | Received]:
    """``duration_s`` seconds of ``src`` through a fresh stream receiver: its blocks in time order,
    the FCCH bursts collected so far after each window's blocks (a long recording's bursts are not
    held to its end), then one :class:`Received`. Nothing carries over from another recording, so
    recordings can be received apart (``replay.jobs``) and absorbed in order."""
    windows = 0

    def window_done(t0_s: float, t1_s: float) -> None:
        nonlocal windows
        windows += 1
        if on_window is not None:
            on_window(t0_s, t1_s)

    stream = StreamReceiver(window_s=window_s, overlap_s=overlap_s, on_window=window_done)
    rate = src.info.sample_rate_hz
    block_samples = max(1 << 16, int(0.25 * rate))
    taken = 0
    max_samples = int(round(duration_s * rate))
    blocks: Iterator[IQBlock | DeferredBlock]
    if threads() > 1:  # the next block read and converted on another core while this one is received
        blocks = read_ahead(src.blocks(block_samples=block_samples, max_samples=max_samples))
    elif isinstance(src, RecordingSource):  # each block read and converted straight into the window
        blocks = src.deferred_blocks(block_samples=block_samples, max_samples=max_samples)
    else:
        blocks = src.blocks(block_samples=block_samples, max_samples=max_samples)
    for b in stream.process(blocks):
        yield b
        interrupt.check()  # a Ctrl-C Python could not raise where it landed stops the replay here
        if windows > taken:
            taken = windows
            if fcch := stream.take_fcch():
                yield Bursts(fcch)
    st = stream.stats
    yield Received(stream.take_fcch(), st.windows, st.blocks_failed, list(st.receiver_ppm))


class Replayer:
    def __init__(
        self,
        *,
        on_block: Callable[[L2Block], None] | None = None,
        window_s: float = WINDOW_S,
        overlap_s: float = OVERLAP_S,
        progress: Callable[[float, float], None] | None = None,
        pseudonymizer: Pseudonymizer | None = None,
    ) -> None:
        self.tracker = CellTracker()
        # phone sessions and SMS, only when asked (identities need the deployment's key or --keep-identities)
        self.sessions = None if pseudonymizer is None else CarrierSessions(pseudonymizer)
        self.stats = ReplayStats()
        self.on_block = on_block
        self.window_s = window_s
        self.overlap_s = overlap_s
        self.progress = progress
        self.clock_s = 0.0  # the drive's clock: the recordings absorbed so far, failed ones too

    def run(
        self,
        recordings: list[Recording],
        *,
        jobs: int = 1,
        on_error: Callable[[Recording, SensorError], None] | None = None,
    ) -> CellTracker:
        """Replay ``recordings`` as one drive, in their order. With ``jobs`` > 1 they are received on
        that many processes (``replay.jobs``) and absorbed here in their order: the same result as
        one process. A recording that fails (a ``SensorError``: truncated data, a bad track) keeps
        what it gave before the error, is not counted, and goes to ``on_error``; the replay goes on
        with the next one (without ``on_error`` the error is raised)."""
        total_s = sum(r.source.duration_s for r in recordings)
        starts = np.cumsum([0.0] + [r.source.duration_s for r in recordings])

        def on_window(k: int, t1: float) -> None:
            if self.progress is not None:
                self.progress(float(starts[k]) + t1, total_s)

        with contextlib.ExitStack() as stack:
            if jobs == 1:
                receptions: Iterable[Iterable[L2Block | Bursts | Received]] = (
                    receive(
                        r.source,
                        r.source.duration_s,
                        window_s=self.window_s,
                        overlap_s=self.overlap_s,
                        on_window=lambda t0, t1, k=k: on_window(k, t1),
                    )
                    for k, r in enumerate(recordings)
                )
            else:
                from sensor.replay.jobs import received_apart

                receptions = stack.enter_context(
                    received_apart(
                        recordings, jobs, window_s=self.window_s, overlap_s=self.overlap_s, on_window=on_window
                    )
                )
            for rec, received in zip(recordings, receptions, strict=True):
                try:
                    self._one(rec, received)
                except SensorError as exc:
                    if on_error is None:
                        raise
                    on_error(rec, exc)
                else:
                    self.stats.recordings += 1
        return self.tracker

    def _one(self, rec: Recording, received: Iterable[L2Block | Bursts | Received]) -> None:
        end_s = self.clock_s + rec.source.duration_s
        try:
            fixed = recording_position(rec.path)
            track_path = rec.track or sidecar_track(rec.path)
            gps: PositionSource | None = None
            if track_path:  # the track readers (NMEA, GPX) only for a recording with a track
                from sensor.gps.track import TrackSource

                gps = TrackSource(track_path).start()
            try:
                self.absorb(received, duration_s=rec.source.duration_s, gps=gps, fixed=fixed)
            finally:
                if gps is not None:
                    gps.stop()
        finally:
            self.clock_s = end_s  # the next recording's blocks at their place on the drive's clock, whatever happened

    def feed(
        self,
        src: Source,
        *,
        duration_s: float,
        gps: PositionSource | None = None,
        fixed: dict[str, Any] | None = None,
        total_s: float | None = None,
    ) -> None:
        """Stream ``duration_s`` seconds of any source (a recording, the simulator's virtual radio)
        through the receiver into the cell tracker, positions from ``gps`` or a ``fixed`` one."""
        drive_t0 = self.clock_s
        total = duration_s if total_s is None else total_s
        on_window = None if self.progress is None else (lambda t0, t1: self.progress(drive_t0 + t1, total))  # type: ignore[misc]
        self.absorb(
            receive(src, duration_s, window_s=self.window_s, overlap_s=self.overlap_s, on_window=on_window),
            duration_s=duration_s,
            gps=gps,
            fixed=fixed,
        )

    def absorb(
        self,
        received: Iterable[L2Block | Bursts | Received],
        *,
        duration_s: float,
        gps: PositionSource | None = None,
        fixed: dict[str, Any] | None = None,
    ) -> None:
        """One recording's reception (:func:`receive`'s items, here or from another process) into the
        cell tracker and the sessions, on the drive's clock. Raises what the reception raised, after
        the drive's clock has moved past the recording: what came before the error stays."""
        drive_t0 = self.clock_s
        self.clock_s += duration_s
        done: Received | None = None
        pending: dict[tuple[int, int | None], list[FcchEstimate]] = {}  # bursts of carriers without a cell yet
        for item in received:
            if isinstance(item, L2Block):
                self._emit(item, gps, fixed, drive_t0)
            elif isinstance(item, Bursts):
                self._bursts(item.fcch, pending, gps, fixed, drive_t0)
            else:
                done = item
        assert done is not None, "a reception ends with its Received"
        self._bursts(done.fcch, pending, gps, fixed, drive_t0)
        self.tracker.finish_readings()
        if self.sessions is not None:
            self.sessions.finish()
        self.stats.windows += done.windows
        self.stats.blocks_failed += done.blocks_failed
        self.stats.receiver_ppm += done.receiver_ppm
        self.stats.seconds += duration_s

    def _bursts(
        self,
        fcch: list[FcchEstimate],
        pending: dict[tuple[int, int | None], list[FcchEstimate]],
        gps: PositionSource | None,
        fixed: dict[str, Any] | None,
        drive_t0: float,
    ) -> None:
        """Each FCCH burst's carrier into its cell, in time order per cell (a carrier's bursts come in
        time order batch after batch); a carrier whose cell has no decoded block yet keeps its
        bursts in ``pending`` until it has, as when every burst was added after the last block."""
        for key in [k for k in pending if k in self.tracker.cells]:
            self._add_bursts(pending.pop(key), gps, fixed, drive_t0)
        here = [e for e in fcch if (e.arfcn, e.bsic) in self.tracker.cells]
        for e in fcch:
            if (e.arfcn, e.bsic) not in self.tracker.cells:
                waiting = pending.setdefault((e.arfcn, e.bsic), [])
                waiting.append(e)
                if len(waiting) > PENDING_BURSTS_KEEP:
                    del waiting[0]
        self._add_bursts(here, gps, fixed, drive_t0)

    def _add_bursts(
        self, fcch: list[FcchEstimate], gps: PositionSource | None, fixed: dict[str, Any] | None, drive_t0: float
    ) -> None:
        for e in fcch:
            position = gps.position_at(e.time_utc_s) if gps is not None else fixed
            self.tracker.add_fcch(
                dataclasses.replace(e, t_s=drive_t0 + e.t_s) if drive_t0 or e.t_s == 0.0 else e, position
            )

    def _emit(self, b: L2Block, gps: PositionSource | None, fixed: dict[str, Any] | None, drive_t0: float) -> None:
        self.stats.blocks += 1
        if self.on_block:
            self.on_block(b)
        position = gps.position_at(b.time_utc_s) if gps is not None else fixed
        if drive_t0 or b.t_s == 0.0:  # 0.0 + t is t (but for -0.0): the drive's first recording keeps its blocks
            b = dataclasses.replace(b, t_s=None if b.t_s is None else drive_t0 + b.t_s)
        self.tracker.add_block(b, position)
        if self.sessions is not None:
            self.sessions.add(b)


def tunings(recordings: list[Recording]) -> list[tuple[float, float, float, float]]:
    """What the recordings listened on, one after the other on the drive's clock."""
    out, t = [], 0.0
    for r in recordings:
        out.append((r.source.center_hz, r.source.info.sample_rate_hz, t, t + r.source.duration_s))
        t += r.source.duration_s
    return out
