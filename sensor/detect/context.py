"""What a rule sees: the cell judged (``CellFacts``) and everything around it (``DetectContext``).

``CellFacts`` is built from CONTRACT.md's ``cell`` object (so the collector can judge what sensors
publish with the same rules) plus what only the sensor knows (CCCH message counts, SI changes).
The context holds the other cells heard now, which ARFCNs the receiver could have heard at all
(an RTL-SDR tuning covers ten channels: a neighbour outside them is unheard, not absent), the
time span observed, the area baseline, the operators' band plans, the receiver's calibration and
the current position. Unknown is ``None`` everywhere, and rules treat unknown as "cannot judge".
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sensor.cells import CellObservation
    from sensor.detect.baseline import Baseline


@dataclass(frozen=True, slots=True)
class CellFacts:
    arfcn: int
    bsic: int | None
    band: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    lac: int | None = None
    cell_id: int | None = None
    neighbours: tuple[int, ...] | None = None  # None: no SI2 received yet
    params: dict[str, Any] = field(default_factory=dict)
    si_types: frozenset[str] = frozenset()
    downlink_hz: float | None = None
    rssi_dbfs: float | None = None
    rssi_dbm: float | None = None
    rssi_spread_db: float | None = None
    snr_db: float | None = None
    freq_offset_hz: float | None = None
    first_t_s: float | None = None
    last_t_s: float | None = None
    position: dict[str, Any] | None = None
    ccch: dict[str, int] = field(default_factory=dict)
    changes: tuple[tuple[float | None, str, tuple[str, ...]], ...] = ()
    blocks: int = 0
    readings: tuple[tuple[float, float, float, float], ...] = ()  # (lat, lon, rssi_dbfs, t_s) over time
    # what the cell did on its dedicated channels (CONTRACT.md cell.activity); None: none seen
    activity: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return f"{self.band or ''}:{self.arfcn}:{'-' if self.bsic is None else self.bsic}"

    @property
    def operator(self) -> tuple[str, str] | None:
        return None if self.mcc is None or self.mnc is None else (self.mcc, self.mnc)

    @property
    def identity(self) -> tuple[str, str, int, int] | None:
        if self.mcc is None or self.mnc is None or self.lac is None or self.cell_id is None:
            return None
        return self.mcc, self.mnc, self.lac, self.cell_id

    @property
    def offset_ppm(self) -> float | None:
        """Measured carrier offset in ppm of the carrier: the receiver's error plus the cell's own."""
        if self.freq_offset_hz is None or not self.downlink_hz:
            return None
        return self.freq_offset_hz / self.downlink_hz * 1e6

    @property
    def label(self) -> str:
        return f"ARFCN {self.arfcn}" + ("" if self.bsic is None else f" BSIC {self.bsic}")

    @classmethod
    def from_cell_object(
        cls,
        obj: dict[str, Any],
        *,
        ccch: dict[str, int] | None = None,
        changes: tuple[tuple[float | None, str, tuple[str, ...]], ...] = (),
        rssi_spread_db: float | None = None,
        blocks: int = 0,
        readings: tuple[tuple[float, float, float, float], ...] = (),
    ) -> CellFacts:
        nb = obj.get("neighbours")
        return cls(
            arfcn=obj["arfcn"],
            bsic=obj.get("bsic"),
            band=obj.get("band"),
            mcc=obj.get("mcc"),
            mnc=obj.get("mnc"),
            lac=obj.get("lac"),
            cell_id=obj.get("cell_id"),
            neighbours=None if nb is None else tuple(nb),
            params=dict(obj.get("params") or {}),
            si_types=frozenset(obj.get("si") or {}),
            downlink_hz=obj.get("downlink_hz"),
            rssi_dbfs=obj.get("rssi_dbfs"),
            rssi_dbm=obj.get("rssi_dbm"),
            rssi_spread_db=rssi_spread_db,
            snr_db=obj.get("snr_db"),
            freq_offset_hz=obj.get("freq_offset_hz"),
            first_t_s=obj.get("first_t_s"),
            last_t_s=obj.get("last_t_s"),
            position=obj.get("position"),
            activity=obj.get("activity"),
            ccch=dict(ccch or {}),
            changes=changes,
            blocks=blocks,
            readings=readings,
        )

    @classmethod
    def from_observation(cls, cell: CellObservation, obj: dict[str, Any] | None = None) -> CellFacts:
        """Facts of an observation; ``obj`` is its cell object when the caller has made it already."""
        from sensor.cells import cell_object

        changes = tuple((c.t_s, c.si_type, tuple(c.changed)) for c in cell.changes)
        return cls.from_cell_object(
            obj or cell_object(cell),
            ccch=cell.ccch,
            changes=changes,
            rssi_spread_db=cell.rssi_dbfs.std,
            blocks=cell.blocks - cell.blocks_failed,
            readings=tuple(cell.readings),
        )


@dataclass(slots=True)
class DetectContext:
    cells: list[CellFacts]
    baseline: Baseline | None = None
    allocations: Any | None = None  # sensor.gsm.allocations.Allocations: .allowed(mcc, mnc, arfcn, band)
    receiver_ppm: float | None = None  # the receiver's own clock error, when calibrated or estimated
    # When each ARFCN was inside a tuning the receiver listened on: (start, end) seconds, the same
    # clock as the cells' first_t_s/last_t_s. None: unknown (rules needing it do not judge).
    observed: dict[int, tuple[tuple[float, float], ...]] | None = None
    # Cells a scanner found on a tuning where its previous visit (this many seconds earlier) did not.
    appeared: dict[str, float] = field(default_factory=dict)
    position: dict[str, Any] | None = None

    def where(self, cell: CellFacts) -> dict[str, Any] | None:
        """Where the cell was heard: its own last position, else the sensor's current one."""
        return cell.position if cell.position is not None else self.position

    def others(self, cell: CellFacts) -> list[CellFacts]:
        return [c for c in self.cells if c.key != cell.key]

    def same_operator(self, cell: CellFacts) -> list[CellFacts]:
        op = cell.operator
        return [] if op is None else [c for c in self.others(cell) if c.operator == op]

    @property
    def heard_arfcns(self) -> frozenset[int]:
        return frozenset(c.arfcn for c in self.cells)

    def could_hear(self, arfcn: int) -> bool | None:
        return None if self.observed is None else arfcn in self.observed

    def span_at(self, arfcn: int, t_s: float) -> tuple[float, float] | None:
        """The stretch of listening to ``arfcn`` that contains ``t_s`` (None: unknown or not listening)."""
        for t0, t1 in (self.observed or {}).get(arfcn, ()):
            if t0 - 0.5 <= t_s <= t1 + 0.5:  # blocks are stamped at their first burst, within a window
                return t0, t1
        return None

    def operator_median(self, cell: CellFacts, param: str) -> float | None:
        """The median of a numeric parameter over the same operator's other cells heard, or None."""
        vals = [
            c.params[param]
            for c in self.same_operator(cell)
            if isinstance(c.params.get(param), (int, float)) and not isinstance(c.params.get(param), bool)
        ]
        return None if not vals else float(statistics.median(vals))
