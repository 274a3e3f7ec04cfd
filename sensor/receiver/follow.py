"""Following what a cell assigns: the dedicated sub-channels of one carrier that its receiver decodes.

An Immediate Assignment (TS 44.018 §9.1.18) or Immediate Assignment Extended (§9.1.19) on the
carrier's CCCH that gives a phone a channel on this very carrier (its ARFCN, no hopping) starts a
follow of that sub-channel: SDCCH/8 on timeslots 1..7 (combination VII, TS 45.002 §7 Table 3,
equalised with the channel description's TSC), or SDCCH/4 on a combined timeslot 0 (decoded
anyway; following it only keeps its blocks that fail their Fire code). TCH, hopping and
other-carrier assignments are not followed (the session stage reports them).

While a sub-channel is followed on a timeslot, the blocks of every SDCCH/8 sub-channel of that
timeslot are decoded: one whose assignment was lost (a CCCH block in a fade, a recording that
starts after it) is found by a block that passes its Fire code and followed from there, as gr-gsm
decodes every sub-channel of the timeslot it is told.

A follow lasts while the sub-channel is in use (``Followed.until_fn``): ``IDLE_S`` after the last
block that decoded (the assignment counts as one), ``RELEASE_IDLE_S`` once a Channel Release
(§9.1.7) went down it, and never longer than ``MAX_SESSION_S`` from the assignment. The network
activates the channel before it sends the assignment (TS 48.058 §8.4.1), so the blocks of the
sub-channel from ``LOOKBACK_FRAMES`` before the assignment are taken too. A new assignment of a
sub-channel still followed does not cut the follow before it short: the stretch that carries the
new assignment often carries the old phone's last blocks too (its DISC and UA after the Channel
Release), so the old follow goes on (``Follower.ending``) up to the new one's first frame.

Example, the real DCS1800 capture ``vf_call6_arfcn725`` (FN 862212, CCCH)::

    2d 06 3f 00 49 02 d5 26 54 c7 01 00 2b ...
    │  │  │  │  │  └──┴─ TSC 0, single ARFCN 0x2d5 = 725 (this carrier)
    │  │  │  │  └─ 01001 001: SDCCH/8 sub-channel 1, timeslot 1
    │  │  │  └─ page mode; 3f: Immediate Assignment; 06: RR; 2d: pseudo length 11
    → follow (tn 1, sub 1, TSC 0): SDCCH blocks at T3 4..7, SACCH/C8 at T3 32..47 of its cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from sensor.errors import DecodeError
from sensor.gsm import multiframe, tdma
from sensor.l2.ts44006 import Channel as L2Channel
from sensor.l3.dispatch import decode_l3
from sensor.l3.ie import ChannelDescription
from sensor.l3.ie_rr import RequestReference
from sensor.l3.rr_ccch import ImmediateAssignment, ImmediateAssignmentExtended
from sensor.l3.ts24007 import PD_RR
from sensor.l3.ts44018 import RRMessageType
from sensor.model import L2Block
from sensor.receiver.blocks import decode_frames

IDLE_S = 3.0
RELEASE_IDLE_S = 0.5
MAX_SESSION_S = 60.0
IDLE_FRAMES = round(IDLE_S / tdma.FRAME_DURATION_S)
RELEASE_IDLE_FRAMES = round(RELEASE_IDLE_S / tdma.FRAME_DURATION_S)
MAX_SESSION_FRAMES = round(MAX_SESSION_S / tdma.FRAME_DURATION_S)
LOOKBACK_FRAMES = 8  # a block that overlaps the assignment's own
REMEMBER_ASSIGNMENTS = 1000  # assignments already acted on (the stream's windows overlap)

FOLLOWED_CHANNELS = ("SDCCH/8", "SDCCH/4")
_ASSIGNMENT_TYPES = (RRMessageType.IMMEDIATE_ASSIGNMENT, RRMessageType.IMMEDIATE_ASSIGNMENT_EXTENDED)
# TS 45.002 §7 Table 3, combination VII: the T3s of the SDCCH/8 (0..31) and SACCH/C8 (32..47) blocks
_SDCCH8_ALL_T3 = np.array(sorted({t for b in multiframe.SDCCH8_BLOCKS for t in b.t3s}))


@dataclass(frozen=True, slots=True)
class Followed:
    """One followed sub-channel: where it is, since when, and the last block that decoded on it."""

    channel: str  # "SDCCH/8" or "SDCCH/4"
    tn: int
    sub: int
    tsc: int
    start_fn: int  # the assignment's block
    last_fn: int  # the last block that decoded (the assignment's before any)
    released: bool = False  # a Channel Release went down it
    cap_fn: int | None = None  # a newer assignment of the sub-channel: followed up to this frame at most

    @property
    def until_fn(self) -> int:
        """The last frame the sub-channel is still followed in (not reduced mod the hyperframe)."""
        idle = RELEASE_IDLE_FRAMES if self.released else IDLE_FRAMES
        until = min(self.last_fn + idle, self.start_fn + MAX_SESSION_FRAMES)
        return until if self.cap_fn is None else min(until, self.cap_fn)


class Assignment(NamedTuple):
    fn: int  # of the CCCH block that carried it
    channel: ChannelDescription
    request_reference: RequestReference  # the phone's access burst it answers (a repeat has the same)


def assignments(blocks: Iterable[L2Block], *, arfcn: int) -> list[Assignment]:
    """Each assignment of an Immediate Assignment (Extended) among decoded CCCH blocks that gives a
    channel of the carrier ``arfcn`` itself without hopping."""
    out = []
    for b in blocks:
        o = b.octets
        if not b.crc_ok or b.channel != "CCCH" or len(o) < 3 or o[1] & 0x0F != PD_RR or o[2] not in _ASSIGNMENT_TYPES:
            continue
        try:
            msg = decode_l3(o, pseudo_length=True)
        except DecodeError:
            continue
        if isinstance(msg, ImmediateAssignment):
            given = [(msg.channel_description, msg.request_reference)]
        elif isinstance(msg, ImmediateAssignmentExtended):
            given = [
                (msg.channel_description_1, msg.request_reference_1),
                (msg.channel_description_2, msg.request_reference_2),
            ]
        else:
            continue
        out.extend(Assignment(b.fn, d, r) for d, r in given if not d.hopping and d.arfcn == arfcn)
    return out


def _releases(b: L2Block) -> bool:
    """Whether an SDCCH block carries a Channel Release (TS 44.018 §9.1.7) in its I-frame."""
    if not b.crc_ok or b.channel != "SDCCH":
        return False
    from sensor.l2.frame import decode_block  # LAPDm frames: imported with a followed channel's first block

    try:
        info = decode_block(b.octets, L2Channel.SDCCH).frame.info
    except DecodeError:
        return False
    return len(info) >= 2 and info[0] & 0x0F == PD_RR and info[1] == RRMessageType.CHANNEL_RELEASE


class Follower:
    """The sub-channels one carrier's receiver follows: ``channels`` (tn, sub) → ``Followed``, and
    ``ending``: follows a newer assignment of their sub-channel took over, up to its first frame."""

    def __init__(self) -> None:
        self.channels: dict[tuple[int, int], Followed] = {}
        self.ending: list[Followed] = []
        self._acted: dict[tuple[int, int, RequestReference], None] = {}  # assignments taken (repeats are one)

    def assign(self, blocks: Iterable[L2Block], *, arfcn: int, combined: bool | None) -> None:
        """Start following what the Immediate Assignments among ``blocks`` (TS0's) assign."""
        for fn, d, ref in assignments(blocks, arfcn=arfcn):
            kind, sub = d.channel, d.sub_channel
            if kind not in FOLLOWED_CHANNELS or sub is None:
                continue
            on_ts0 = d.tn == 0
            if on_ts0 != (kind == "SDCCH/4") or (on_ts0 and not combined):  # SDCCH/8 on 1..7, SDCCH/4 on a combined 0
                continue
            key = (d.tn, sub, ref)
            if key in self._acted:
                continue
            self._acted[key] = None
            while len(self._acted) > REMEMBER_ASSIGNMENTS:
                del self._acted[next(iter(self._acted))]
            now = self.channels.get((d.tn, sub))
            if now is None or tdma.fn_diff(fn, now.start_fn) > 0:
                self.channels[(d.tn, sub)] = Followed(kind, d.tn, sub, d.tsc, fn, fn)
                if now is not None:  # still followed: it ends as it would, or where the new one takes over
                    self.ending.append(replace(now, cap_fn=fn - LOOKBACK_FRAMES - 1))

    def frames(self, frames: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
        """(tn, TSC, frames) to equalise on timeslots other than 0: of ``frames`` (the stretch's,
        not reduced), those of every SDCCH/8 sub-channel's SDCCH and SACCH blocks on the timeslots
        of followed sub-channels, from ``LOOKBACK_FRAMES`` before a follow's assignment for at most
        ``MAX_SESSION_FRAMES``."""
        frames = np.asarray(frames, np.int64)
        t3 = tdma.t3(frames)
        dedicated = np.isin(t3, _SDCCH8_ALL_T3)  # every sub-channel's blocks: a lost assignment's too
        out: dict[tuple[int, int], np.ndarray] = {}
        for f in [*self.channels.values(), *self.ending]:
            if f.channel != "SDCCH/8":
                continue
            since = tdma.fn_diff(frames, f.start_fn)
            live = (since >= -LOOKBACK_FRAMES) & (since <= MAX_SESSION_FRAMES)
            if f.cap_fn is not None:
                live &= tdma.fn_diff(frames, f.cap_fn) <= 0
            key = (f.tn, f.tsc)
            out[key] = live if key not in out else out[key] | live
        return [(tn, tsc, frames[m & dedicated]) for (tn, tsc), m in out.items() if (m & dedicated).any()]

    def found(self, tn: int, sub: int, tsc: int, fn: int) -> None:
        """Follow a sub-channel whose assignment was not read, from a block of it that decoded at ``fn``."""
        if (tn, sub) not in self.channels:
            self.channels[(tn, sub)] = Followed("SDCCH/8", tn, sub, tsc, fn, fn)

    def settle(self, blocks: list[L2Block], *, last_fn: int) -> list[L2Block]:
        """The blocks of followed sub-channels among ``blocks`` (in FN order, one stretch's, up to
        frame ``last_fn``) that lie within their follow; the follows updated with what decoded on
        them, and ended when the stretch goes past their ``until_fn``."""
        kept: list[L2Block] = []
        ending = [f for f in (self._settle_one(f, blocks, last_fn, kept) for f in self.ending) if f is not None]
        self.ending = ending
        for key, f in list(self.channels.items()):
            now = self._settle_one(f, blocks, last_fn, kept)
            if now is None:
                del self.channels[key]
            else:
                self.channels[key] = now
        return kept

    @staticmethod
    def _settle_one(f: Followed, blocks: list[L2Block], last_fn: int, kept: list[L2Block]) -> Followed | None:
        """``f`` after ``blocks`` (its own appended to ``kept``); None once it ended."""
        ended = False
        for b in sorted((b for b in blocks if b.tn == f.tn and b.sub == f.sub), key=lambda b: b.fn):
            if tdma.fn_diff(b.fn, f.start_fn) < -LOOKBACK_FRAMES:
                continue
            if tdma.fn_diff(b.fn, f.until_fn) > 0:
                ended = True
                break
            kept.append(b)
            if b.crc_ok and tdma.fn_diff(b.fn, f.last_fn) > 0:
                f = replace(f, last_fn=b.fn)
            if _releases(b):
                f = replace(f, released=True)
        return None if ended or tdma.fn_diff(last_fn, f.until_fn) > 0 else f


@dataclass(frozen=True, slots=True)
class DedicatedBursts:
    """Equalised bursts of frames on one timeslot: soft bits (N, 148) and per-burst quality."""

    sbits: np.ndarray
    snr_db: np.ndarray
    rssi_dbfs: np.ndarray
    t_s: np.ndarray
    time_utc_s: np.ndarray | None = None


def decode_followed(
    follower: Follower,
    frames: np.ndarray,
    bursts: Callable[[np.ndarray, np.ndarray, np.ndarray], DedicatedBursts],
    *,
    arfcn: int,
    freq_offset_hz: float | None,
    bsic: int | None = None,
    band: str | None = None,
) -> list[L2Block]:
    """The blocks of the SDCCH/8 sub-channels ``follower`` follows, in ``frames`` (a stretch's,
    not reduced), their follows not yet settled (``Follower.settle``), and of the others on their
    timeslots that decode (``Follower.found``). ``bursts(tn, tsc, fn)``
    equalises the bursts of timeslots ``tn`` in frames ``fn`` with training sequences ``tsc``
    (arrays of one length, all in one batch: the kernels are batched)."""
    wanted = follower.frames(frames)
    if not wanted:
        return []
    tn = np.concatenate([np.full(len(f), t) for t, _, f in wanted])
    tsc = np.concatenate([np.full(len(f), c) for _, c, f in wanted])
    fn = np.concatenate([f for _, _, f in wanted])
    eq = bursts(tn, tsc, fn)
    out: list[L2Block] = []
    for t in np.unique(tn):
        rows = np.flatnonzero(tn == t)
        blocks = decode_frames(
            fn[rows] % tdma.HYPERFRAME_FRAMES,
            eq.sbits[rows],
            snr_db=eq.snr_db[rows],
            rssi_dbfs=eq.rssi_dbfs[rows],
            freq_offset_hz=freq_offset_hz,
            t_s=eq.t_s[rows],
            time_utc_s=None if eq.time_utc_s is None else eq.time_utc_s[rows],
            arfcn=arfcn,
            combined=False,
            bsic=bsic,
            band=band,
            tn=int(t),
            sdcch8=True,
        )
        followed = [*follower.channels.values(), *follower.ending]
        subs = {f.sub for f in followed if f.tn == t and f.channel == "SDCCH/8"}
        tsc_t = int(tsc[rows[0]])
        for b in blocks:
            if b.sub is not None and b.sub not in subs and b.crc_ok:  # its assignment was not read
                follower.found(int(t), b.sub, tsc_t, b.fn)
                subs.add(b.sub)
            if b.sub in subs:
                out.append(b)
    return out
