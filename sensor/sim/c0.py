"""The BCCH carrier (C0) of one cell as complex baseband at 4 samples per symbol.

Timeslot 0 follows the 51-multiframe of TS 45.002 §7 Table 3 (FCCH, SCH with BSIC and reduced
frame number, BCCH Norm with the SI type of TC = (FN div 51) mod 8 per §6.3.1.3, CCCH blocks with
pages and immediate assignments per the cell's CCCH traffic (empty pages when idle), a dummy burst
in the idle frame). The cell's scheduled blocks (``C0Config.traffic``, see ``traffic.py`` and
``dedicated.py``) take their places: a CCCH block of timeslot 0, the SDCCH/4 + SACCH/C4 of a
combined timeslot 0, the SDCCH/8 + SACCH/C8 of the timeslots in ``sdcch8_timeslots``. A dedicated
sub-channel without a scheduled block, and every other timeslot, carries dummy bursts (§5.2.6).
Coding per TS 45.003, GMSK per TS 45.004.

Speed: a timeslot's waveform depends only on its own bits, because every slot is entered from
guard bits (1) and left into the next burst's tail bits (0). So each distinct slot is modulated
once and cached with the phase it starts and ends at; a frame is its slots' cached waveforms,
each turned to continue the phase where the previous one ended — exactly the continuous GMSK
signal, at the cost of a copy. The cell's own slots repeat (FCCH, SI, CCCH from small pools, dummy
bursts, runs of consecutive dummy slots as one waveform) and are cached without bound; the SCH,
whose bits change every time, is modulated eight multiframes at a time; a scheduled block's four
bursts are modulated in one call when its first burst is due, and kept only in a small LRU keyed
by content when in clear (fill frames and SI5/SI6 repeat; session messages and ciphered bursts do
not), so memory stays bounded however long a scene runs.
Timeslots 0 and 4 are 157 symbols long, the others 156 (8 × 156.25 = 1250 per frame).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sensor.coding.sch import encode_sch_bursts
from sensor.coding.xcch import encode_xcch
from sensor.dsp.gmsk import GmskState, gmsk_phase, gmsk_phase_rows
from sensor.gsm import multiframe, tdma
from sensor.gsm.burst import BURST_BITS, DUMMY_BURST_UBITS, FCCH_BURST_UBITS, FRAME_SYMBOLS
from sensor.gsm.multiframe import Channel
from sensor.gsm.si_schedule import si_types_at_fn
from sensor.l3.ccch import immediate_assignment, paging_request_1
from sensor.l3.cell import CellParams, build_all
from sensor.sim import dedicated
from sensor.sim.traffic import ScheduledBlock, Traffic

SPS = 4  # samples per symbol by default; 2 serves wide receivers (see render.py)
SLOT_SYMBOLS = (157, 156, 156, 156, 157, 156, 156, 156)  # sum: FRAME_SYMBOLS
FRAME_SAMPLES = FRAME_SYMBOLS * SPS
GUARD_BIT = 1
_LEAD = np.ones(4, np.uint8)  # the previous slot's guard bits
_TRAIL = np.zeros(3, np.uint8)  # the next burst's tail bits

# TS 44.018 §9.1.22: Paging Request Type 1 with no identity (what idle networks send on the PCH)
EMPTY_PAGING = paging_request_1(None)
# CCCH traffic (``C0Config.ccch_traffic``): of every 32 CCCH blocks, how many carry pages with an
# identity and how many immediate assignments; the rest are empty pages. Messages come from small
# pools so that the generator's waveform cache stays bounded however long it runs.
CCCH_TRAFFIC = {"idle": (0, 0), "live": (10, 1), "catcher": (0, 8)}
POOL = 16
SCHEDULED_LRU_BLOCKS = 64  # clear scheduled blocks whose modulated bursts are kept for reuse


@dataclass(frozen=True, slots=True)
class SlotWave:
    samples: np.ndarray  # complex64, len = symbols × SPS, as modulated from phase 0 of the context
    start_rad: float  # phase at the slot's first sample
    advance_rad: float  # phase at the next slot's first sample minus start_rad


def modulate_slots(bursts: list[np.ndarray], slot_symbols: tuple[int, ...], sps: int = SPS) -> SlotWave:
    """Consecutive timeslots (148 burst bits then guard bits each), entered from and left into the
    constant context, as one waveform."""
    parts = [_LEAD]
    for burst, n in zip(bursts, slot_symbols):
        parts += [np.asarray(burst, np.uint8), np.full(n - BURST_BITS, GUARD_BIT, np.uint8)]
    parts.append(_TRAIL)
    n_symbols = sum(slot_symbols)
    phase, _ = gmsk_phase(np.concatenate(parts), samples_per_symbol=sps, state=GmskState(last_bit=GUARD_BIT))
    # Symbol i spans [i − 1/2, i + 1/2): the slot starts at t = len(_LEAD) − 1/2, sample sps·len(_LEAD) − sps/2.
    first = sps * len(_LEAD) - sps // 2
    seg = phase[first : first + n_symbols * sps + 1]
    if len(seg) != n_symbols * sps + 1:
        raise AssertionError("modulator returned too few samples for a slot")
    return SlotWave(np.exp(1j * seg[:-1]).astype(np.complex64), float(seg[0]), float(seg[-1] - seg[0]))


def modulate_slot_rows(bursts: np.ndarray, n_symbols: int, sps: int = SPS) -> list[SlotWave]:
    """``modulate_slot`` of many bursts (N, 148) of one slot length at once."""
    n = len(bursts)
    rows = np.concatenate(
        (
            np.broadcast_to(_LEAD, (n, len(_LEAD))),
            np.asarray(bursts, np.uint8),
            np.full((n, n_symbols - BURST_BITS), GUARD_BIT, np.uint8),
            np.broadcast_to(_TRAIL, (n, len(_TRAIL))),
        ),
        axis=1,
    )
    phase = gmsk_phase_rows(rows, samples_per_symbol=sps, last_bit=GUARD_BIT)
    first = sps * len(_LEAD) - sps // 2
    seg = phase[:, first : first + n_symbols * sps + 1]
    waves = np.exp(1j * seg[:, :-1]).astype(np.complex64)
    return [SlotWave(waves[i], float(seg[i, 0]), float(seg[i, -1] - seg[i, 0])) for i in range(n)]


def modulate_slot(burst_ubits: np.ndarray, n_symbols: int, sps: int = SPS) -> SlotWave:
    """One timeslot."""
    return modulate_slots([burst_ubits], (n_symbols,), sps)


@dataclass(frozen=True, slots=True)
class C0Config:
    """What a C0 transmits: BSIC, the SI messages, CCCH configuration, and the scheduled blocks."""

    bsic: int
    si: dict[str, bytes]  # SI type ("1", "2", "2ter", "3", ...) → 23-octet L2 frame
    combined: bool  # CCCH_CONF = 1: SDCCH/4 + SACCH/4 on timeslot 0
    arfcn: int = 0
    ccch_traffic: str = "idle"  # a key of CCCH_TRAFFIC
    traffic: Traffic | None = None  # blocks sent instead of the carrier's own (see traffic.py)
    sdcch8_timeslots: tuple[int, ...] = ()  # timeslots 1..7 with SDCCH/8 + SACCH/C8 (combination VII)

    def __post_init__(self) -> None:
        bad = [tn for tn in self.sdcch8_timeslots if tn not in dedicated.SDCCH8_TIMESLOTS]
        if bad:
            raise ValueError(f"SDCCH/8 on timeslot {bad[0]}: only timeslots 1-7 can carry it")
        if self.traffic is not None:
            dedicated.check_traffic(self.traffic, combined=self.combined, sdcch8_timeslots=self.sdcch8_timeslots)

    @property
    def tsc(self) -> int:
        return self.bsic & 7

    @classmethod
    def from_params(
        cls,
        bsic: int,
        params: CellParams,
        ccch_traffic: str = "idle",
        *,
        traffic: Traffic | None = None,
        sdcch8_timeslots: tuple[int, ...] = (),
    ) -> C0Config:
        if ccch_traffic not in CCCH_TRAFFIC:
            raise ValueError(f"unknown CCCH traffic {ccch_traffic!r} (known: {', '.join(CCCH_TRAFFIC)})")
        return cls(
            bsic=bsic,
            si={t.value: l2 for t, l2 in build_all(params).items()},
            combined=params.ccch_conf == 1,
            arfcn=params.arfcn,
            ccch_traffic=ccch_traffic,
            traffic=traffic,
            sdcch8_timeslots=tuple(sdcch8_timeslots),
        )

    def scheduled(self, tn: int, first_fn: int) -> ScheduledBlock | None:
        """The scheduled block on ``tn`` whose first burst is frame ``first_fn``, or None."""
        return None if self.traffic is None else self.traffic.block(tn, first_fn)

    def ccch_frame(self, fn: int) -> bytes:
        """The message in the CCCH block starting at ``fn``: a deterministic function of ``fn``."""
        pages, assignments = CCCH_TRAFFIC[self.ccch_traffic]
        if pages == assignments == 0:
            return EMPTY_PAGING
        h = (fn * 2654435761 + self.bsic * 40503) & 0xFFFFFFFF  # Knuth's multiplicative hash
        slot, pick = (h >> 7) % 32, (h >> 12) % POOL
        if slot < pages:
            return paging_request_1((self.bsic << 24) ^ (pick * 0x9E3779B1 & 0xFFFFFF))
        if slot < pages + assignments:
            return immediate_assignment(arfcn=self.arfcn, tn=1 + pick % 7, tsc=self.tsc, ra=pick * 13, fn=pick * 1000)
        return EMPTY_PAGING

    def bcch_frame(self, fn: int) -> bytes:
        """The SI message on BCCH Norm in the block starting at ``fn`` (TS 45.002 §6.3.1.3)."""
        allowed = si_types_at_fn(fn)
        sent = [t for t in allowed if t in self.si]
        if not sent:  # e.g. TC 0 without SI1, or TC 4/5 with nothing optional: repeat SI3
            return self.si.get("3") or next(iter(self.si.values()))
        # Where several types share a TC, take turns from one 8-multiframe cycle to the next.
        return self.si[sent[(fn // (51 * 8)) % len(sent)]]


def sent_blocks(config: C0Config, first_fn: int, n_frames: int) -> dict[int, bytes]:
    """Ground truth: the BCCH and CCCH blocks of timeslot 0 (FN of the first burst → 23 octets) that a
    cell sends whose four bursts lie in frames ``first_fn`` .. ``first_fn + n_frames − 1``; a CCCH
    block the schedule names has its scheduled octets. ``scheduled_sent`` gives the scheduled blocks."""
    out: dict[int, bytes] = {}
    for fn in range(first_fn, first_fn + max(0, n_frames - 3)):
        block = multiframe.block_starting_at(fn, combined=config.combined)
        if block is None:
            continue
        if block.channel is Channel.BCCH:
            out[fn % tdma.HYPERFRAME_FRAMES] = config.bcch_frame(fn)
        elif block.channel is Channel.CCCH:
            own = config.scheduled(0, fn)
            out[fn % tdma.HYPERFRAME_FRAMES] = config.ccch_frame(fn) if own is None else own.octets
    return out


def scheduled_sent(config: C0Config, first_fn: int, n_frames: int) -> list[ScheduledBlock]:
    """Ground truth: the scheduled blocks (every timeslot and channel) whose four bursts lie in frames
    ``first_fn`` .. ``first_fn + n_frames − 1``, in time order then timeslot."""
    return [] if config.traffic is None else config.traffic.between(first_fn, n_frames)


class C0Generator:
    """Streams one cell's C0 at ``sps`` samples per symbol (2 or 4), frame after frame, from ``first_fn``.

    ``skip_samples`` drops that many samples of the first frame (to place the cell's frame timing
    against the scene's clock).
    """

    def __init__(self, config: C0Config, *, first_fn: int, skip_samples: int = 0, sps: int = SPS) -> None:
        if sps not in (2, 4):
            raise ValueError("sps must be 2 or 4")
        self.config = config
        self.sps = sps
        self.frame_samples = FRAME_SYMBOLS * sps
        self.fn = first_fn % tdma.HYPERFRAME_FRAMES
        self._phase = 0.0
        self._cache: dict[bytes, SlotWave] = {}
        self._pending = np.empty(0, np.complex64)
        self._skip = skip_samples
        # Runs of consecutive dummy slots [a, b) as one waveform each; timeslots 1-7 the usual one.
        self._dummy_runs: dict[tuple[int, int], SlotWave] = {}
        self._rest = self._dummy_run(1, 8)
        self._block_bursts: dict[bytes, np.ndarray] = {}
        self._sch: dict[int, SlotWave] = {}  # SCH slots of the coming multiframes, modulated in one batch
        # Scheduled blocks: the waveforms of the coming bursts of blocks under way, by (tn, fn), and
        # the modulated bursts of recent clear blocks by (slot length, octets).
        self._due: dict[tuple[int, int], SlotWave] = {}
        self._recent: OrderedDict[tuple[int, bytes], list[SlotWave]] = OrderedDict()
        self._dedicated_tns = tuple(sorted(set(config.sdcch8_timeslots))) if config.traffic is not None else ()

    def _dummy_run(self, a: int, b: int) -> SlotWave:
        wave = self._dummy_runs.get((a, b))
        if wave is None:
            wave = modulate_slots([DUMMY_BURST_UBITS] * (b - a), SLOT_SYMBOLS[a:b], self.sps)
            self._dummy_runs[(a, b)] = wave
        return wave

    def _slot(self, bits: np.ndarray, n_symbols: int) -> SlotWave:
        key = bytes([n_symbols & 0xFF]) + np.packbits(bits).tobytes()
        wave = self._cache.get(key)
        if wave is None:
            wave = modulate_slot(bits, n_symbols, self.sps)
            self._cache[key] = wave
        return wave

    def _block_burst(self, l2: bytes, burst: int) -> np.ndarray:
        bursts = self._block_bursts.get(l2)
        if bursts is None:
            bursts = encode_xcch(l2).bursts(tsc=self.config.tsc)[0]
            self._block_bursts[l2] = bursts
        return bursts[burst]

    def _sch_slot(self, fn: int) -> SlotWave:
        wave = self._sch.pop(fn, None)
        if wave is None:
            # The SCH frames of the next eight 51-multiframes, encoded and modulated together.
            fns = np.array(
                [f for f in range(fn, fn + 51 * 8) if tdma.t3(f % tdma.HYPERFRAME_FRAMES) in multiframe.SCH_T3]
            )
            fns %= tdma.HYPERFRAME_FRAMES
            bursts = encode_sch_bursts(self.config.bsic, fns)
            self._sch = dict(zip(fns.tolist(), modulate_slot_rows(bursts, SLOT_SYMBOLS[0], self.sps)))
            wave = self._sch.pop(fn)
        return wave

    def ts0_burst(self, fn: int) -> tuple[np.ndarray, bool]:
        """Timeslot 0's own 148 bits in frame ``fn`` (without the schedule) and whether they repeat
        (all but the SCH). An SDCCH/4 or SACCH/C4 sub-channel of its own carries a dummy burst."""
        use = multiframe.frame_use(int(tdma.t3(fn)), combined=self.config.combined)
        ch = use.channel
        if ch is Channel.FCCH:
            return FCCH_BURST_UBITS, True
        if ch is Channel.SCH:
            return encode_sch_bursts(self.config.bsic, fn)[0], False
        if ch not in (Channel.BCCH, Channel.CCCH) or use.block is None:
            return DUMMY_BURST_UBITS, True
        first_fn = fn - use.burst
        l2 = self.config.bcch_frame(first_fn) if ch is Channel.BCCH else self.config.ccch_frame(first_fn)
        return self._block_burst(l2, use.burst), True

    def _scheduled_at(self, tn: int, fn: int) -> tuple[ScheduledBlock, int] | None:
        """The scheduled block that frame ``fn`` of timeslot ``tn`` belongs to, and its burst number."""
        cfg = self.config
        if cfg.traffic is None:
            return None
        use = dedicated.frame_use(tn, fn, combined=cfg.combined, sdcch8_timeslots=cfg.sdcch8_timeslots)
        if use is None or use.burst is None or use.channel not in (Channel.CCCH, Channel.SDCCH, Channel.SACCH):
            return None
        block = cfg.traffic.block(tn, fn - use.burst)
        return None if block is None else (block, use.burst)

    def slot_ubits(self, tn: int, fn: int) -> np.ndarray:
        """The 148 burst bits timeslot ``tn`` carries in frame ``fn``: what ``frame`` modulates."""
        hit = self._scheduled_at(tn, fn)
        if hit is not None:
            block, burst = hit
            return dedicated.block_bursts(block, tsc=self.config.tsc)[burst]
        if tn == 0:
            return self.ts0_burst(fn)[0]
        return DUMMY_BURST_UBITS

    def _scheduled_wave(self, tn: int, fn: int) -> SlotWave | None:
        wave = self._due.pop((tn, fn), None)
        if wave is not None:
            return wave
        hit = self._scheduled_at(tn, fn)
        if hit is None:
            return None
        block, burst = hit
        key = (SLOT_SYMBOLS[tn], block.octets)
        cached = None if block.ciphered else self._recent.get(key)
        if cached is not None:
            self._recent.move_to_end(key)
            coming = cached[burst:]
        else:
            bursts = dedicated.block_bursts(block, tsc=self.config.tsc)[burst:]
            coming = modulate_slot_rows(bursts, SLOT_SYMBOLS[tn], self.sps)
            if not block.ciphered and burst == 0:
                self._recent[key] = coming
                if len(self._recent) > SCHEDULED_LRU_BLOCKS:
                    self._recent.popitem(last=False)
        for k, wave in enumerate(coming[1:], start=1):
            self._due[(tn, fn + k)] = wave
        return coming[0]

    def _own_ts0_wave(self, fn: int) -> SlotWave:
        if multiframe.frame_use(int(tdma.t3(fn)), combined=self.config.combined).channel is Channel.SCH:
            return self._sch_slot(fn)
        return self._slot(self.ts0_burst(fn)[0], SLOT_SYMBOLS[0])

    def frame(self) -> np.ndarray:
        """The next frame's 1250·sps samples; advances the frame number and the carrier phase."""
        fn = self.fn
        first = self._scheduled_wave(0, fn) if self.config.traffic is not None else None
        if first is None:
            first = self._own_ts0_wave(fn)
        slots = [first]
        run = 1  # first timeslot of the current run of dummy slots
        for tn in self._dedicated_tns:
            wave = self._scheduled_wave(tn, fn)
            if wave is not None:
                if run < tn:
                    slots.append(self._dummy_run(run, tn))
                slots.append(wave)
                run = tn + 1
        if run < 8:
            slots.append(self._rest if run == 1 else self._dummy_run(run, 8))
        out = np.empty(self.frame_samples, np.complex64)
        pos = 0
        phase = self._phase
        for slot in slots:
            n = len(slot.samples)
            out[pos : pos + n] = slot.samples * np.complex64(np.exp(1j * (phase - slot.start_rad)))
            phase += slot.advance_rad
            pos += n
        self._phase = float(np.angle(np.exp(1j * phase)))
        self.fn = (fn + 1) % tdma.HYPERFRAME_FRAMES
        return out

    def samples(self, n: int) -> np.ndarray:
        """The next ``n`` samples."""
        parts = [self._pending]
        have = len(self._pending)
        while have < n + self._skip:
            f = self.frame()
            parts.append(f)
            have += len(f)
        allv = np.concatenate(parts)
        if self._skip:
            allv = allv[self._skip :]
            self._skip = 0
        self._pending = allv[n:]
        return allv[:n]
