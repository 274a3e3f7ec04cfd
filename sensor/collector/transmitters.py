"""Transmitters from readings: one record per transmitter (cell identity + ARFCN + BSIC, so a cloned
identity on another carrier stays apart), its readings from every sensor, its verdict as the
sensors saw it, and where it is (``sensor/locate/fit.py``) from the readings' positions and power, with the
receiver-side shadowing the real cells heard alongside reveal taken off (``sensor/locate/reference.py``).

Power: calibrated dBm where every reading of the transmitter has it, else dBFS (the fit's unknown
transmit term absorbs the receiver's offset; one sensor's gain must then not change between them,
which the scanner's per-tuning gain memory makes likely but not certain).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sensor.collector.store import Identified, Reading
from sensor.locate.estimate import Estimate, Refusal
from sensor.locate.fit import locate
from sensor.locate.model import LocateConfig
from sensor.locate.observations import Reading as PowerReading
from sensor.locate.reference import locate_among

VERDICT_RANK = {"normal": 0, "suspicious": 1, "fake": 2}


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
        first (``sensor/locate/reference.py``)."""
        refs = reference_readings(among, self)
        return (
            locate_among(power_readings(self.readings), refs, config)
            if refs
            else locate(power_readings(self.readings), config)
        )


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


def transmitters(readings: Iterable[Reading]) -> list[Transmitter]:
    by_key: dict[tuple[Any, ...], Transmitter] = {}
    for r in readings:
        key = r.key
        t = by_key.get(key)
        if t is None:
            t = by_key[key] = Transmitter(r.arfcn, r.bsic, r.mcc, r.mnc, r.lac, r.cell_id)
        t.readings.append(r)
    return sorted(by_key.values(), key=lambda t: table_order(t.verdict, t.arfcn, t.bsic))


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
