"""Transmitters from readings: one record per transmitter (cell identity + ARFCN + BSIC, so a cloned
identity on another carrier stays apart), its readings from every sensor, its verdict as the
sensors saw it, and where it is (``sensor/locate/fit.py``) from the readings' positions and power, with the
receiver-side shadowing the real cells heard alongside reveal taken off (``sensor/locate/reference.py``).

Power: calibrated dBm where every reading of the transmitter has it, else dBFS (the fit's unknown
transmit term absorbs the receiver's offset; one sensor's gain must then not change between them,
which the scanner's per-tuning gain memory makes likely but not certain).

One record per transmitter even across its identity's decoding: a sensor may publish a cell heard
before its SI3 was decoded ("460-01 LAC 9507 CI ?"); such a partial identity is merged
(:func:`merge_map`) into the one complete identity with the same ARFCN, BSIC and operator (and
every other field it knows) that the same sensor heard within ``MERGE_WINDOW_S`` of it; with
none, or with several (a cloned identity: which one is unknown), it stays apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np

from sensor.collector.rows import Identified, Reading, TransmitterKey, TransmitterSummary
from sensor.locate.doppler import JointConfig
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.joint import has_bearing_information, locate_joint
from sensor.locate.model import LocateConfig
from sensor.locate.observations import Reading as PowerReading
from sensor.locate.reference import locate_among
from sensor.locate.visits import VisitReading, joint_inputs
from sensor.locate.visits import power_readings as visit_power

VERDICT_RANK = {"normal": 0, "suspicious": 1, "fake": 2}
MERGE_WINDOW_S = 300.0  # a partial identity and its completion heard by one sensor this close: one transmitter


def gravest(verdicts: Iterable[str]) -> str:
    """The gravest of some verdicts ("normal" when there are none)."""
    return max(verdicts, key=lambda v: VERDICT_RANK.get(v, 0), default="normal")


def gravest_reading(readings: Sequence[Reading]) -> Reading:
    """The latest of the readings with the gravest verdict (the first of equals)."""
    return max(readings, key=lambda r: (VERDICT_RANK.get(r.verdict or "normal", 0), r.time_utc))


def table_order(verdict: str, arfcn: int, bsic: int | None) -> tuple[int, int, int]:
    """How transmitters are listed: gravest verdict first, then by ARFCN and BSIC."""
    return -VERDICT_RANK.get(verdict, 0), arfcn, bsic or -1


@dataclass(slots=True)
class Transmitter(Identified):
    arfcn: int
    bsic: int | None
    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    readings: list[Reading] = field(default_factory=list)

    @property
    def verdicts(self) -> Counter[str]:
        return Counter(r.verdict or "normal" for r in self.readings)

    @property
    def verdict(self) -> str:
        """The gravest verdict any sensor gave (a cell flagged by one and normal for others shows both
        in ``verdicts``)."""
        return gravest(self.verdicts)

    @property
    def latest(self) -> Reading:
        return self.readings[-1]

    @property
    def sensors(self) -> set[str]:
        return {r.sensor for r in self.readings}

    def reasons(self) -> list[dict[str, Any]]:
        """The reasons of the gravest, latest reading."""
        return list(gravest_reading(self.readings).body.get("reasons") or [])

    def locate(self, config: LocateConfig | None = None, among: Sequence[Transmitter] = ()) -> Estimate | Refusal:
        """Where it is from its readings; with ``among`` (the other transmitters the same sensors
        heard), the receiver-side shadowing that the real cells among them reveal is taken off
        first (``sensor/locate/reference.py``). When its readings carry the carrier measured while
        moving (schema migration 4), power and Doppler together (``sensor/locate/joint.py``), the
        receivers' drift from the real cells among them, the visits that searched its ARFCN without
        hearing it as censored readings (:func:`joint_missed`); a parked sensor's readings as before."""
        rows, references, missed = joint_inputs_of(among, self)
        cfg = JointConfig(power=config or LocateConfig())
        if has_bearing_information(rows, cfg):
            return locate_joint(rows, references, missed, cfg)
        own = visit_power(visit_readings(self.readings, _unit(self.readings)))
        refs = reference_readings(among, self)
        return locate_among(own, refs, config) if refs else locate(own, config)


def time_s(time_utc: str) -> float:
    """A stored ISO-8601 UTC time as POSIX seconds."""
    return datetime.fromisoformat(time_utc.replace("Z", "+00:00")).timestamp()


def power_readings(readings: Iterable[Reading]) -> list[PowerReading]:
    rs = [r for r in readings if r.lat_deg is not None and r.lon_deg is not None]
    use_dbm = bool(rs) and all(r.rssi_dbm is not None for r in rs)
    out = []
    for r in rs:
        p = r.rssi_dbm if use_dbm else r.rssi_dbfs
        if p is not None:
            out.append(PowerReading(r.lat_deg, r.lon_deg, float(p), time_s(r.time_utc)))  # type: ignore[arg-type]
    return out


@dataclass(frozen=True, slots=True)
class Heard:
    """What :func:`merge_map` needs of a transmitter record: its key, who heard it, and when."""

    key: TransmitterKey
    sensors: frozenset[str]
    first_utc: str
    last_utc: str


def completes(partial: TransmitterKey, full: TransmitterKey) -> bool:
    """Whether ``full`` is ``partial`` with more of its identity known: the same ARFCN and BSIC, the
    operator (MCC, MNC) known in both and equal, every other field ``partial`` knows equal, and at
    least one it does not know known (``IDENTITY_COLUMNS`` order: mcc, mnc, lac, cell_id, arfcn, bsic)."""
    if partial[4:] != full[4:] or partial[5] is None or None in (partial[0], partial[1]):
        return False
    if any(p is not None and p != f for p, f in zip(partial[:4], full[:4], strict=True)):
        return False
    return any(p is None and f is not None for p, f in zip(partial[:4], full[:4], strict=True))


def merge_map(heard: Iterable[Heard], window_s: float = MERGE_WINDOW_S) -> dict[TransmitterKey, TransmitterKey]:
    """Partial identity → the complete one it is (see the module docstring): the only record that
    :func:`completes` it, shares a sensor with it, and was heard within ``window_s`` of it. Records
    with a complete identity (LAC and cell id known) map to nothing."""
    records = list(heard)
    by_carrier: dict[tuple[Any, ...], list[Heard]] = {}
    for h in records:
        by_carrier.setdefault(h.key[4:], []).append(h)
    out: dict[TransmitterKey, TransmitterKey] = {}
    for h in records:
        if h.key[2] is not None and h.key[3] is not None:
            continue
        first, last = time_s(h.first_utc), time_s(h.last_utc)
        found = {
            o.key
            for o in by_carrier[h.key[4:]]
            if o.key[2] is not None
            and o.key[3] is not None
            and completes(h.key, o.key)
            and h.sensors & o.sensors
            and first <= time_s(o.last_utc) + window_s
            and last >= time_s(o.first_utc) - window_s
        }
        if len(found) == 1:
            out[h.key] = found.pop()
    return out


def merge_summaries(summaries: Iterable[TransmitterSummary]) -> list[TransmitterSummary]:
    """The summaries with each partial identity's merged into its completion (:func:`merge_map`):
    counts and verdicts added, sensors joined, first/last widened, the reasons of the last received."""
    every = list(summaries)
    into = merge_map(Heard(s.key, frozenset(s.sensors), s.first_utc, s.last_utc) for s in every)
    if not into:
        return every
    by_key: dict[TransmitterKey, TransmitterSummary] = {s.key: s for s in every if s.key not in into}
    for s in every:
        target = into.get(s.key)
        if target is None:
            continue
        t = by_key[target]
        verdicts = dict(t.verdicts)
        for v, n in s.verdicts.items():
            verdicts[v] = verdicts.get(v, 0) + n
        newest = s if s.last_pos > t.last_pos else t
        by_key[target] = replace(
            t,
            n_readings=t.n_readings + s.n_readings,
            first_utc=min(t.first_utc, s.first_utc),
            last_utc=max(t.last_utc, s.last_utc),
            verdicts={v: verdicts[v] for v in ("normal", "suspicious", "fake") if verdicts.get(v)},
            sensors=sorted(set(t.sensors) | set(s.sensors)),
            latest_reasons=newest.latest_reasons,
            last_pos=newest.last_pos,
        )
    return list(by_key.values())


def transmitters(readings: Iterable[Reading]) -> list[Transmitter]:
    """One record per transmitter, its readings in the order given; partial identities merged into
    their completion (:func:`merge_map`)."""
    by_key: dict[tuple[Any, ...], Transmitter] = {}
    for r in readings:
        key = r.key
        t = by_key.get(key)
        if t is None:
            t = by_key[key] = Transmitter(r.arfcn, r.bsic, r.mcc, r.mnc, r.lac, r.cell_id)
        t.readings.append(r)
    if all(k[2] is not None and k[3] is not None for k in by_key):
        return sorted(by_key.values(), key=lambda t: table_order(t.verdict, t.arfcn, t.bsic))
    into = merge_map(
        Heard(k, frozenset(t.sensors), min(r.time_utc for r in t.readings), max(r.time_utc for r in t.readings))
        for k, t in by_key.items()
    )
    for partial, full in into.items():
        t = by_key[full]
        t.readings = sorted(t.readings + by_key.pop(partial).readings, key=lambda r: r.time_utc)
    return sorted(by_key.values(), key=lambda t: table_order(t.verdict, t.arfcn, t.bsic))


def _unit(readings: Iterable[Reading]) -> bool:
    """Whether a transmitter's power is in dBm: every positioned reading of it has it."""
    rs = [r for r in readings if r.lat_deg is not None and r.lon_deg is not None]
    return bool(rs) and all(r.rssi_dbm is not None for r in rs)


def _num(v: float | None) -> float:
    return float("nan") if v is None else float(v)


# What a localisation reads of a reading's body (the rest is in its columns): the ARFCNs its
# visit searched (the daemon's extension), for the readings where a suspect was not heard.
LOCATE_BODY_KEYS = ("searched_arfcns",)


def visit_readings(readings: Iterable[Reading], use_dbm: bool) -> list[VisitReading]:
    """Positioned readings as ``sensor/locate/visits.py``'s visit readings (power in dBm or dBFS,
    NaN without): what the daemon published from its visit, the sensor as the receiver."""
    out = []
    for r in readings:
        p = _num(r.rssi_dbm if use_dbm else r.rssi_dbfs)
        if r.lat_deg is None or r.lon_deg is None:
            continue
        searched = tuple(int(a) for a in (r.body.get("searched_arfcns") or ()))
        signal = (_num(r.freq_hz), _num(r.freq_sd_hz), _num(r.speed_m_s), _num(r.heading_deg))
        out.append(VisitReading(r.lat_deg, r.lon_deg, p, time_s(r.time_utc), *signal, r.sensor, searched))
    return out


def _others(among: Iterable[Transmitter], target: Transmitter) -> list[Transmitter]:
    """The transmitters of ``among`` other than ``target``."""
    return [t for t in among if t is not target and t.key != target.key]


def joint_inputs_of(among: Iterable[Transmitter], target: Transmitter) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``locate_joint``'s (rows, reference rows, censored rows) of ``target`` (``visits.joint_inputs``):
    its readings (power in dBm where every one has it, else dBFS, as :func:`power_readings`); the
    carrier readings of the real cells in ``among`` (normal for every sensor, not ``target``) by
    ``target``'s sensors, each cell's place in ``among`` as its id; and the visits of its sensors that
    searched its ARFCN (another transmitter's observation from that visit lists it in
    ``searched_arfcns``: the daemon's extension) and published no reading of it."""
    use_dbm = _unit(target.readings)
    own = visit_readings(target.readings, use_dbm)
    cells = [
        visit_readings(t.readings, False) if t is not target and t.key != target.key and t.verdict == "normal" else []
        for t in among
    ]
    others = visit_readings([r for t in _others(among, target) for r in t.readings], use_dbm)
    return joint_inputs(target.arfcn, own, cells, others)


def joint_rows(readings: Sequence[Reading]) -> np.ndarray:
    """The readings alone as ``locate_joint`` rows (:func:`joint_inputs_of`'s first, no other cell)."""
    own = visit_readings(readings, _unit(readings))
    return joint_inputs(readings[0].arfcn if readings else 0, own, [], own)[0]


def joint_references(among: Iterable[Transmitter], target: Transmitter) -> np.ndarray:
    """:func:`joint_inputs_of`'s reference rows."""
    return joint_inputs_of(among, target)[1]


def joint_missed(among: Iterable[Transmitter], target: Transmitter) -> np.ndarray:
    """:func:`joint_inputs_of`'s censored rows."""
    return joint_inputs_of(among, target)[2]


def reference_readings(among: Iterable[Transmitter], target: Transmitter | None = None) -> list[list[PowerReading]]:
    """The power readings of the real cells in ``among``: transmitters every sensor judged normal
    (a suspicious one may be the fake's second carrier, whose shadowing is the fake's own), other than
    ``target``, with at least one positioned reading."""
    out = []
    for t in among:
        if t is target or t.key == (target.key if target is not None else None) or t.verdict != "normal":
            continue
        rs = power_readings(t.readings)
        if rs:
            out.append(rs)
    return out
