"""Transmitters from readings: one record per transmitter (cell identity + ARFCN + BSIC, so a cloned
identity on another carrier stays apart), its readings from every sensor, its verdict as the
sensors saw it, and where it is (``sensor/geo/locate.py``) from the readings' positions and power, with the
receiver-side shadowing the real cells heard alongside reveal taken off (``sensor/geo/reference.py``).

Power: calibrated dBm where every reading of the transmitter has it, else dBFS (the fit's unknown
transmit term absorbs the receiver's offset; one sensor's gain must then not change between them,
which the scanner's per-tuning gain memory makes likely but not certain).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sensor.collector.store import Reading, Store
from sensor.geo.locate import Estimate, LocateConfig, Refusal
from sensor.geo.locate import Reading as PowerReading
from sensor.geo.locate import locate
from sensor.geo.reference import locate_among
from sensor.publish.envelope import utc_now_iso

VERDICT_RANK = {"normal": 0, "suspicious": 1, "fake": 2}


def gravest(verdicts: Iterable[str]) -> str:
    """The gravest of some verdicts ("normal" when there are none)."""
    return max(verdicts, key=lambda v: VERDICT_RANK.get(v, 0), default="normal")


@dataclass(slots=True)
class Transmitter:
    arfcn: int
    bsic: int | None
    mcc: str | None
    mnc: str | None
    lac: int | None
    cell_id: int | None
    readings: list[Reading] = field(default_factory=list)

    @property
    def key(self) -> tuple[Any, ...]:
        return self.mcc, self.mnc, self.lac, self.cell_id, self.arfcn, self.bsic

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
        worst = max(self.readings, key=lambda r: (VERDICT_RANK.get(r.verdict or "normal", 0), r.time_utc))
        return list(worst.body.get("reasons") or [])

    def locate(self, config: LocateConfig | None = None, among: Sequence[Transmitter] = ()) -> Estimate | Refusal:
        """Where it is from its readings; with ``among`` (the other transmitters the same sensors
        heard), the receiver-side shadowing that the real cells among them reveal is taken off
        first (``sensor/geo/reference.py``)."""
        refs = reference_readings(among, self)
        return locate_among(power_readings(self.readings), refs, config) if refs else locate(power_readings(self.readings), config)


def _t(time_utc: str) -> float:
    return datetime.fromisoformat(time_utc.replace("Z", "+00:00")).timestamp()


def power_readings(readings: Iterable[Reading]) -> list[PowerReading]:
    rs = [r for r in readings if r.lat_deg is not None and r.lon_deg is not None]
    use_dbm = bool(rs) and all(r.rssi_dbm is not None for r in rs)
    out = []
    for r in rs:
        p = r.rssi_dbm if use_dbm else r.rssi_dbfs
        if p is not None:
            out.append(PowerReading(r.lat_deg, r.lon_deg, float(p), _t(r.time_utc)))  # type: ignore[arg-type]
    return out


def transmitters(readings: Iterable[Reading]) -> list[Transmitter]:
    by_key: dict[tuple[Any, ...], Transmitter] = {}
    for r in readings:
        key = r.key
        t = by_key.get(key)
        if t is None:
            t = by_key[key] = Transmitter(r.arfcn, r.bsic, r.mcc, r.mnc, r.lac, r.cell_id)
        t.readings.append(r)
    return sorted(by_key.values(), key=lambda t: (-VERDICT_RANK.get(t.verdict, 0), t.arfcn, t.bsic or -1))


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


def heard_alongside(store: Store, chosen: Sequence[Transmitter], margin_s: float = 12.0, margin_deg: float = 0.0005
                    ) -> list[Transmitter]:
    """The transmitters the sensors that heard ``chosen`` also heard then and there: each sensor's
    readings within ``margin_s`` of one of its positioned readings of ``chosen`` (the same scan
    cycles; overlapping windows merged, one indexed query each, a second wider for times stored
    without fractions) and inside the box of those readings
    widened by ``margin_deg`` (~50 m), bodies not decoded: the ``among`` of
    :meth:`Transmitter.locate`. Work grows with those readings, not with the store."""
    points: dict[tuple[int, str], list[tuple[float, float, float]]] = defaultdict(list)
    for k, t in enumerate(chosen):  # windows per transmitter: two suspects far apart make no box between them
        for r in t.readings:
            if r.lat_deg is not None and r.lon_deg is not None:
                points[k, r.sensor].append((_t(r.time_utc), r.lat_deg, r.lon_deg))
    out: dict[str, Reading] = {}
    for (_, sensor), pts in points.items():
        for start, end, box in _windows(sorted(pts), margin_s, margin_deg):
            for r in store.readings(sensor=sensor, since_utc=utc_now_iso(start - 1.0), until_utc=utc_now_iso(end + 1.0),
                                    within=box,
                                    with_body=False):  # fmt: skip
                out.setdefault(r.message_id, r)
    return transmitters(sorted(out.values(), key=lambda r: r.time_utc))


def _windows(points: list[tuple[float, float, float]], margin_s: float, margin_deg: float
             ) -> list[tuple[float, float, tuple[float, float, float, float]]]:
    """(start, end, lat/lon box) of [t − margin, t + margin] around time-sorted (t, lat, lon),
    overlapping windows merged, each box that of its points widened by ``margin_deg``."""
    out: list[tuple[float, float, tuple[float, float, float, float]]] = []
    for t, lat, lon in points:
        if out and t - margin_s <= out[-1][1]:
            _, _, (a, b, c, d) = out[-1]
            out[-1] = (out[-1][0], t + margin_s, (min(a, lat - margin_deg), min(b, lon - margin_deg),
                                                 max(c, lat + margin_deg), max(d, lon + margin_deg)))  # fmt: skip
        else:
            out.append((t - margin_s, t + margin_s, (lat - margin_deg, lon - margin_deg, lat + margin_deg, lon + margin_deg)))
    return out
