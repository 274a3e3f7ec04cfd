"""The receiver on a stream of IQ blocks (a live radio or a recording read in order).

Blocks are gathered into windows of ``window_s`` seconds that overlap by ``overlap_s`` (longer
than a 4-burst block plus the equaliser's margins), so no block is lost at a window boundary;
each window goes through the wideband receiver, and blocks decoded twice in an overlap are kept
once. A change of tuning or a gap in the samples (an overflow) ends the window early: samples of
two tunings or either side of a gap are never mixed. Memory is bounded by one window.

Each carrier has a state: ``synchronised`` while it decodes, ``lost`` after a window in which it
did not (a fade, a transmitter switched off), and back to ``synchronised`` when it returns —
transitions are counted, so a caller sees cells that vanish and reappear.

Carriers are carried from window to window (``wideband.Track``: frequency and frame timing on the
source's clock) while the samples are continuous, so a window after the first is normally not
searched at all: each known carrier is synchronised where its timing puts it. A window is
searched (the wideband FCCH search) when nothing is known yet, after a break, every
``search_every_s`` seconds (a second transmitter on a known carrier's frequency, a weak one next
to a strong one), and whenever a cheap spectrum of the window shows a carrier on a raster point
that no known carrier explains (``receiver.unexplained``): a transmitter that switches
on is searched for in the window it appears in — at the window's end only, once carriers are
known (it is on there; the first search looks at the start, and at the end too when the same
test finds a carrier there that the start did not). A carrier whose FCCH shows but whose SCH does not
decode is tried on its own channel for ``UNSYNCED_RETRIES`` windows, then only at searches.

Every FCCH burst of a synchronised carrier is also a measurement of its frequency
(``FcchEstimate``): collected once each (a burst in the overlap of two windows is measured twice
and kept once) for ``take_fcch``, what a Doppler measurement is made of; those tracked in one
window carry their phase and the window's ``stream_id`` (``dsp/fcch_coherent.py`` reads them).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from sensor.model import FcchEstimate, IQBlock, L2Block
from sensor.receiver.channel_plan import Workspace
from sensor.receiver.unexplained import unexplained_carrier
from sensor.receiver.wideband import CarrierResult, Track, receive_wideband
from sensor.sources.deferred import DeferredBlock

WINDOW_S = 1.0
OVERLAP_S = 0.1
SAME_BURST_S = 0.002  # two FCCH estimates this close in time are one burst measured in two windows
# Each window's channel stream of a carrier is numbered (unique in the process, whatever receiver
# made it): the FCCH phases measured on one stream are coherent, those of two are not.
_STREAM_IDS = itertools.count(1)
SEARCH_EVERY_S = 8.0
UNSYNCED_RETRIES = 3


@dataclass(slots=True)
class CarrierState:
    arfcn: int
    bsic: int | None
    state: str = "synchronised"  # "synchronised" or "lost"
    windows_seen: int = 0
    losses: int = 0
    last_t_s: float | None = None


@dataclass(slots=True)
class StreamStats:
    windows: int = 0
    samples: int = 0
    blocks: int = 0
    blocks_failed: int = 0
    discontinuities: int = 0  # retunes and sample gaps that ended a window early
    searches: int = 0  # windows that ran the wideband FCCH search (the others only tracked)
    receiver_ppm: list[float] = field(default_factory=list)


class StreamReceiver:
    def __init__(
        self,
        *,
        window_s: float = WINDOW_S,
        overlap_s: float = OVERLAP_S,
        on_window: Callable[[float, float], None] | None = None,
        prescreen: bool = False,
        search_every_s: float = SEARCH_EVERY_S,
        track: bool = True,
    ) -> None:
        self.search_every_s = search_every_s
        self.track = track  # False: search every window afresh (what a window alone decodes)
        self._tracks: list[Track] = []
        self._since_search_s = float("inf")
        self.prescreen = prescreen  # skip windows with nothing carrier-like in them (receiver/wideband.py)
        self.window_s = window_s
        self.overlap_s = overlap_s
        self.on_window = on_window  # (start_s, end_s) of each window processed
        self.stats = StreamStats()
        self.carriers: dict[tuple[int, int | None], CarrierState] = {}
        self._buf: list[IQBlock] = []
        self._buf_n = 0
        self._staged = 0  # samples of the window staged in the workspace (``_stage``)
        self._seen: dict[tuple[int, int | None, int, int], L2Block] = {}  # (arfcn, bsic, tn, fn) → as kept
        self._work = Workspace()  # channel streams of each window, reused
        self._pending: list[L2Block] = []
        # The last window's carriers: ARFCN → synchronised (SCH decoded) or only its FCCH found.
        self.last_window: dict[int, bool] = {}
        self._fcch: list[FcchEstimate] = []
        self._fcch_last_t: dict[tuple[int, int | None], float] = {}

    def process(self, blocks: Iterable[IQBlock | DeferredBlock]) -> Iterator[L2Block]:
        """Decoded blocks (crc ok, and those of followed sub-channels that fail their Fire code:
        ``receiver.follow``), in time order, as the stream goes; all of them by its end. A
        ``DeferredBlock`` (a recording's ``deferred_blocks``) is read straight into the window's
        place, an ``IQBlock`` copied there."""
        for blk in blocks:
            if self._buf and self._breaks(blk):
                self.stats.discontinuities += 1
                yield from self._run(final=True)
            n = len(blk)
            self._buf.append(self._stage(blk))
            self._buf_n += n
            self.stats.samples += n
            full = self._buf_n >= self._window_samples(blk)
            del blk  # staged: its own array is not held while the window is received (20 Msps: 40 MB)
            if full:
                yield from self._run(final=False)
        if self._buf:
            yield from self._run(final=True)

    def _stage(self, blk: IQBlock | DeferredBlock) -> IQBlock:
        """The block in the window's place in the workspace (where ``_run`` hands the window to
        the channelizer): a deferred block read there, an ``IQBlock``'s samples copied there and
        its own array let go. The window is held once, not twice (at 20 Msps a 1.1 s window is
        176 MB of complex64), and a deferred block's samples are written once, into memory
        already touched (a fresh 40 MB array a block cost its page faults). ``_staged`` counts
        the samples there."""
        fs = blk.sample_rate_hz
        staging = self._staged == self._buf_n  # all before it staged (a window's first block is)
        room = self._work.stretch(fs, self._window_samples(blk) + len(blk)) if staging else None  # > a window
        if room is None or (self._buf and not np.may_share_memory(self._buf[0].samples, room)):
            # something before it not staged, or the workspace moved (grown): joined as before
            return blk.read() if isinstance(blk, DeferredBlock) else blk
        place = room[self._buf_n : self._buf_n + len(blk)]
        if isinstance(blk, DeferredBlock):
            staged = blk.read(into=place)
        else:
            place[:] = blk.samples
            staged = dataclasses.replace(blk, samples=place)
        self._staged += len(blk)
        return staged

    def _window_samples(self, blk: IQBlock | DeferredBlock) -> int:
        return max(1, int(self.window_s * blk.sample_rate_hz))

    def _breaks(self, blk: IQBlock | DeferredBlock) -> bool:
        last = self._buf[-1]
        return (
            blk.center_hz != last.center_hz
            or blk.sample_rate_hz != last.sample_rate_hz
            or blk.first_sample != last.end_sample
            or blk.dropped_before != 0
        )

    def _run(self, *, final: bool) -> Iterator[L2Block]:
        first = self._buf[0]
        fs = first.sample_rate_hz
        if self._staged == self._buf_n:  # staged in place as they came: the window is there already
            x = self._work.stretch(fs, self._buf_n)
            if not np.may_share_memory(x, first.samples):
                x = np.concatenate([b.samples for b in self._buf])
        elif len(self._buf) > 1:  # the window's blocks joined, where the channelizer reads them (kept across windows)
            x = self._work.stretch(fs, sum(len(b) for b in self._buf))
            np.concatenate([b.samples for b in self._buf], out=x)
        else:
            x = first.samples
        t0 = first.start_s
        active = [t for t in self._tracks if t.synchronised or t.unsynced_windows < UNSYNCED_RETRIES]
        parked = [t for t in self._tracks if not (t.synchronised or t.unsynced_windows < UNSYNCED_RETRIES)]
        search = (
            not self.track
            or not active
            or self._since_search_s >= self.search_every_s
            or self._new_carrier(x, fs, self._tracks)
        )
        results, ppm = receive_wideband(
            x,
            sample_rate_hz=fs,
            center_hz=first.center_hz,
            t0_s=t0,
            time_utc_s=first.time_utc_s,
            work=self._work,
            prescreen=self.prescreen,
            tracks=(active + parked if search else active) if self.track else (),
            first_sample=first.first_sample,
            search=search,
            search_end_only=bool(active) and self.track,
        )
        self._tracks = [r.track for r in results if r.track is not None] + ([] if search else parked)
        self._since_search_s = 0.0 if search else self._since_search_s + (len(x) / fs - self.overlap_s)
        self.stats.windows += 1
        self.stats.searches += int(search)
        self.last_window = {}
        for r in results:
            a = int(r.arfcn)
            self.last_window[a] = self.last_window.get(a, False) or r.result.sync is not None
        if ppm is not None:
            self.stats.receiver_ppm.append(ppm)
        heard = set()
        for r in results:
            for b in r.result.blocks:
                if not b.crc_ok:
                    self.stats.blocks_failed += 1
                    if (b.tn, b.fn) not in r.result.followed:
                        continue
                else:
                    heard.add((b.arfcn, b.bsic))
                key = (b.arfcn, b.bsic, b.tn, b.fn)
                was = self._seen.get(key)
                if was is None:
                    self._seen[key] = b
                    self._pending.append(b)
                elif b.crc_ok and not was.crc_ok and was in self._pending:  # decoded in the next window's overlap
                    self._seen[key] = b
                    self._pending[self._pending.index(was)] = b
        for r in results:
            self._collect_fcch(r, t0, first.time_utc_s)
        self._update_states(heard, t0 + len(x) / fs)
        if self.on_window:
            self.on_window(t0, t0 + len(x) / fs)
        # Emit what no later window can still add to (everything, at the end of a run).
        keep_s = 0.0 if final else self.overlap_s
        ready_before = t0 + len(x) / fs - keep_s
        self._pending.sort(key=lambda b: (b.t_s or 0.0, b.arfcn))
        out = [b for b in self._pending if final or (b.t_s or 0.0) < ready_before]
        self._pending = [b for b in self._pending if not (final or (b.t_s or 0.0) < ready_before)]
        self.stats.blocks += len(out)
        # Keep the overlap for the next window (none after a break or at the end).
        if final:
            self._buf, self._buf_n, self._staged = [], 0, 0
            self._tracks, self._since_search_s = [], float("inf")  # what follows a break is searched afresh
        else:
            keep = int(self.overlap_s * fs)
            tail = x[len(x) - keep :]
            start = first.first_sample + len(x) - keep
            last = self._buf[-1]
            room = self._work.stretch(fs, self._window_samples(first) + keep)
            if 2 * keep <= len(x) or not np.may_share_memory(room, x):
                room[:keep] = tail  # the overlap where the next window begins
                tail, self._staged = room[:keep], keep
            else:
                tail, self._staged = np.array(tail), 0
            self._buf = [
                IQBlock(
                    tail,
                    fs,
                    first.center_hz,
                    start,
                    None if first.time_utc_s is None else first.time_utc_s + (len(x) - keep) / fs,
                    last.gain_db,
                    last.source_id,
                )
            ]
            self._buf_n = keep
        # A block is decoded twice only in an overlap: one that began before this window cannot
        # come again (at 20 Msps with 60 carriers, 2,500 blocks a second, the 100,000 kept until
        # then grew a long recording's memory by ~40 MB).
        self._seen = {k: b for k, b in self._seen.items() if b.t_s is None or b.t_s >= t0}
        while len(self._seen) > 100_000:
            del self._seen[next(iter(self._seen))]
        yield from out

    def close(self) -> None:
        """Let go of the window's buffers (at 20 Msps ~300 MB: the staged window, the channel
        streams) and of ``on_window``, once the stream is over. A caller's ``on_window`` that refers
        back to this receiver makes a reference cycle, which Python frees only at its next full
        collection: the daemon's visits, one receiver each, held a workspace apiece until then
        (2.4 Msps: 16 visits' 133 MB after a minute)."""
        self._work = Workspace()
        self._buf, self._buf_n, self._staged = [], 0, 0
        self._tracks = []
        self.on_window = None

    def take_fcch(self) -> list[FcchEstimate]:
        """The FCCH estimates of synchronised carriers collected since the last call, in time order."""
        out, self._fcch = sorted(self._fcch, key=lambda e: e.t_s), []
        return out

    def _collect_fcch(self, r: CarrierResult, t0_s: float, time_utc_s: float | None) -> None:
        sync, fb = r.result.sync, r.result.fcch
        if sync is None or fb is None or not len(fb):
            return
        key = (int(r.arfcn), sync.bsic)
        last = self._fcch_last_t.get(key, -np.inf)
        start_s = fb.start_s
        phased = fb.carrier_phase_rad is not None and fb.phase_std_rad is not None
        stream_id = next(_STREAM_IDS)  # this window's channel stream of this carrier: its phases cohere
        for k in np.argsort(start_s):
            t = t0_s + float(start_s[k])
            if t <= last + SAME_BURST_S:
                continue
            last = t
            self._fcch.append(
                FcchEstimate(
                    arfcn=key[0],
                    bsic=sync.bsic,
                    band=r.band,
                    offset_hz=r.offset_base_hz + float(fb.carrier_offset_hz[k]),
                    std_hz=float(fb.freq_std_hz[k]),
                    snr_db=float(fb.snr_db[k]),
                    t_s=t,
                    time_utc_s=None if time_utc_s is None else time_utc_s + float(start_s[k]),
                    phase_rad=float(fb.carrier_phase_rad[k]) if phased else None,  # type: ignore[index]
                    phase_std_rad=float(fb.phase_std_rad[k]) if phased else None,  # type: ignore[index]
                    phase_base_hz=r.offset_base_hz,
                    stream_id=stream_id if phased else None,
                )
            )
        self._fcch_last_t[key] = last

    def _new_carrier(self, x: np.ndarray, fs: float, tracks: list[Track]) -> bool:
        """Whether the window shows a carrier on a raster point that no known carrier (nor its I/Q
        image) explains (``receiver.unexplained``)."""
        ppm = self.stats.receiver_ppm[-1] if self.stats.receiver_ppm else 0.0
        return unexplained_carrier(x, fs, self._buf[0].center_hz, [t.carrier_rel_hz for t in tracks], receiver_ppm=ppm)

    def _update_states(self, heard: set[tuple[int, int | None]], t_end_s: float) -> None:
        for key in heard:
            st = self.carriers.get(key)
            if st is None:
                st = self.carriers[key] = CarrierState(key[0], key[1])
            elif st.state == "lost":
                st.state = "synchronised"
            st.windows_seen += 1
            st.last_t_s = t_end_s
        for key, st in self.carriers.items():
            if key not in heard and st.state == "synchronised":
                st.state = "lost"
                st.losses += 1
