"""From bursts to decoded blocks: the 51-multiframe demapping of TS 45.002 §7 (timeslot 0 with or
without SDCCH/4, and combination VII, SDCCH/8 + SACCH/C8, on the timeslots a cell assigns).

Bursts arrive one at a time with their frame number (in any order, with gaps and repeats, as a
real receiver delivers them after fades and resyncs). A block is decoded when its four bursts are
there: all complete blocks at once, in one batched call of the xCCH decoder (deinterleaving,
soft Viterbi, Fire code). Bursts of blocks that can no longer complete are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from sensor.coding.xcch import decode_xcch
from sensor.gsm import multiframe, tdma
from sensor.gsm.burst import NORMAL_DATA_POSITIONS
from sensor.gsm.multiframe import Channel
from sensor.model import L2Block

DECODED_CHANNELS = (Channel.BCCH, Channel.CCCH, Channel.SDCCH, Channel.SACCH)
REMEMBER_BLOCKS = 20_000  # about an hour of one carrier's blocks


@dataclass(slots=True)
class BurstQuality:
    snr_db: float | None = None
    rssi_dbfs: float | None = None
    freq_offset_hz: float | None = None
    t_s: float | None = None
    time_utc_s: float | None = None


@dataclass(slots=True)
class _Pending:
    channel: Channel
    sbits: np.ndarray  # (4, 114) data bits of the block's bursts
    have: np.ndarray  # (4,) which bursts arrived
    sub: int | None  # SDCCH/SACCH sub-channel
    quality: list[BurstQuality | None] = field(default_factory=lambda: [None] * 4)


@dataclass(slots=True)
class AssemblerStats:
    bursts: int = 0
    blocks_decoded: int = 0
    blocks_crc_ok: int = 0
    blocks_incomplete: int = 0  # dropped with bursts missing
    bursts_repeated: int = 0
    bursts_not_in_a_block: int = 0  # FCCH, SCH, idle frames


class BlockAssembler:
    """Collects timeslot-0 bursts of one BCCH carrier and decodes its control blocks.

    ``combined`` follows CCCH_CONF (SI3): True for the combined CCCH + SDCCH/4 configuration.
    """

    def __init__(
        self,
        *,
        arfcn: int,
        combined: bool = False,
        bsic: int | None = None,
        band: str | None = None,
        keep_frames: int = 102,
    ) -> None:
        self.arfcn = arfcn
        self.combined = combined
        self.bsic = bsic
        self.band = band
        self.keep_frames = keep_frames
        self.stats = AssemblerStats()
        self._pending: dict[int, _Pending] = {}
        self._last_fn: int | None = None
        # First FNs of blocks already decoded (a burst for one of them is a repeat, never a new block).
        self._decoded: dict[int, None] = {}

    def add(self, fn: int, burst_sbits: np.ndarray, quality: BurstQuality | None = None) -> None:
        """One normal burst (148 soft bits) received on timeslot 0 in frame ``fn``."""
        self.stats.bursts += 1
        use = multiframe.frame_use(int(tdma.t3(fn)), combined=self.combined)
        if use.block is None or use.burst is None or use.channel not in DECODED_CHANNELS:
            self.stats.bursts_not_in_a_block += 1
            return
        first = (fn - use.burst) % tdma.HYPERFRAME_FRAMES
        if first in self._decoded:
            self.stats.bursts_repeated += 1
            return
        p = self._pending.get(first)
        if p is None:
            p = _Pending(use.channel, np.zeros((4, 114), np.float32), np.zeros(4, bool), _sub(use, first, sdcch8=False))
            self._pending[first] = p
        if p.have[use.burst]:
            self.stats.bursts_repeated += 1
        p.sbits[use.burst] = np.asarray(burst_sbits, np.float32)[NORMAL_DATA_POSITIONS]
        p.have[use.burst] = True
        p.quality[use.burst] = quality
        self._last_fn = fn

    def decode_ready(self) -> list[L2Block]:
        """Decode every complete block (one batch), drop stale incomplete ones; blocks in FN order."""
        done = sorted(f for f, p in self._pending.items() if p.have.all())
        out: list[L2Block] = []
        if done:
            result = decode_xcch(np.stack([self._pending[f].sbits for f in done]))
            for i, first in enumerate(done):
                p = self._pending.pop(first)
                self._decoded[first] = None
                out.append(self._block(first, p, result.octets[i], bool(result.crc_ok[i]), int(result.n_corrected[i])))
            self.stats.blocks_decoded += len(done)
            self.stats.blocks_crc_ok += int(np.count_nonzero(result.crc_ok))
        if self._last_fn is not None:
            stale = [f for f in self._pending if tdma.fn_diff(self._last_fn, f) > self.keep_frames]
            for f in stale:
                del self._pending[f]
            self.stats.blocks_incomplete += len(stale)
        while len(self._decoded) > REMEMBER_BLOCKS:
            del self._decoded[next(iter(self._decoded))]
        return out

    def _block(self, first: int, p: _Pending, octets: np.ndarray, crc_ok: bool, n_corrected: int) -> L2Block:
        q = [x for x in p.quality if x is not None]

        def mean(attr: str) -> float | None:
            vals = [getattr(x, attr) for x in q if getattr(x, attr) is not None]
            return float(np.mean(vals)) if vals else None

        first_q = p.quality[0]
        return L2Block(
            arfcn=self.arfcn,
            fn=first,
            tn=0,
            channel=p.channel.value,
            octets=bytes(octets.tolist()),
            crc_ok=crc_ok,
            n_corrected=n_corrected,
            snr_db=mean("snr_db"),
            rssi_dbfs=mean("rssi_dbfs"),
            freq_offset_hz=mean("freq_offset_hz"),
            t_s=None if first_q is None else first_q.t_s,
            time_utc_s=None if first_q is None else first_q.time_utc_s,
            bsic=self.bsic,
            band=self.band,
            sub=p.sub,
        )


def _use(t3: int, *, combined: bool, sdcch8: bool) -> multiframe.FrameUse:
    return multiframe.sdcch8_frame_use(t3) if sdcch8 else multiframe.frame_use(t3, combined=combined)


def _sub(use: multiframe.FrameUse, first_fn: int, *, sdcch8: bool) -> int | None:
    """The sub-channel of the block starting at ``first_fn`` (TS 45.002 §7 Table 3): an SDCCH's is
    its block index, a SACCH's depends on the 102-frame cycle too; None on BCCH/CCCH."""
    if use.channel is Channel.SDCCH and use.block is not None:
        return use.block.index
    if use.channel is Channel.SACCH:
        return multiframe.sacch_c8_subchannel(first_fn) if sdcch8 else multiframe.sacch_c4_subchannel(first_fn)
    return None


@lru_cache(maxsize=3)
def _frame_tables(combined: bool, sdcch8: bool = False) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per T3 (0..50): the burst number within a decoded block (−1: FCCH, SCH, idle or a channel
    not decoded), and each T3's channel name; timeslot 0 (``combined``: with SDCCH/4) or
    combination VII (``sdcch8``)."""
    burst = np.full(tdma.FRAMES_PER_51_MULTIFRAME, -1, np.int64)
    names = []
    for t3 in range(tdma.FRAMES_PER_51_MULTIFRAME):
        use = _use(t3, combined=combined, sdcch8=sdcch8)
        names.append(use.channel.value)
        if use.block is not None and use.burst is not None and use.channel in DECODED_CHANNELS:
            burst[t3] = use.burst
    burst.setflags(write=False)
    return burst, tuple(names)


def decode_frames(
    fn: np.ndarray,
    sbits: np.ndarray,
    *,
    snr_db: np.ndarray,
    rssi_dbfs: np.ndarray,
    freq_offset_hz: float | None,
    t_s: np.ndarray,
    time_utc_s: np.ndarray | None,
    arfcn: int,
    combined: bool,
    bsic: int | None = None,
    band: str | None = None,
    tn: int = 0,
    sdcch8: bool = False,
) -> list[L2Block]:
    """Every complete block among timeslot-0 bursts given all at once (distinct frame numbers
    ``fn`` reduced mod the hyperframe, ``sbits`` (N, 148)), decoded in one batch: what
    ``BlockAssembler`` gives for the same bursts added one by one, without its per-burst work.
    Quality per block: means over its four bursts; times of its first burst. ``sdcch8``: the
    bursts are timeslot ``tn``'s, which carries combination VII (SDCCH/8 + SACCH/C8)."""
    fn = np.asarray(fn, np.int64)
    burst_of, names = _frame_tables(bool(combined), sdcch8)
    t3 = tdma.t3(fn)
    burst = burst_of[t3]
    use = np.flatnonzero(burst >= 0)
    if len(use) == 0:
        return []
    first = (fn[use] - burst[use]) % tdma.HYPERFRAME_FRAMES
    firsts, block = np.unique(first, return_inverse=True)
    have = np.zeros((len(firsts), 4), np.int64)
    np.add.at(have, (block, burst[use]), 1)
    complete = np.flatnonzero((have == 1).all(axis=1))
    if len(complete) == 0:
        return []
    row = np.full((len(firsts), 4), -1, np.int64)  # which input burst fills each place
    row[block, burst[use]] = use
    rows = row[complete]  # (B, 4), blocks in FN order (np.unique sorts)
    data = np.asarray(sbits, np.float32)[:, NORMAL_DATA_POSITIONS]
    result = decode_xcch(data[rows])
    snr = np.asarray(snr_db, np.float64)[rows].mean(axis=1)
    rssi = np.asarray(rssi_dbfs, np.float64)[rows].mean(axis=1)
    t_first = np.asarray(t_s, np.float64)[rows[:, 0]]
    utc_first = None if time_utc_s is None else np.asarray(time_utc_s, np.float64)[rows[:, 0]]
    out = []
    for i, b in enumerate(complete):
        f = int(firsts[b])
        out.append(
            L2Block(
                arfcn=arfcn,
                fn=f,
                tn=tn,
                channel=names[tdma.t3(f)],
                octets=bytes(result.octets[i].tolist()),
                crc_ok=bool(result.crc_ok[i]),
                n_corrected=int(result.n_corrected[i]),
                snr_db=float(snr[i]),
                rssi_dbfs=float(rssi[i]),
                freq_offset_hz=freq_offset_hz,
                t_s=float(t_first[i]),
                time_utc_s=None if utc_first is None else float(utc_first[i]),
                bsic=bsic,
                band=band,
                sub=_sub(_use(tdma.t3(f), combined=combined, sdcch8=sdcch8), f, sdcch8=sdcch8),
            )
        )
    return out
