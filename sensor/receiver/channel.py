"""One GSM carrier from its channel stream: FCCH → frequency → SCH → frame timing → every
timeslot-0 burst equalised (soft MLSE) → blocks → the bursts of the sub-channels the carrier
assigns (``receiver.follow``) equalised on their timeslots → their blocks.

Works on a stream at ``sps`` samples per symbol centred near the carrier (the channelizer's
output). The frame timing is a straight line, sample position of frame FN = a + b·FN, fitted to
every SCH that decodes (b absorbs the receiver's sample-clock error); bursts are then equalised
all together (``equalize_normal_bursts``) and handed to the block assembler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sensor.coding.sch import decode_sch_bursts
from sensor.dsp.fcch import FcchBursts
from sensor.dsp.fcch_search import detect_fcch
from sensor.dsp.fcch_track import SEGMENT_SYMBOLS, measure_fcch_at
from sensor.dsp.mlse import equalize_normal_bursts, equalize_sch_bursts
from sensor.errors import DecodeError
from sensor.gsm import multiframe, tdma
from sensor.gsm.burst import BURST_BITS, FRAME_SYMBOLS
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.l3 import SIType, parse_si, si_type_of
from sensor.l3.messages import SystemInformation3
from sensor.model import L2Block
from sensor.receiver.blocks import decode_frames
from sensor.receiver.follow import DedicatedBursts, Follower, decode_followed

MARGIN_SYMBOLS = 10  # window around a predicted burst for the equaliser's timing search
SCH_SEARCH_SYMBOLS = 8.0
NORMAL_SEARCH_SYMBOLS = 3.0


@dataclass(frozen=True, slots=True)
class ChannelSync:
    bsic: int
    fn0: int  # reference frame number
    sample0: float  # stream sample where BN0 of timeslot 0 of frame fn0 is centred
    samples_per_frame: float
    freq_offset_hz: float  # carrier offset from the stream's centre that was removed
    freq_std_hz: float
    n_sch: int  # SCH bursts that decoded and agreed

    def burst_sample(self, fn: int | np.ndarray) -> np.ndarray:
        return self.sample0 + self.samples_per_frame * tdma.fn_diff(np.asarray(fn), self.fn0)


@dataclass(slots=True)
class ChannelResult:
    blocks: list[L2Block] = field(default_factory=list)
    sync: ChannelSync | None = None
    fcch_found: int = 0
    sch_tried: int = 0
    sch_ok: int = 0
    bursts_equalised: int = 0
    combined: bool | None = None  # CCCH_CONF from SI3, None when no SI3 decoded
    follower: Follower | None = None  # the sub-channels followed, as they stand after this stream
    followed: set[tuple[int, int]] = field(default_factory=set)  # (tn, fn) of blocks on followed sub-channels
    fcch: FcchBursts | None = None  # the FCCH bursts measured (relative to the stream's centre): each its own estimate


def _rows(x: np.ndarray, starts: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``length`` samples from each start (zero beyond the stream); the starts used."""
    starts = np.asarray(np.round(starts), dtype=np.int64)
    if len(starts) and starts.min() >= 0 and starts.max() + length <= len(x) and x.dtype == np.complex64:
        return np.lib.stride_tricks.sliding_window_view(x, length)[starts], starts  # a gather: a copy
    idx = starts[:, None] + np.arange(length)[None, :]
    ok = (idx >= 0) & (idx < len(x))
    return np.where(ok, x[np.clip(idx, 0, len(x) - 1)], 0).astype(np.complex64), starts


def receive_channel(
    x: np.ndarray,
    *,
    samples_per_symbol: int = 4,
    arfcn: int,
    band: str | None = None,
    t0_s: float = 0.0,
    time_utc_s: float | None = None,
    offset_base_hz: float = 0.0,
    fcch: FcchBursts | None = None,
    prior: ChannelSync | None = None,
    combined: bool | None = None,
    prefiltered: bool = False,
    whole: Callable[[], np.ndarray] | None = None,
    slots: tuple[int, ...] | None = None,
    follower: Follower | None = None,
) -> ChannelResult:
    """Decode every control block of the carrier near the centre of ``x`` (complex64 at sps·R).

    Blocks report ``freq_offset_hz`` = ``offset_base_hz`` (where the stream's centre lies relative to
    the carrier's nominal frequency) + the offset measured here from the stream's centre.
    ``fcch``: the carrier's FCCH bursts already found (e.g. by the wideband search), in this
    stream's samples and relative to its centre; searched for here when not given.
    ``prior``: the carrier's synchronisation carried over from the stream before this one (its
    frame timing moved into this stream's samples): no search at all then — the FCCH bursts are
    measured where the timing puts them (``dsp/fcch_track.py``) and every SCH checked at its
    place; when too few of them decode (a fade, the timing lost), the carrier is searched for as
    without a prior. ``combined``: the CCCH_CONF already known (SI3 of an earlier stretch), used
    when no SI3 is decoded here. ``prefiltered``: ``x`` has been through the equaliser's receive
    low-pass already (``prefilter.prefilter_taps``; the wideband receiver's channelizer does that).
    ``whole``: with a ``prior``, ``x`` may hold only the samples ``tracked_spans`` names (the rest
    unspecified): ``whole()`` then gives the whole stream, for the search when the timing is lost
    and for sub-channels followed on timeslots other than ``slots`` (those ``x`` holds, as
    ``tracked_spans`` was given them; None: timeslot 0 only). ``follower``: the sub-channels the carrier's
    Immediate Assignments gave phones (``receiver.follow``), carried over from the stream before;
    a new one when not given. Their blocks on timeslots 1..7 are decoded too (failed ones
    included: ``ChannelResult.followed``), and the follows updated (``ChannelResult.follower``).
    """
    follower = Follower() if follower is None else follower
    sps = samples_per_symbol
    if prior is not None:
        res = _receive_tracked(x, sps, prior, prefiltered)
        if res is None:
            return receive_channel(
                x if whole is None else whole(),
                samples_per_symbol=sps,
                arfcn=arfcn,
                band=band,
                t0_s=t0_s,
                time_utc_s=time_utc_s,
                offset_base_hz=offset_base_hz,
                combined=combined,
                prefiltered=prefiltered,
                follower=follower,
            )
    else:
        res = _receive_searched(x, sps, fcch, prefiltered)
    res.follower = follower
    if res.sync is not None:
        res.blocks, res.combined = _decode_blocks(
            x,
            sps,
            res.sync,
            arfcn=arfcn,
            band=band,
            t0_s=t0_s,
            time_utc_s=time_utc_s,
            offset_base_hz=offset_base_hz,
            combined=combined,
            res=res,
            prefiltered=prefiltered,
            whole=whole if prior is not None else None,
            slots=(0,) if slots is None else slots,
        )
    return res


def _windows(x: np.ndarray, sps: int, f_off: float) -> Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]:
    """Windows of the stream with the carrier's offset ``f_off`` removed (only where bursts are)."""
    fs = sps * SYMBOL_RATE_HZ

    def rows_at(first_samples: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
        rows, starts = _rows(x, first_samples, length)
        # exp(−2πi·f·(start + j)/fs) as the product of a per-row and a per-column phasor
        w = -2 * np.pi * f_off / fs
        rows *= np.exp(1j * w * starts).astype(np.complex64)[:, None]
        rows *= np.exp(1j * w * np.arange(length)).astype(np.complex64)[None, :]
        return rows, starts

    return rows_at


def _schs(
    x: np.ndarray, sps: int, f_off: float, first_samples: np.ndarray, search: float, prefiltered: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Decode SCH bursts in windows from ``first_samples``: (in_range, bsic, fn, BN0 centre sample)."""
    margin = MARGIN_SYMBOLS * sps
    rows, starts = _windows(x, sps, f_off)(first_samples, BURST_BITS * sps + 2 * margin)
    eq = equalize_sch_bursts(
        rows,
        burst_start_sample=margin + sps // 2,
        samples_per_symbol=sps,
        search_symbols=search,
        prefiltered=prefiltered,
    )
    dec = decode_sch_bursts(eq.sbits)
    return dec.in_range, dec.bsic, dec.fn.astype(np.int64), starts + margin + sps // 2 + eq.channel.toa_samples


def _stream_frames(n_samples: int, sps: int, a: float, b: float, fn0: int) -> np.ndarray:
    """Frames (not reduced) whose timeslot-0 window lies wholly in a stream of ``n_samples``, with
    BN0 of frame fn at sample a + b·(fn − fn0)."""
    margin = MARGIN_SYMBOLS * sps
    length = BURST_BITS * sps + 2 * margin
    first = fn0 + int(np.ceil((margin - a) / b))
    last = fn0 + int(np.floor((n_samples - length + margin - a) / b))
    return np.arange(first, last + 1)


TRACK_SLACK_SYMBOLS = 8  # how far a stretch's refined frame timing may lie from the carried-over one
_SPAN_LO = min(-MARGIN_SYMBOLS - 0.5, SEGMENT_SYMBOLS[0] - 0.5) - TRACK_SLACK_SYMBOLS  # around BN0's centre
_SPAN_HI = max(BURST_BITS + MARGIN_SYMBOLS, SEGMENT_SYMBOLS[1]) + TRACK_SLACK_SYMBOLS
TRACKED_SPAN_SYMBOLS = _SPAN_HI - _SPAN_LO  # of each frame's FRAME_SYMBOLS


def tracked_spans(
    prior: ChannelSync, n_samples: int, sps: int, slots: tuple[int, ...] = (0,)
) -> tuple[np.ndarray, np.ndarray]:
    """The samples [start, end) of a stream of ``n_samples`` that ``receive_channel`` reads when
    given ``prior`` and the carrier is where it says: around timeslot 0 of every frame, the
    equaliser's windows and the FCCH measurement's segments, with ``TRACK_SLACK_SYMBOLS`` for the
    timing refined on the stretch's own SCHs (and a frame more at either end); the same around
    each other timeslot of ``slots`` (those of the sub-channels followed: n/8 of a frame later)."""
    frames = _stream_frames(n_samples, sps, prior.sample0, prior.samples_per_frame, prior.fn0)
    if len(frames) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    centre = prior.burst_sample(np.arange(frames[0] - 1, frames[-1] + 2))
    centre = np.concatenate([centre + prior.samples_per_frame * tn / 8 for tn in sorted(set(slots) | {0})])
    return (
        np.clip(np.floor(centre + _SPAN_LO * sps), 0, n_samples).astype(np.int64),
        np.clip(np.ceil(centre + _SPAN_HI * sps), 0, n_samples).astype(np.int64),
    )


def _frequency(fb: FcchBursts) -> tuple[float, float]:
    """The carrier's offset from its FCCH bursts: inverse-variance mean and its 1-sigma."""
    w = 1.0 / np.maximum(fb.freq_std_hz, 1.0) ** 2
    return float(np.sum(w * fb.carrier_offset_hz) / np.sum(w)), float(1.0 / np.sqrt(np.sum(w)))


def _receive_searched(x: np.ndarray, sps: int, fcch: FcchBursts | None, prefiltered: bool) -> ChannelResult:
    """FCCH (given or searched) → frequency → SCH after each FCCH → frame timing → every SCH."""
    fs = sps * SYMBOL_RATE_HZ
    res = ChannelResult()
    fb = detect_fcch(x, sample_rate_hz=fs) if fcch is None else fcch
    res.fcch_found = len(fb)
    if len(fb) == 0:
        return res
    res.fcch = fb
    f_off, f_std = _frequency(fb)
    margin = MARGIN_SYMBOLS * sps
    nominal = FRAME_SYMBOLS * sps
    ok, bsics, fns, pos = _schs(x, sps, f_off, fb.sch_start_sample - margin, SCH_SEARCH_SYMBOLS, prefiltered)
    res.sch_tried = len(ok)
    if not ok.any():
        return res
    bsic_vals, counts = np.unique(bsics[ok], return_counts=True)
    bsic = int(bsic_vals[np.argmax(counts)])
    good = ok & (bsics == bsic)
    fn0 = int(fns[good][0])
    a, b, n_ok = _fit_frames(fns[good], pos[good], fn0, nominal, sps)
    # Second pass: every SCH the stream holds, at its predicted place, refines the frame timing
    # (the FCCHs that started the search may be few, e.g. when only part of the stream was searched).
    all_frames = _stream_frames(len(x), sps, a, b, fn0)
    sch_frames = all_frames[np.isin(tdma.t3(all_frames), multiframe.SCH_T3)]
    if len(sch_frames):
        ok2, bsics2, fns2, pos2 = _schs(
            x, sps, f_off, a + b * (sch_frames - fn0) - sps // 2 - margin, NORMAL_SEARCH_SYMBOLS, prefiltered
        )
        good2 = ok2 & (bsics2 == bsic) & (fns2 == sch_frames % tdma.HYPERFRAME_FRAMES)
        if good2.sum() >= n_ok:
            res.sch_tried += len(ok2)
            a, b, n_ok = _fit_frames(fns2[good2], pos2[good2], fn0, nominal, sps)
    res.sch_ok = n_ok
    res.sync = ChannelSync(bsic, fn0, float(a), float(b), f_off, f_std, n_ok)
    return res


TRACK_MIN_SCH_FRACTION = 0.5  # of the SCHs a carried-over timing predicts, at least this many must decode
TRACK_SCH_MIN = 5  # SCHs checked per stretch at least (all of them when there are no more than twice this)


def _receive_tracked(x: np.ndarray, sps: int, prior: ChannelSync, prefiltered: bool) -> ChannelResult | None:
    """Sync from a carried-over timing (see ``receive_channel``); None when the carrier was not
    where the timing puts it."""
    fs = sps * SYMBOL_RATE_HZ
    margin = MARGIN_SYMBOLS * sps
    nominal = FRAME_SYMBOLS * sps
    res = ChannelResult()
    frames = _stream_frames(len(x), sps, prior.sample0, prior.samples_per_frame, prior.fn0)
    t3 = tdma.t3(frames)
    fcch_frames = frames[np.isin(t3, multiframe.FCCH_T3)]
    fb = measure_fcch_at(
        x,
        sample_rate_hz=fs,
        start_sample=prior.burst_sample(fcch_frames) - sps / 2,
        carrier_offset_hz=prior.freq_offset_hz,
    )
    res.fcch_found = len(fb)
    res.fcch = fb if len(fb) else None
    f_off, f_std = _frequency(fb) if len(fb) else (prior.freq_offset_hz, prior.freq_std_hz)
    sch_frames = frames[np.isin(t3, multiframe.SCH_T3)]
    if len(sch_frames) > 2 * TRACK_SCH_MIN:  # every other SCH is plenty to follow a known timing
        sch_frames = sch_frames[::2]
    if len(sch_frames) == 0:
        return None
    ok, bsics, fns, pos = _schs(
        x, sps, f_off, prior.burst_sample(sch_frames) - sps // 2 - margin, NORMAL_SEARCH_SYMBOLS, prefiltered
    )
    res.sch_tried = len(ok)
    good = ok & (bsics == prior.bsic) & (fns == sch_frames % tdma.HYPERFRAME_FRAMES)
    if good.sum() < max(1, TRACK_MIN_SCH_FRACTION * len(sch_frames)):
        return None
    a, b, n_ok = _fit_frames(fns[good], pos[good], prior.fn0, nominal, sps)
    if n_ok < 2:  # one SCH: keep the carried-over rate, move the line onto it
        b = prior.samples_per_frame
        a = float(np.median(pos[good] - b * tdma.fn_diff(fns[good], prior.fn0)))
    res.sch_ok = n_ok
    res.sync = ChannelSync(prior.bsic, prior.fn0, float(a), float(b), f_off, f_std, n_ok)
    return res


def _decode_blocks(
    x: np.ndarray,
    sps: int,
    sync: ChannelSync,
    *,
    arfcn: int,
    band: str | None,
    t0_s: float,
    time_utc_s: float | None,
    offset_base_hz: float,
    combined: bool | None,
    res: ChannelResult,
    prefiltered: bool,
    whole: Callable[[], np.ndarray] | None = None,
    slots: tuple[int, ...] = (0,),
) -> tuple[list[L2Block], bool | None]:
    """Every frame whose timeslot 0 lies in the stream, equalised together, then the blocks; then
    the blocks of the sub-channels followed (``_decode_followed``)."""
    fs = sps * SYMBOL_RATE_HZ
    margin = MARGIN_SYMBOLS * sps
    length = BURST_BITS * sps + 2 * margin
    all_frames = _stream_frames(len(x), sps, sync.sample0, sync.samples_per_frame, sync.fn0)
    t3 = tdma.t3(all_frames)
    frames = all_frames
    frames = frames[~np.isin(t3, multiframe.FCCH_T3 + multiframe.SCH_T3 + multiframe.IDLE_T3)]
    if len(frames) == 0:
        return [], combined
    centres = sync.burst_sample(frames)
    rows, _ = _windows(x, sps, sync.freq_offset_hz)(centres - sps // 2 - margin, length)
    eqn = equalize_normal_bursts(
        rows,
        burst_start_sample=margin + sps // 2,
        tsc=sync.bsic & 7,
        samples_per_symbol=sps,
        search_symbols=NORMAL_SEARCH_SYMBOLS,
        prefiltered=prefiltered,
    )
    res.bursts_equalised = len(frames)
    power = np.mean(np.abs(rows[:, margin : margin + BURST_BITS * sps]) ** 2, axis=1)
    t_s = t0_s + centres / fs

    def assemble(comb: bool) -> list[L2Block]:
        return decode_frames(
            frames % tdma.HYPERFRAME_FRAMES,
            eqn.sbits,
            snr_db=eqn.channel.snr_db,
            rssi_dbfs=10 * np.log10(np.maximum(power, 1e-20)),
            freq_offset_hz=offset_base_hz + sync.freq_offset_hz,
            t_s=t_s,
            time_utc_s=None if time_utc_s is None else time_utc_s + centres / fs,
            arfcn=arfcn,
            combined=comb,
            bsic=sync.bsic,
            band=band,
        )

    blocks = assemble(bool(combined))
    found = _ccch_combined(blocks)
    if found is not None and found != bool(combined):
        blocks = assemble(found)
    combined = found if found is not None else combined
    if res.follower is not None:
        blocks = _decode_followed(
            x, sps, sync, res, blocks, arfcn=arfcn, band=band, t0_s=t0_s, time_utc_s=time_utc_s,
            offset_base_hz=offset_base_hz, combined=combined, prefiltered=prefiltered, whole=whole, slots=slots,
        )  # fmt: skip
    return blocks, combined


def _decode_followed(
    x: np.ndarray,
    sps: int,
    sync: ChannelSync,
    res: ChannelResult,
    blocks: list[L2Block],
    *,
    arfcn: int,
    band: str | None,
    t0_s: float,
    time_utc_s: float | None,
    offset_base_hz: float,
    combined: bool | None,
    prefiltered: bool,
    whole: Callable[[], np.ndarray] | None,
    slots: tuple[int, ...],
) -> list[L2Block]:
    """Timeslot 0's ``blocks`` and those of the sub-channels followed on other timeslots, after
    the follows took up what the Immediate Assignments among ``blocks`` assign. Timeslot n of a
    frame starts n·156.25 symbols after its timeslot 0 (TS 45.002 §4.3; n/8 of the measured frame
    length): only the frames of the followed blocks are equalised there, in one batch. ``x``
    holds the timeslots ``slots`` (``whole()`` gives the whole stream, when not None)."""
    follower = res.follower
    assert follower is not None
    follower.assign(blocks, arfcn=arfcn, combined=combined)
    if not follower.channels:
        return blocks
    fs = sps * SYMBOL_RATE_HZ
    margin = MARGIN_SYMBOLS * sps
    length = BURST_BITS * sps + 2 * margin
    # frames whose timeslot-7 window still lies wholly in the stream (a block cut at its end is the next one's)
    last_slot = int(np.ceil(sync.samples_per_frame * 7 / 8))
    frames = _stream_frames(len(x) - last_slot, sps, sync.sample0, sync.samples_per_frame, sync.fn0)
    stream: list[np.ndarray] = []

    def equalise(tn: np.ndarray, tsc: np.ndarray, fn: np.ndarray) -> DedicatedBursts:
        if not stream:
            held = whole is None or set(np.unique(tn).tolist()) <= set(slots)
            stream.append(x if held else whole())  # type: ignore[misc]
        centres = sync.burst_sample(fn) + sync.samples_per_frame * tn / 8
        rows, _ = _windows(stream[0], sps, sync.freq_offset_hz)(centres - sps // 2 - margin, length)
        # One batch per training sequence (``tsc`` comes in runs, one per timeslot and TSC): with
        # one TSC the equaliser's channel estimate and branch metrics run compiled, as timeslot 0's;
        # with a TSC per burst they took the generic path, ~3x slower per burst.
        runs = np.flatnonzero(np.diff(tsc)) + 1
        eqs = [
            equalize_normal_bursts(
                rows[a:b],
                burst_start_sample=margin + sps // 2,
                tsc=int(tsc[a]),
                samples_per_symbol=sps,
                search_symbols=NORMAL_SEARCH_SYMBOLS,
                prefiltered=prefiltered,
            )
            for a, b in zip([0, *runs], [*runs, len(fn)], strict=True)
        ]
        res.bursts_equalised += len(fn)
        power = np.mean(np.abs(rows[:, margin : margin + BURST_BITS * sps]) ** 2, axis=1)
        return DedicatedBursts(
            np.concatenate([e.sbits for e in eqs]),
            np.concatenate([e.channel.snr_db for e in eqs]),
            10 * np.log10(np.maximum(power, 1e-20)),
            t0_s + centres / fs,
            None if time_utc_s is None else time_utc_s + centres / fs,
        )

    dedicated = decode_followed(
        follower,
        frames,
        equalise,
        arfcn=arfcn,
        freq_offset_hz=offset_base_hz + sync.freq_offset_hz,
        bsic=sync.bsic,
        band=band,
    )
    ts0_dedicated = [b for b in blocks if b.sub is not None]
    kept = follower.settle(ts0_dedicated + dedicated, last_fn=int(frames[-1]) if len(frames) else sync.fn0)
    res.followed = {(b.tn, b.fn) for b in kept}
    return sorted(blocks + [b for b in kept if b.tn != 0], key=lambda b: b.t_s or 0.0)


def _fit_frames(fns: np.ndarray, pos: np.ndarray, fn0: int, nominal: float, sps: int) -> tuple[float, float, int]:
    """Frame timing from SCH positions: (a, b, SCHs used) with position of frame fn = a + b·(fn − fn0).
    SCHs off the common frame grid by more than 3 symbols are left out."""
    d = tdma.fn_diff(fns, fn0).astype(np.float64)
    resid = pos - nominal * d
    agree = np.abs(resid - np.median(resid)) < 3 * sps
    d, p = d[agree], pos[agree]
    if len(d) >= 2 and np.ptp(d) > 0:
        b, a = np.polyfit(d, p, 1)
        if abs(b / nominal - 1) > 1e-4:  # more than 100 ppm of clock error: not plausible, keep nominal
            b, a = nominal, float(np.median(p - nominal * d))
    else:
        b, a = nominal, float(np.median(p - nominal * d))
    return float(a), float(b), int(agree.sum())


def _ccch_combined(blocks: list[L2Block]) -> bool | None:
    """Whether the CCCH is combined with SDCCH/4 (CCCH_CONF of TS 44.018 §10.5.2.11), from the first
    SI3 among ``blocks`` that parses (BCCH Norm sits at the same place in both layouts). Leniently:
    rest octets that do not parse do not hide the control channel description."""
    for b in blocks:
        if b.crc_ok and b.channel == "BCCH" and si_type_of(b.octets) is SIType.SI3:
            try:
                si = parse_si(b.octets, strict=False)
            except DecodeError:
                continue
            if isinstance(si, SystemInformation3):
                return si.control_channel_description.ccch_combined_with_sdcch is True
    return None
