"""SI3, SI4, SI7, SI8, SI13 (TS 44.018 §9.1.35-§9.1.43a): cell identity, location area, control
channel and selection parameters, GPRS. Shared parts in ``si_common``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from . import keys
from .errors import L3EncodeError, L3ParseError
from .ie import (
    CellOptionsBcch,
    CellSelectionParameters,
    ChannelDescription,
    ControlChannelDescription,
    LocationAreaIdentification,
    RachControlParameters,
    cell_identity_from_bytes,
    cell_identity_to_bytes,
)
from .rest_octets import SI3RestOctets, SI4RestOctets, SI13RestOctets
from sensor.l2.ts44006 import FRAME_OCTETS as L2_FRAME_LENGTH

from .ts44018 import IEI_CBCH_CHANNEL_DESCRIPTION, IEI_CBCH_MOBILE_ALLOCATION, L2_PSEUDO_LENGTH, SIType
from .si_common import (
    _header,
    _finish,
    _rach_params,
    _selection_params,
    _Base,
    _parse_rest,
    _cell_selection_params,
)


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
            keys.T3212_MIN: ccd.t3212_min,
            keys.ATT: ccd.att,
            keys.MSCR: ccd.mscr,
            keys.BS_AG_BLKS_RES: ccd.bs_ag_blks_res,
            keys.CCCH_CONF: ccd.ccch_conf,
            keys.CCCH_COMBINED_WITH_SDCCH: ccd.ccch_combined_with_sdcch,
            keys.BS_PA_MFRMS: ccd.bs_pa_mfrms,
            keys.CBQ3: ccd.cbq3,
            keys.PWRC: co.pwrc,
            keys.DTX: co.dtx,
            keys.RADIO_LINK_TIMEOUT_BLOCKS: co.radio_link_timeout_blocks,
            keys.DN_IND: co.dn_ind,
        }
        out.update(_cell_selection_params(csp))
        out.update(_rach_params(self.rach_control))
        ro = self.rest_octets
        if ro is not None:
            out.update(_selection_params(ro.selection_parameters, ro.power_offset_db, ro.gprs_indicator))
            out[keys.SI2TER_INDICATOR] = ro.si2ter_indicator
            out[keys.SI2QUATER_INDICATOR] = ro.si2quater_indicator
            out[keys.EARLY_CLASSMARK_SENDING] = ro.early_classmark_sending
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
        out[keys.CBCH] = self.cbch_channel_description is not None
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
        out: dict[str, Any] = {keys.GPRS: ro.present, keys.RAC: ro.rac, keys.BCCH_CHANGE_MARK: ro.bcch_change_mark}
        out[keys.NETWORK_CONTROL_ORDER] = ro.network_control_order
        co = ro.gprs_cell_options
        out[keys.NMO] = None if co is None else co.nmo_name
        out[keys.EGPRS] = None if co is None else co.egprs_supported
        out[keys.SGSNR] = ro.sgsnr
        return out

    def to_l2(self) -> bytes:
        return _finish(_header(self.si_type, self.l2_pseudo_length) + (self.rest_octets or SI13RestOctets()).to_bytes(20))

    @classmethod
    def _parse(cls, f: bytes, plen: int, strict: bool) -> SystemInformation13:
        ro, err = _parse_rest(SI13RestOctets.parse, f[3:23], strict)
        return cls(ro, plen, err)
