"""The cell model: one observation per (ARFCN, BSIC), merged from decoded blocks over time.

Every BCCH block that passes its Fire code is parsed; the latest octets of each SI type are kept,
their parameters merged (SI3 over SI4 over SI1/2/13 where they overlap), and a change in what a
cell broadcasts is noticed and recorded (fake stations change their parameters; operators rarely
do). The System Information a cell sends on the SACCH of its dedicated channels (SI5, SI5bis,
SI5ter, SI6, TS 44.018 §9.1.37-§9.1.40) is kept the same way under ``si`` "5", "5bis", "5ter",
"6": the 21-octet B4 frame after the block's L1 header (the header orders one phone's power and
timing advance: it belongs to that phone's session, not to the cell), its parameters under the
``sacch_*`` keys, the SACCH neighbour list the union of SI5/5bis/5ter's. CCCH blocks are counted
by message type (paging, immediate assignment), identities are never kept. Power, SNR and
frequency offset are summarised as mean, spread and last value. A message that does not parse is
counted and logged, never raised: a fake station may send anything.

The carrier is also measured burst by burst on its FCCH (``add_fcch``): the cell object's
``freq_hz`` (absolute, on the receiver's clock) and ``freq_sd_hz`` (standard error from the bursts'
spread, ``dsp/carrier_mean.py``) are over the current reading's bursts — a scan visit's
(``add_fcch(..., reading_start_t_s=...)`` starts a new one), or the whole replay's last
``FCCH_KEEP`` bursts — and ``frequency_readings`` holds one ``FrequencyReading`` per
``FREQ_READING_S`` of bursts with the receiver's position and velocity then: what a Doppler fit reads.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sensor.dsp.carrier_mean import carrier_mean
from sensor.dsp.fcch_coherent import reading_carrier
from sensor.errors import DecodeError
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.l2.ts44004 import SACCH_L1_HEADER_OCTETS
from sensor.l3 import keys
from sensor.l3.ccch import classify_ccch
from sensor.l3.messages import SIType, SystemInformation, parse_si, si_type_of
from sensor.l3.ts44018 import SacchSIType
from sensor.model import FcchEstimate, L2Block

if TYPE_CHECKING:
    from sensor.l3.si_sacch import SacchSystemInformation

log = logging.getLogger(__name__)

SCHEMA = 1
# Where SI types overlap in what they say, the later in this order wins (TS 44.018 §3.2.2.1:
# SI3 is the reference for cell selection, SI4 repeats it). The SACCH types' keys are their own.
PARAM_PRECEDENCE = ("6", "5ter", "5bis", "5", "13", "2quater", "2ter", "2bis", "2", "1", "4", "3")
NEIGHBOUR_TYPES = ("2", "2bis", "2ter")
SACCH_NEIGHBOUR_TYPES = ("5", "5bis", "5ter")  # §9.1.37-§9.1.39: the SACCH BA list, in parts
IDENTITY_TYPES = ("3", "4", "6")  # the SI types that carry the LAI (and SI3, SI6 the cell identity)
READING_EVERY_S = 0.25
FREQ_READING_S = 1.0  # FCCH bursts of this span (about 21) make one frequency reading
# The error a reading's bursts share, added to the spread's standard error. It was 1.5 Hz while
# each burst's tone was fitted up to 12 symbols from its edges, where the low-pass's response to
# them turns the phase: every burst read ~+0.55 Hz high (the parked patrol scene's +0.8 Hz mean,
# 1.4 Hz rms). Fitted over ``dsp.fcch.FREQ_FIT_TONE_SYMBOLS``, the parked patrol scene's clean
# cells and fake (30 s, 112 1-s readings, no Doppler, no drift) err by +0.14 ± 0.10 Hz on average
# and 1.09 Hz rms where their spread alone says 1.22 Hz (median): chi²/n 1.04, 95 % inside 2 sd.
# What is left shared (the IQ image of the mirrored cells, the mean's +0.14 Hz) is bounded here.
FCCH_SYSTEMATIC_HZ = 0.3
# The same for a reading measured from its bursts' phases (``dsp/fcch_coherent.py``): on the same
# scene 111 of 112 readings were, and erred by 0.9 mHz rms (at most 3.2 mHz) where their phases'
# scatter said 0.6 mHz (median).
FCCH_COHERENT_SYSTEMATIC_HZ = 0.001
# Coherent readings only where the receiver is known to stand still (a fixed position, or a GPS
# speed at most this). Motion itself is measured right since the fit follows the Doppler's rate
# (dsp/fcch_coherent.py: on the simulated drive with steady oscillators, 90 % of the clean cells'
# and the fake's 1-s readings coherent, errors of 2-3 mHz, 91-94 % inside 2 sd; before, 22 % were,
# erring by 0.1-0.2 Hz at 10-16 sd). What the gate still keeps out is an oscillator that walks
# within the reading (the drive's receiver at 0.02 ppm/√min, the fake's at 0.01): the phases stay
# smooth, so no test on them sees it, but their curve no longer gives the frequency at its time
# (the few readings that pass err by 0.1-0.5 Hz at 5 × their sd). A parked receiver whose own
# oscillator walks so is not kept out: the parked scenes' receivers do not drift.
COHERENT_MAX_SPEED_M_S = 0.5
FCCH_KEEP = 4096  # the cell object's frequency: over at most this many latest bursts (about 3 minutes)
# What a cell keeps for as long as it is tracked is bounded: an hour's drive or a day's replay ends
# with the memory a few minutes' took. Readings and frequency readings are thinned, not cut: at the
# bound every other one goes and the spacing of those to come doubles, so the whole drive stays
# covered evenly (localisation and a Doppler fit see every place, at a coarser step); below the
# bound (17 minutes of a cell at 0.25 s, 17 minutes of frequency readings) nothing changes.
READINGS_KEEP = 4096
FREQUENCY_READINGS_KEEP = 1024
# SI changes: the first CHANGES_KEEP, then only a change of an SI type's parameter not yet seen
# changing (what the si_changed rule reports, the names and the first time, stays exact); a fake
# station alternating its SI every multiframe would otherwise add one a quarter second.
CHANGES_KEEP = 64


@dataclass(slots=True)
class RunningStat:
    """Mean, spread and last value without keeping the samples (Welford)."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0
    last: float | None = None

    def add(self, x: float | None) -> None:
        if x is None or not math.isfinite(x):
            return
        self.n += 1
        d = x - self.mean
        self.mean += d / self.n
        self.m2 += d * (x - self.mean)
        self.last = x

    @property
    def value(self) -> float | None:
        return None if self.n == 0 else self.mean

    @property
    def std(self) -> float | None:
        return None if self.n < 2 else math.sqrt(self.m2 / (self.n - 1))


def _at_rest(position: dict[str, Any] | None) -> bool:
    """Whether a position object says the receiver stood still (``COHERENT_MAX_SPEED_M_S``)."""
    if position is None:
        return False
    speed = position.get("speed_m_s")
    return position.get("fix") == "fixed" or (speed is not None and float(speed) <= COHERENT_MAX_SPEED_M_S)


@dataclass(frozen=True, slots=True)
class FrequencyReading:
    """The carrier measured over ``FREQ_READING_S`` of FCCH bursts: ``freq_hz`` absolute (on the
    receiver's clock) with its standard error, at ``t_s`` (the bursts' mean time), and the
    receiver's ``position`` object then (with ``speed_m_s``/``heading_deg``), None without a fix.
    From the bursts' phases where they cohere (``coherent``: the frequency at ``t_s``, the mean
    time of the bursts so measured, through a frequency changing linearly over ``span_s``), else
    from the mean of their own frequencies (at the bursts' mean time ``t_s``)."""

    t_s: float
    time_utc_s: float | None
    freq_hz: float
    freq_sd_hz: float
    n_bursts: int
    position: dict[str, Any] | None
    span_s: float = 0.0  # from its first burst to its last
    coherent: bool = False  # measured from its bursts' phases (dsp/fcch_coherent.py), not their mean


@dataclass(slots=True)
class SiChange:
    t_s: float | None
    si_type: str
    changed: list[str]  # parameter names whose value changed ("identity" for MCC/MNC/LAC/CI)


@dataclass(slots=True)
class CellObservation:
    arfcn: int
    bsic: int | None
    band: str | None = None
    si_octets: dict[str, bytes] = field(default_factory=dict)
    si: dict[str, SystemInformation | SacchSystemInformation] = field(default_factory=dict)
    rssi_dbfs: RunningStat = field(default_factory=RunningStat)
    snr_db: RunningStat = field(default_factory=RunningStat)
    freq_offset_hz: RunningStat = field(default_factory=RunningStat)
    first_t_s: float | None = None
    last_t_s: float | None = None
    first_time_utc_s: float | None = None
    last_time_utc_s: float | None = None
    position: dict[str, Any] | None = None
    blocks: int = 0
    blocks_failed: int = 0
    parse_errors: int = 0
    ccch: dict[str, int] = field(default_factory=dict)
    changes: list[SiChange] = field(default_factory=list)
    # (lat_deg, lon_deg, rssi_dbfs, t_s) where the receiver had a fix, at most one per READING_EVERY_S:
    # what localisation fits (sensor/locate/fit.py)
    readings: list[tuple[float, float, float, float]] = field(default_factory=list)
    # FCCH bursts of the current reading: (t_s, offset_hz from the nominal carrier); when it began
    fcch: list[tuple[float, float]] = field(default_factory=list)
    reading_start_t_s: float | None = None
    frequency_readings: list[FrequencyReading] = field(default_factory=list)
    _window: list[tuple[FcchEstimate, dict[str, Any] | None]] = field(default_factory=list)
    reading_every_s: float = READING_EVERY_S  # doubles each time ``readings`` is thinned
    changes_seen: int = 0  # SI changes noticed, those not kept in ``changes`` too
    _frequency_stride: int = 1  # every how many-th frequency reading is kept (doubles with each thinning)
    _frequency_closed: int = 0

    def carrier(self) -> tuple[float, float] | None:
        """(freq_hz, freq_sd_hz) over the current reading's bursts, None when too few or no ARFCN table."""
        f_hz = self.downlink_hz
        est = carrier_mean(np.array([o for _, o in self.fcch]), systematic_hz=FCCH_SYSTEMATIC_HZ) if self.fcch else None
        return None if est is None or f_hz is None else (f_hz + est[0], est[1])

    def _close_window(self) -> None:
        window, self._window = self._window, []
        bursts = [e for e, _ in window]
        at_rest = all(_at_rest(p) for _, p in window)
        est = reading_carrier(
            np.array([e.offset_hz for e in bursts]),
            np.array([e.t_s for e in bursts]),
            np.array([np.nan if e.phase_rad is None else e.phase_rad for e in bursts]),
            np.array([np.nan if e.phase_std_rad is None else e.phase_std_rad for e in bursts]),
            np.array([e.phase_base_hz for e in bursts]),
            np.array(
                [-1 if e.stream_id is None or e.phase_rad is None or not at_rest else e.stream_id for e in bursts]
            ),
            systematic_hz=FCCH_SYSTEMATIC_HZ,
            coherent_systematic_hz=FCCH_COHERENT_SYSTEMATIC_HZ,
        )
        f_hz = self.downlink_hz
        if est is None or f_hz is None:
            return
        self._frequency_closed += 1
        if (self._frequency_closed - 1) % self._frequency_stride:
            return
        times = np.array([e.t_s for e, _ in window])
        at = est[4]  # where the reading's frequency applies (a coherent one's: its streams' mean time)
        mid = int(np.argmin(np.abs(times - at)))
        utc = window[mid][0].time_utc_s
        if len(self.frequency_readings) >= FREQUENCY_READINGS_KEEP:
            _thin(self.frequency_readings)
            self._frequency_stride *= 2
        self.frequency_readings.append(
            FrequencyReading(
                t_s=at,
                time_utc_s=None if utc is None else utc + float(at - times[mid]),
                freq_hz=f_hz + est[0],
                freq_sd_hz=est[1],
                n_bursts=est[2],
                position=window[mid][1],
                span_s=float(times.max() - times.min()),
                coherent=est[3] > 0,
            )
        )

    @property
    def key(self) -> str:
        """Stable key for the collector: ARFCN and BSIC (band-qualified where ARFCNs are ambiguous)."""
        return f"{self.band or ''}:{self.arfcn}:{'-' if self.bsic is None else self.bsic}"

    @property
    def downlink_hz(self) -> float | None:
        try:
            return float(arfcn_to_downlink_hz(self.arfcn, self.band))
        except ValueError:
            return None

    @property
    def identity(self) -> tuple[str | None, str | None, int | None, int | None]:
        """(MCC, MNC, LAC, CI) from SI3, else SI4's LAI (no CI), else unknown."""
        si3 = self.si.get("3")
        if si3 is not None:
            return si3.lai.mcc, si3.lai.mnc, si3.lai.lac, si3.cell_identity  # type: ignore[attr-defined]
        si4 = self.si.get("4")
        if si4 is not None:
            return si4.lai.mcc, si4.lai.mnc, si4.lai.lac, None  # type: ignore[attr-defined]
        return None, None, None, None

    @property
    def neighbours(self) -> list[int] | None:
        lists = [self.si[t].neighbours for t in NEIGHBOUR_TYPES if t in self.si]  # type: ignore[attr-defined]
        if "2" not in self.si:
            return None
        return sorted({a for lst in lists for a in lst})

    @property
    def cell_channels(self) -> list[int] | None:
        si1 = self.si.get("1")
        return None if si1 is None else sorted(si1.cell_channels)  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for t in PARAM_PRECEDENCE:
            if t in self.si:
                out.update(self.si[t].params())
        sacch_lists = [self.si[t].neighbours for t in SACCH_NEIGHBOUR_TYPES if t in self.si]  # type: ignore[union-attr]
        if sacch_lists:
            out[keys.SACCH_NEIGHBOURS] = sorted({a for lst in sacch_lists for a in lst})
        return out


class CellTracker:
    """Merges decoded blocks into ``CellObservation``s."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int | None], CellObservation] = {}
        self.parse_errors = 0

    def add_block(self, b: L2Block, position: dict[str, Any] | None = None) -> CellObservation:
        cell = self.cells.get((b.arfcn, b.bsic))
        if cell is None:
            cell = CellObservation(arfcn=b.arfcn, bsic=b.bsic, band=b.band)
            self.cells[(b.arfcn, b.bsic)] = cell
        cell.blocks += 1
        if not b.crc_ok:
            cell.blocks_failed += 1
            return cell
        cell.rssi_dbfs.add(b.rssi_dbfs)
        cell.snr_db.add(b.snr_db)
        cell.freq_offset_hz.add(b.freq_offset_hz)
        if cell.first_t_s is None:
            cell.first_t_s, cell.first_time_utc_s = b.t_s, b.time_utc_s
        cell.last_t_s, cell.last_time_utc_s = b.t_s, b.time_utc_s
        if position is not None:
            cell.position = position
            lat, lon = position.get("lat_deg"), position.get("lon_deg")
            if (
                lat is not None
                and lon is not None
                and b.rssi_dbfs is not None
                and b.t_s is not None
                and (not cell.readings or b.t_s - cell.readings[-1][3] >= cell.reading_every_s)
            ):
                if len(cell.readings) >= READINGS_KEEP:
                    _thin(cell.readings)
                    cell.reading_every_s *= 2
                cell.readings.append((float(lat), float(lon), float(b.rssi_dbfs), float(b.t_s)))
        # SI messages come on BCCH Norm, and on BCCH Ext, which is the first CCCH block (TS 45.002 §6.3.1.3).
        if b.channel == "BCCH" or (b.channel == "CCCH" and si_type_of(b.octets) is not None):
            self._add_si(cell, b, b.octets)
        elif b.channel == "CCCH" and (name := classify_ccch(b.octets)) is not None:
            cell.ccch[name] = cell.ccch.get(name, 0) + 1
        elif b.channel == "SACCH":  # only a followed dedicated channel's: its SI imported with the first
            from sensor.l3.si_sacch import sacch_si_type_of

            if sacch_si_type_of(frame := b.octets[SACCH_L1_HEADER_OCTETS:]) is not None:
                self._add_si(cell, b, frame, sacch=True)
        return cell

    def add_fcch(
        self, e: FcchEstimate, position: dict[str, Any] | None = None, *, reading_start_t_s: float | None = None
    ) -> CellObservation | None:
        """One FCCH burst's estimate of its carrier (``position``: the receiver's then), for a cell
        whose blocks were decoded (None: no such cell, nothing kept). A ``reading_start_t_s`` later
        than the cell's current reading's begins a new reading."""
        cell = self.cells.get((e.arfcn, e.bsic))
        if cell is None:
            return None
        if reading_start_t_s is not None and (
            cell.reading_start_t_s is None or reading_start_t_s > cell.reading_start_t_s
        ):
            cell.reading_start_t_s = reading_start_t_s
            cell.fcch.clear()
            if cell._window:
                cell._close_window()
        cell.fcch.append((e.t_s, e.offset_hz))
        if len(cell.fcch) > FCCH_KEEP:
            del cell.fcch[: len(cell.fcch) - FCCH_KEEP]
        if cell._window and e.t_s - cell._window[0][0].t_s >= FREQ_READING_S:
            cell._close_window()
        cell._window.append((e, position))
        return cell

    def finish_readings(self) -> None:
        """Close every cell's frequency reading in progress (at the end of a replay or a visit)."""
        for cell in self.cells.values():
            if cell._window:
                cell._close_window()

    def _add_si(self, cell: CellObservation, b: L2Block, frame: bytes, *, sacch: bool = False) -> None:
        """One SI message: ``frame`` is the BCCH block, or the SACCH block's frame after its L1 header."""
        if sacch:
            from sensor.l3.si_sacch import parse_sacch_si, sacch_si_type_of
        kind = sacch_si_type_of(frame) if sacch else si_type_of(frame)
        if kind is not None and cell.si_octets.get(kind.value) == frame:
            # The same octets as the message kept: parsing is a pure function of them, so nothing
            # would change (a cell repeats its SI all the time: 60 cells, 10 s: 2,547 parses, 0.8 s)
            return
        try:
            msg = parse_sacch_si(frame) if sacch else parse_si(frame, strict=False)
        except DecodeError as exc:
            cell.parse_errors += 1
            self.parse_errors += 1
            log.info("arfcn %d fn %d: unparsable %s SI %s: %s", b.arfcn, b.fn, b.channel, frame.hex(), exc)
            return
        t = msg.si_type.value
        old_octets = cell.si_octets.get(t)
        if old_octets is not None and old_octets != frame:
            old = cell.si[t]
            changed = sorted(k for k, v in msg.params().items() if old.params().get(k) != v)
            if t in IDENTITY_TYPES and (
                getattr(old, "lai", None) != getattr(msg, "lai", None)
                or getattr(old, "cell_identity", None) != getattr(msg, "cell_identity", None)
            ):
                changed.insert(0, "identity")
            if t in NEIGHBOUR_TYPES and old.neighbours != msg.neighbours:  # type: ignore[union-attr]
                changed.insert(0, "neighbours")
            cell.changes_seen += 1
            names = changed or ["octets"]
            if len(cell.changes) < CHANGES_KEEP or not {(t, n) for n in names} <= {
                (c.si_type, n) for c in cell.changes for n in c.changed
            }:
                cell.changes.append(SiChange(b.t_s, t, names))
            log.info("arfcn %d bsic %s: SI%s changed (%s)", cell.arfcn, cell.bsic, t, ", ".join(changed or ["octets"]))
        cell.si_octets[t] = frame
        cell.si[t] = msg


def _thin(items: list[Any]) -> None:
    """Every other item goes, the first kept: the same span at half the density."""
    del items[1::2]


def cell_object(cell: CellObservation, *, rssi_dbm: float | None = None) -> dict[str, Any]:
    """CONTRACT.md's ``cell`` object; the verdict fields start as normal and are set by the detector."""
    mcc, mnc, lac, ci = cell.identity
    f_hz = cell.downlink_hz
    off = cell.freq_offset_hz.value
    carrier = cell.carrier()
    return {
        "type": "cell",
        "schema": SCHEMA,
        "arfcn": cell.arfcn,
        "band": cell.band,
        "downlink_hz": f_hz,
        "bsic": cell.bsic,
        "mcc": mcc,
        "mnc": mnc,
        "lac": lac,
        "cell_id": ci,
        "neighbours": cell.neighbours,
        "cell_channels": cell.cell_channels,
        "si": {t: o.hex() for t, o in sorted(cell.si_octets.items(), key=lambda kv: _si_order(kv[0]))},
        "params": cell.params(),
        "rssi_dbfs": _r(cell.rssi_dbfs.value, 1),
        "rssi_dbm": _r(rssi_dbm, 1),
        "snr_db": _r(cell.snr_db.value, 1),
        "freq_offset_hz": _r(off, 1),
        "freq_offset_ppm": None if off is None or not f_hz else round(off / f_hz * 1e6, 3),
        "freq_hz": None if carrier is None else round(carrier[0], 2),
        "freq_sd_hz": None if carrier is None else round(carrier[1], 2),
        "first_t_s": _r(cell.first_t_s, 3),
        "last_t_s": _r(cell.last_t_s, 3),
        "position": cell.position,
        "verdict": "normal",
        "score": 0.0,
        "reasons": [],
    }


def _r(x: float | None, digits: int) -> float | None:
    return None if x is None else round(float(x), digits)


def _si_order(t: str) -> int:
    order = [s.value for s in SIType] + [s.value for s in SacchSIType]
    return order.index(t) if t in order else len(order)
