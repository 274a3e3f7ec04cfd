"""BCCH System Information messages (TS 44.018 §9.1.31-9.1.43): typed objects, parser, encoders.

An L2 frame on the BCCH is 23 octets (TS 44.006 §8.1.4 / TS 44.018 §9.1.31): the L2 pseudo
length octet (§10.5.2.19: value << 2 | 0b01, the number of octets that follow it excluding the
rest octets), the RR protocol discriminator 0x06 with skip indicator 0 (§10.2, §10.3.1), the
message type (§10.4) and the information elements, padded to 23 octets with 0x2B.

:func:`parse_si` turns 23 octets into one of the ``SystemInformation*`` classes, raising only
:class:`L3ParseError` (subclass of :class:`sensor.errors.DecodeError`) for anything it cannot
parse. Each class encodes itself back with ``to_l2()``; ``params()`` gives the flat, JSON-ready
dictionary of CONTRACT.md's ``cell.params``; ``as_dict()`` the full nested form.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any, ClassVar, Union

from .errors import L3EncodeError, L3ParseError, NotSystemInformation, TruncatedMessage
from .freqlist import FrequencyList, ListIE, decode_frequency_list, encode_frequency_list
from .ie import (
    CellOptionsBcch,
    CellSelectionParameters,
    ChannelDescription,
    ControlChannelDescription,
    LocationAreaIdentification,
    RachControlParameters,
    cell_identity_from_bytes,
    cell_identity_to_bytes,
    ncc_permitted_from_byte,
    ncc_permitted_to_byte,
)
from .rest_octets import SI1RestOctets, SI2terRestOctets, SI3RestOctets, SI4RestOctets, SI13RestOctets
from .si2quater import SI2quaterRestOctets

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


# --------------------------------------------------------------------------- SI1 §9.1.31


@dataclass(frozen=True, slots=True)
class SystemInformation1(_Base):
    si_type: ClassVar[SIType] = SIType.SI1
    cell_channel_description: FrequencyList
    rach_control: RachControlParameters
    rest_octets: SI1RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI1]
    rest_octets_error: str | None = None

    @property
    def cell_channels(self) -> tuple[int, ...]:
        return self.cell_channel_description.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        ro = self.rest_octets
        out["band_indicator"] = None if ro is None else ("PCS1900" if ro.band_indicator_1900 else "DCS1800")
        out["nch_position"] = None if ro is None else ro.nch_position
        return out

    def to_l2(self) -> bytes:
        ccd = self.cell_channel_description
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ccd.arfcns, ListIE.CELL_CHANNEL, ccd.format)
            + self.rach_control.to_bytes()
            + (self.rest_octets or SI1RestOctets()).to_bytes(1)
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation1:
        ro, err = _parse_rest(SI1RestOctets.parse, f[22:23], strict)
        return cls(
            decode_frequency_list(f[3:19], ListIE.CELL_CHANNEL), RachControlParameters.from_bytes(f[19:22]), ro, plen, err
        )


# --------------------------------------------------------------------------- SI2 §9.1.32, SI2bis §9.1.33, SI2ter §9.1.34


@dataclass(frozen=True, slots=True)
class SystemInformation2(_Base):
    si_type: ClassVar[SIType] = SIType.SI2
    bcch_frequency_list: FrequencyList  # Neighbour Cell Description (BA list)
    ncc_permitted: tuple[int, ...]
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out["ncc_permitted"] = list(self.ncc_permitted)
        out["ba_ind"] = self.bcch_frequency_list.ba_ind
        out["ext_ind"] = self.bcch_frequency_list.ext_ind
        return out

    def to_l2(self) -> bytes:
        ncd = self.bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ncd.arfcns, ListIE.NEIGHBOUR, ncd.format, ba_ind=ncd.ba_ind or 0, ext_ind=bool(ncd.ext_ind))
            + bytes([ncc_permitted_to_byte(self.ncc_permitted)])
            + self.rach_control.to_bytes()
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2:
        return cls(
            decode_frequency_list(f[3:19], ListIE.NEIGHBOUR),
            ncc_permitted_from_byte(f[19]),
            RachControlParameters.from_bytes(f[20:23]),
            plen,
        )


@dataclass(frozen=True, slots=True)
class SystemInformation2bis(_Base):
    si_type: ClassVar[SIType] = SIType.SI2BIS
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2BIS]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out["ba_ind"] = self.extended_bcch_frequency_list.ba_ind
        return out

    def to_l2(self) -> bytes:
        ncd = self.extended_bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(ncd.arfcns, ListIE.NEIGHBOUR, ncd.format, ba_ind=ncd.ba_ind or 0, ext_ind=bool(ncd.ext_ind))
            + self.rach_control.to_bytes()
        )  # SI2bis Rest Octets (§10.5.2.33): spare padding only

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2bis:
        return cls(decode_frequency_list(f[3:19], ListIE.NEIGHBOUR), RachControlParameters.from_bytes(f[19:22]), plen)


@dataclass(frozen=True, slots=True)
class SystemInformation2ter(_Base):
    si_type: ClassVar[SIType] = SIType.SI2TER
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description 2
    rest_octets: SI2terRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2TER]
    rest_octets_error: str | None = None

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        return {
            "ba_ind": self.extended_bcch_frequency_list.ba_ind,
            "multiband_reporting": self.extended_bcch_frequency_list.multiband_reporting,
        }

    def to_l2(self) -> bytes:
        ncd = self.extended_bcch_frequency_list
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + encode_frequency_list(
                ncd.arfcns, ListIE.NEIGHBOUR_2, ncd.format, ba_ind=ncd.ba_ind or 0, multiband_reporting=ncd.multiband_reporting or 0
            )
            + (self.rest_octets or SI2terRestOctets()).to_bytes(4)
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2ter:
        ro, err = _parse_rest(SI2terRestOctets.parse, f[19:23], strict)
        return cls(decode_frequency_list(f[3:19], ListIE.NEIGHBOUR_2), ro, plen, err)


# --------------------------------------------------------------------------- SI2quater §9.1.34a


@dataclass(frozen=True, slots=True)
class SystemInformation2quater(_Base):
    si_type: ClassVar[SIType] = SIType.SI2QUATER
    rest_octets: SI2quaterRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2QUATER]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        if ro is None:
            return {}
        return {
            "si2quater_index": ro.index,
            "si2quater_count": ro.count,
            "utran_uarfcns": None if ro.uarfcns is None else list(ro.uarfcns),
            "eutran_earfcns": None if ro.earfcns is None else list(ro.earfcns),
        }

    def to_l2(self) -> bytes:
        if self.rest_octets is None:
            raise L3EncodeError("SI2quater needs its rest octets")
        return _finish(_header(self.si_type, self.l2_pseudo_length) + self.rest_octets.to_bytes(20))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation2quater:
        ro, err = _parse_rest(SI2quaterRestOctets.parse, f[3:23], strict)
        return cls(ro, plen, err)


# --------------------------------------------------------------------------- SI3 §9.1.35


@dataclass(frozen=True, slots=True)
class SystemInformation3(_Base):
    si_type: ClassVar[SIType] = SIType.SI3
    cell_identity: int
    lai: LocationAreaIdentification
    control_channel_description: ControlChannelDescription
    cell_options: CellOptionsBcch
    cell_selection_parameters: CellSelectionParameters
    rach_control: RachControlParameters
    rest_octets: SI3RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI3]
    rest_octets_error: str | None = None

    mcc = property(lambda self: self.lai.mcc)
    mnc = property(lambda self: self.lai.mnc)
    lac = property(lambda self: self.lai.lac)
    cell_id = property(lambda self: self.cell_identity)

    def params(self) -> dict[str, Any]:
        ccd, co, csp = self.control_channel_description, self.cell_options, self.cell_selection_parameters
        out: dict[str, Any] = {
            "t3212_min": ccd.t3212_min,
            "att": ccd.att,
            "mscr": ccd.mscr,
            "bs_ag_blks_res": ccd.bs_ag_blks_res,
            "ccch_conf": ccd.ccch_conf,
            "ccch_combined_with_sdcch": ccd.ccch_combined_with_sdcch,
            "bs_pa_mfrms": ccd.bs_pa_mfrms,
            "cbq3": ccd.cbq3,
            "pwrc": co.pwrc,
            "dtx": co.dtx,
            "radio_link_timeout_blocks": co.radio_link_timeout_blocks,
            "dn_ind": co.dn_ind,
        }
        out.update(_cell_selection_params(csp))
        out.update(_rach_params(self.rach_control))
        ro = self.rest_octets
        if ro is not None:
            out.update(_selection_params(ro.selection_parameters, ro.power_offset_db, ro.gprs_indicator))
            out["si2ter_indicator"] = ro.si2ter_indicator
            out["si2quater_indicator"] = ro.si2quater_indicator
            out["early_classmark_sending"] = ro.early_classmark_sending
        return out

    def to_l2(self) -> bytes:
        return _finish(
            _header(self.si_type, self.l2_pseudo_length)
            + cell_identity_to_bytes(self.cell_identity)
            + self.lai.to_bytes()
            + self.control_channel_description.to_bytes()
            + self.cell_options.to_bytes()
            + self.cell_selection_parameters.to_bytes()
            + self.rach_control.to_bytes()
            + (self.rest_octets or SI3RestOctets()).to_bytes(4)
        )

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation3:
        ro, err = _parse_rest(SI3RestOctets.parse, f[19:23], strict)
        return cls(
            cell_identity_from_bytes(f[3:5]),
            LocationAreaIdentification.from_bytes(f[5:10]),
            ControlChannelDescription.from_bytes(f[10:13]),
            CellOptionsBcch.from_bytes(f[13:14]),
            CellSelectionParameters.from_bytes(f[14:16]),
            RachControlParameters.from_bytes(f[16:19]),
            ro,
            plen,
            err,
        )


def _cell_selection_params(csp: CellSelectionParameters) -> dict[str, Any]:
    return {
        "cell_reselect_hysteresis_db": csp.cell_reselect_hysteresis_db,
        "ms_txpwr_max_cch": csp.ms_txpwr_max_cch,
        "acs": csp.acs,
        "neci": csp.neci,
        "rxlev_access_min_dbm": csp.rxlev_access_min_dbm,
    }


# --------------------------------------------------------------------------- SI4 §9.1.36


@dataclass(frozen=True, slots=True)
class SystemInformation4(_Base):
    si_type: ClassVar[SIType] = SIType.SI4
    lai: LocationAreaIdentification
    cell_selection_parameters: CellSelectionParameters
    rach_control: RachControlParameters
    rest_octets: SI4RestOctets | None
    cbch_channel_description: ChannelDescription | None = None
    cbch_mobile_allocation: bytes | None = None  # MA octets (TS 44.018 §10.5.2.21), not decoded
    l2_pseudo_length: int | None = None  # None: computed from the optional IEs when encoding
    rest_octets_error: str | None = None

    mcc = property(lambda self: self.lai.mcc)
    mnc = property(lambda self: self.lai.mnc)
    lac = property(lambda self: self.lai.lac)

    def params(self) -> dict[str, Any]:
        out = _cell_selection_params(self.cell_selection_parameters)
        out.update(_rach_params(self.rach_control))
        ro = self.rest_octets
        if ro is not None:
            out.update(_selection_params(ro.selection_parameters, ro.power_offset_db, ro.gprs_indicator))
        out["cbch"] = self.cbch_channel_description is not None
        return out

    def to_l2(self) -> bytes:
        opt = b""
        if self.cbch_channel_description is not None:
            opt += bytes([IEI_CBCH_CHANNEL_DESCRIPTION]) + self.cbch_channel_description.to_bytes()
        if self.cbch_mobile_allocation is not None:
            if self.cbch_channel_description is None or not 0 <= len(self.cbch_mobile_allocation) <= 5:
                raise L3EncodeError("CBCH Mobile Allocation needs a CBCH Channel Description and at most 5 octets")
            opt += bytes([IEI_CBCH_MOBILE_ALLOCATION, len(self.cbch_mobile_allocation)]) + self.cbch_mobile_allocation
        plen = 12 + len(opt) if self.l2_pseudo_length is None else self.l2_pseudo_length
        body = (
            _header(self.si_type, plen)
            + self.lai.to_bytes()
            + self.cell_selection_parameters.to_bytes()
            + self.rach_control.to_bytes()
            + opt
        )
        return _finish(body + (self.rest_octets or SI4RestOctets()).to_bytes(L2_FRAME_LENGTH - len(body)))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation4:
        end = min(max(1 + plen, 13), L2_FRAME_LENGTH)  # optional IEs end where the pseudo length says
        pos = 13
        cbch = None
        ma = None
        if pos < end and f[pos] == IEI_CBCH_CHANNEL_DESCRIPTION:
            if pos + 4 > end:
                raise L3ParseError("SI4 CBCH Channel Description runs past the L2 pseudo length")
            cbch = ChannelDescription.from_bytes(f[pos + 1 : pos + 4])
            pos += 4
        if pos < end and f[pos] == IEI_CBCH_MOBILE_ALLOCATION:
            if pos + 2 > end or pos + 2 + f[pos + 1] > end:
                raise L3ParseError("SI4 CBCH Mobile Allocation runs past the L2 pseudo length")
            ma = bytes(f[pos + 2 : pos + 2 + f[pos + 1]])
            pos += 2 + f[pos + 1]
        if pos != end:
            raise L3ParseError(f"SI4 L2 pseudo length {plen} does not match its optional IEs (end at octet {pos})")
        ro, err = _parse_rest(SI4RestOctets.parse, f[end:], strict)
        return cls(
            LocationAreaIdentification.from_bytes(f[3:8]),
            CellSelectionParameters.from_bytes(f[8:10]),
            RachControlParameters.from_bytes(f[10:13]),
            ro,
            cbch,
            ma,
            plen,
            err,
        )


# --------------------------------------------------------------------------- SI7 §9.1.41, SI8 §9.1.42


@dataclass(frozen=True, slots=True)
class SystemInformation7(_Base):
    """SI7: only rest octets, which continue SI4's (§10.5.2.37: the same layout, BCCH Ext)."""

    si_type: ClassVar[SIType] = SIType.SI7
    rest_octets: SI4RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI7]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        return {} if ro is None else _selection_params(ro.selection_parameters, ro.power_offset_db, ro.gprs_indicator)

    def to_l2(self) -> bytes:
        body = _header(self.si_type, self.l2_pseudo_length)
        return _finish(body + (self.rest_octets or SI4RestOctets()).to_bytes(L2_FRAME_LENGTH - len(body)))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation7:
        ro, err = _parse_rest(SI4RestOctets.parse, f[3:], strict)
        return cls(ro, plen, err)


@dataclass(frozen=True, slots=True)
class SystemInformation8(SystemInformation7):
    """SI8: rest octets of the same layout as SI7's (§9.1.42, §10.5.2.37)."""

    si_type: ClassVar[SIType] = SIType.SI8
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI8]


# --------------------------------------------------------------------------- SI13 §9.1.43a


@dataclass(frozen=True, slots=True)
class SystemInformation13(_Base):
    si_type: ClassVar[SIType] = SIType.SI13
    rest_octets: SI13RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI13]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        if ro is None:
            return {}
        out: dict[str, Any] = {"gprs": ro.present, "rac": ro.rac, "bcch_change_mark": ro.bcch_change_mark}
        out["network_control_order"] = ro.network_control_order
        co = ro.gprs_cell_options
        out["nmo"] = None if co is None else co.nmo_name
        out["egprs"] = None if co is None else co.egprs_supported
        out["sgsnr"] = ro.sgsnr
        return out

    def to_l2(self) -> bytes:
        return _finish(_header(self.si_type, self.l2_pseudo_length) + (self.rest_octets or SI13RestOctets()).to_bytes(20))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation13:
        ro, err = _parse_rest(SI13RestOctets.parse, f[3:23], strict)
        return cls(ro, plen, err)


SystemInformation = Union[
    SystemInformation1,
    SystemInformation2,
    SystemInformation2bis,
    SystemInformation2ter,
    SystemInformation2quater,
    SystemInformation3,
    SystemInformation4,
    SystemInformation7,
    SystemInformation8,
    SystemInformation13,
]

_CLASSES: dict[SIType, Any] = {
    SIType.SI1: SystemInformation1,
    SIType.SI2: SystemInformation2,
    SIType.SI2BIS: SystemInformation2bis,
    SIType.SI2TER: SystemInformation2ter,
    SIType.SI2QUATER: SystemInformation2quater,
    SIType.SI3: SystemInformation3,
    SIType.SI4: SystemInformation4,
    SIType.SI7: SystemInformation7,
    SIType.SI8: SystemInformation8,
    SIType.SI13: SystemInformation13,
}


# --------------------------------------------------------------------------- entry points


def si_type_of(l2: bytes) -> SIType | None:
    """The SI type of an L2 frame with an RR pseudo-length header, or None (cheap, never raises)."""
    if len(l2) < 3 or l2[0] & 0x03 != 0x01 or l2[1] != PD_RR:
        return None
    return SI_TYPE_OF_MESSAGE_TYPE.get(l2[2])


def parse_si(l2: bytes, *, strict: bool = True) -> SystemInformation:
    """Parse one 23-octet BCCH L2 frame into its ``SystemInformation*`` object.

    Raises :class:`TruncatedMessage` for fewer than 23 octets, :class:`NotSystemInformation` for
    a valid RR header of another message type, and :class:`L3ParseError` for anything malformed.
    With ``strict=False`` malformed rest octets do not fail the message: ``rest_octets`` is None
    and ``rest_octets_error`` says why.
    """
    try:
        frame = bytes(l2)
    except (TypeError, ValueError) as exc:
        raise L3ParseError(f"not an octet string: {exc}") from None
    if len(frame) < L2_FRAME_LENGTH:
        raise TruncatedMessage(f"BCCH L2 frame of {len(frame)} octets, expected {L2_FRAME_LENGTH}")
    if len(frame) > L2_FRAME_LENGTH:
        raise L3ParseError(f"BCCH L2 frame of {len(frame)} octets, expected {L2_FRAME_LENGTH}")
    if frame[0] & 0x03 != 0x01:
        raise L3ParseError(f"octet 1 {frame[0]:#04x} is not an L2 pseudo length (bits 2-1 must be 01)")
    if frame[1] & 0x0F != PD_RR:
        raise NotSystemInformation(f"protocol discriminator {frame[1] & 0x0F} is not RR (6)")
    if frame[1] >> 4:
        raise L3ParseError(f"skip indicator {frame[1] >> 4} is not 0: the message must be ignored")
    si_type = SI_TYPE_OF_MESSAGE_TYPE.get(frame[2])
    if si_type is None:
        raise NotSystemInformation(f"RR message type {frame[2]:#04x} is not a System Information type we parse")
    plen = frame[0] >> 2
    try:
        return _CLASSES[si_type]._parse(frame, plen, strict)
    except L3ParseError:
        raise
    except (IndexError, ValueError, KeyError) as exc:  # defensive: keep the typed-error promise
        raise L3ParseError(f"SI{si_type.value} could not be parsed: {exc}") from exc


__all__ = [
    "L2_FRAME_LENGTH",
    "L2_PSEUDO_LENGTH",
    "MESSAGE_TYPE",
    "SIType",
    "SystemInformation",
    "SystemInformation1",
    "SystemInformation2",
    "SystemInformation2bis",
    "SystemInformation2ter",
    "SystemInformation2quater",
    "SystemInformation3",
    "SystemInformation4",
    "SystemInformation7",
    "SystemInformation8",
    "SystemInformation13",
    "parse_si",
    "si_type_of",
]
