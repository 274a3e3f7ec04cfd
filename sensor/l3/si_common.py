"""What the System Information messages share (TS 44.018 §9.1.31-9.1.43): the base class (the
generic codec of :mod:`.codec` with ``as_dict``) and the parameter dictionaries of common IEs.

The messages are in ``si_lists`` (SI1, SI2, SI2bis, SI2ter, SI2quater: the frequency lists) and
``si_cell`` (SI3, SI4, SI7, SI8, SI13: identity, selection, GPRS); ``messages`` parses them.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

from . import keys
from .codec import Message
from .ie import CellSelectionParameters, RachControlParameters
from .ts44018 import SIType

# --------------------------------------------------------------------------- helpers


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


def _rach_params(r: RachControlParameters) -> dict[str, Any]:
    return {
        keys.MAX_RETRANS: r.max_retrans,
        keys.TX_INTEGER_SLOTS: r.tx_integer_slots,
        keys.CELL_BARRED: r.cell_bar_access,
        keys.CALL_REESTABLISHMENT_ALLOWED: not r.re,
        keys.EMERGENCY_CALLS_BARRED: r.emergency_calls_barred,
        keys.ACCESS_CLASSES_BARRED: list(r.access_classes_barred),
    }


def _selection_params(sel: Any, power_offset_db: int | None, gprs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {keys.SELECTION_PARAMETERS_PRESENT: sel is not None}
    out[keys.CBQ] = sel.cbq if sel else None
    out[keys.CRO_DB] = sel.cell_reselect_offset_db if sel else None
    out[keys.TEMPORARY_OFFSET_DB] = sel.temporary_offset_db if sel else None
    out[keys.TEMPORARY_OFFSET_INFINITE] = sel.temporary_offset_infinite if sel else None
    out[keys.PENALTY_TIME_S] = sel.penalty_time_s if sel else None
    out[keys.PENALTY_TIME_SUBTRACTS_CRO] = sel.penalty_time_subtracts_cro if sel else None
    out[keys.POWER_OFFSET_DB] = power_offset_db
    out[keys.GPRS] = gprs is not None
    out[keys.RA_COLOUR] = gprs.ra_colour if gprs else None
    out[keys.SI13_POSITION] = gprs.si13_position if gprs else None
    return out


class _Base(Message):
    __slots__ = ()
    si_type: ClassVar[SIType]

    def as_dict(self) -> dict[str, Any]:
        """Every field, nested, JSON-ready (enums as values, tuples as lists)."""
        out = _jsonable(self)
        out["si_type"] = self.si_type.value
        return out


def _cell_selection_params(csp: CellSelectionParameters) -> dict[str, Any]:
    return {
        keys.CELL_RESELECT_HYSTERESIS_DB: csp.cell_reselect_hysteresis_db,
        keys.MS_TXPWR_MAX_CCH: csp.ms_txpwr_max_cch,
        keys.ACS: csp.acs,
        keys.NECI: csp.neci,
        keys.RXLEV_ACCESS_MIN_DBM: csp.rxlev_access_min_dbm,
    }
