"""What the System Information messages share (TS 44.018 §9.1.31-9.1.43): SI types and message
types, L2 pseudo lengths, header and padding, the parameter dictionaries of common IEs, the base class.

The messages are in ``si_lists`` (SI1, SI2, SI2bis, SI2ter, SI2quater: the frequency lists) and
``si_cell`` (SI3, SI4, SI7, SI8, SI13: identity, selection, GPRS); ``messages`` parses them.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, ClassVar

from .errors import L3EncodeError, L3ParseError
from .ie import CellSelectionParameters, RachControlParameters

L2_FRAME_LENGTH = 23  # TS 44.006: N201 for BCCH/CCCH frames
PD_RR = 0x06  # TS 24.007 §11.2.3.1.1: radio resources management messages
PADDING = 0x2B


class SIType(str, enum.Enum):
    """System Information types, named as CONTRACT.md keys them in ``cell.si``."""

    SI1 = "1"
    SI2 = "2"
    SI2BIS = "2bis"
    SI2TER = "2ter"
    SI2QUATER = "2quater"
    SI3 = "3"
    SI4 = "4"
    SI7 = "7"
    SI8 = "8"
    SI13 = "13"


# TS 44.018 §10.4 Table 10.4.1: message type octet of each SI type we parse
MESSAGE_TYPE: dict[SIType, int] = {
    SIType.SI1: 0x19,
    SIType.SI2: 0x1A,
    SIType.SI2BIS: 0x02,
    SIType.SI2TER: 0x03,
    SIType.SI2QUATER: 0x07,
    SIType.SI3: 0x1B,
    SIType.SI4: 0x1C,
    SIType.SI7: 0x1F,
    SIType.SI8: 0x18,
    SIType.SI13: 0x00,
}
SI_TYPE_OF_MESSAGE_TYPE: dict[int, SIType] = {v: k for k, v in MESSAGE_TYPE.items()}

# TS 44.018 §9.1.31-§9.1.43a: the L2 pseudo length each message is sent with (SI4: without CBCH IEs)
L2_PSEUDO_LENGTH: dict[SIType, int] = {
    SIType.SI1: 21,  # §9.1.31
    SIType.SI2: 22,  # §9.1.32
    SIType.SI2BIS: 21,  # §9.1.33
    SIType.SI2TER: 18,  # §9.1.34 (networks also send other values, e.g. 0; receivers accept any)
    SIType.SI2QUATER: 1,  # §9.1.34a
    SIType.SI3: 18,  # §9.1.35
    SIType.SI4: 12,  # §9.1.36 (+ 4 with CBCH Channel Description, + 2 + n with CBCH Mobile Allocation)
    SIType.SI7: 1,  # §9.1.41
    SIType.SI8: 1,  # §9.1.42
    SIType.SI13: 0,  # §9.1.43a
}

IEI_CBCH_CHANNEL_DESCRIPTION = 0x64  # TS 44.018 Table 9.1.36.1
IEI_CBCH_MOBILE_ALLOCATION = 0x72


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


def _header(si_type: SIType, pseudo_length: int) -> bytes:
    if not 0 <= pseudo_length <= 22:
        raise L3EncodeError(f"L2 pseudo length must be 0..22, got {pseudo_length}")
    return bytes([(pseudo_length << 2) | 0x01, PD_RR, MESSAGE_TYPE[si_type]])


def _finish(body: bytes) -> bytes:
    if len(body) > L2_FRAME_LENGTH:
        raise L3EncodeError(f"message of {len(body)} octets exceeds {L2_FRAME_LENGTH}")
    return body + bytes([PADDING]) * (L2_FRAME_LENGTH - len(body))


def _rach_params(r: RachControlParameters) -> dict[str, Any]:
    return {
        "max_retrans": r.max_retrans,
        "tx_integer_slots": r.tx_integer_slots,
        "cell_barred": r.cell_bar_access,
        "call_reestablishment_allowed": not r.re,
        "emergency_calls_barred": r.emergency_calls_barred,
        "access_classes_barred": list(r.access_classes_barred),
    }


def _selection_params(sel: Any, power_offset_db: int | None, gprs: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"selection_parameters_present": sel is not None}
    out["cbq"] = sel.cbq if sel else None
    out["cro_db"] = sel.cell_reselect_offset_db if sel else None
    out["temporary_offset_db"] = sel.temporary_offset_db if sel else None
    out["temporary_offset_infinite"] = sel.temporary_offset_infinite if sel else None
    out["penalty_time_s"] = sel.penalty_time_s if sel else None
    out["penalty_time_subtracts_cro"] = sel.penalty_time_subtracts_cro if sel else None
    out["power_offset_db"] = power_offset_db
    out["gprs"] = gprs is not None
    out["ra_colour"] = gprs.ra_colour if gprs else None
    out["si13_position"] = gprs.si13_position if gprs else None
    return out


class _Base:
    __slots__ = ()
    si_type: ClassVar[SIType]

    def as_dict(self) -> dict[str, Any]:
        """Every field, nested, JSON-ready (enums as values, tuples as lists)."""
        out = _jsonable(self)
        out["si_type"] = self.si_type.value
        return out


def _parse_rest(parse: Any, data: bytes, strict: bool) -> tuple[Any, str | None]:
    try:
        return parse(data), None
    except L3ParseError as exc:
        if strict:
            raise
        return None, str(exc)


def _cell_selection_params(csp: CellSelectionParameters) -> dict[str, Any]:
    return {
        "cell_reselect_hysteresis_db": csp.cell_reselect_hysteresis_db,
        "ms_txpwr_max_cch": csp.ms_txpwr_max_cch,
        "acs": csp.acs,
        "neci": csp.neci,
        "rxlev_access_min_dbm": csp.rxlev_access_min_dbm,
    }
