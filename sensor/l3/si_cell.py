"""SI3, SI4, SI7, SI8, SI13 (TS 44.018 §9.1.35-§9.1.43a): cell identity, location area, control
channel and selection parameters, GPRS. Shared parts in ``si_common``.

Each class declares its layout once (``SPEC``, walked by :mod:`.codec`). Example, a real SI4 (vf_call6
ARFCN 725)::

    31                 L2 pseudo length 12: no CBCH IEs
    06 1c              RR, System Information Type 4
    62 f2 20 01 3e     LAI: MCC 262, MNC 02, LAC 318
    60 09              Cell Selection Parameters (as in its SI3)
    b9 00 00           RACH Control Parameters
    e8 1f 73 2b ...    SI 4 Rest Octets: selection parameters, GPRS indicator, break indicator L;
                       spare padding to octet 23
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from . import keys
from .elements import TLV, TV, Field, MessageSpec, PseudoLength, RestOctets, V, rr_header
from .ie import (
    CBCH_CHANNEL_DESCRIPTION,
    CBCH_MOBILE_ALLOCATION,
    CELL_IDENTITY,
    CELL_OPTIONS_BCCH,
    CELL_SELECTION_PARAMETERS,
    CONTROL_CHANNEL_DESCRIPTION,
    LAI,
    RACH_CONTROL_PARAMETERS,
    CellOptionsBcch,
    CellSelectionParameters,
    ChannelDescription,
    ControlChannelDescription,
    LocationAreaIdentification,
    RachControlParameters,
)
from .rest_octets import SI3RestOctets, SI4RestOctets, SI13RestOctets
from .si_common import _Base, _cell_selection_params, _rach_params, _selection_params
from .ts44018 import IEI_CBCH_CHANNEL_DESCRIPTION, IEI_CBCH_MOBILE_ALLOCATION, L2_PSEUDO_LENGTH, MESSAGE_TYPE, SIType

# --------------------------------------------------------------------------- SI3 §9.1.35


@dataclass(frozen=True, slots=True)
class SystemInformation3(_Base):
    si_type: ClassVar[SIType] = SIType.SI3
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI3", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI3]),
        Field("cell_identity", V, CELL_IDENTITY),
        Field("lai", V, LAI),
        Field("control_channel_description", V, CONTROL_CHANNEL_DESCRIPTION),
        Field("cell_options", V, CELL_OPTIONS_BCCH),
        Field("cell_selection_parameters", V, CELL_SELECTION_PARAMETERS),
        Field("rach_control", V, RACH_CONTROL_PARAMETERS),
        RestOctets("rest_octets", SI3RestOctets),  # §10.5.2.34, 4 octets
    ))  # fmt: skip
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


# --------------------------------------------------------------------------- SI4 §9.1.36


@dataclass(frozen=True, slots=True)
class SystemInformation4(_Base):
    si_type: ClassVar[SIType] = SIType.SI4
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI4", (
        PseudoLength(),  # None when encoding: computed from the optional IEs
        *rr_header(MESSAGE_TYPE[SIType.SI4]),
        Field("lai", V, LAI),
        Field("cell_selection_parameters", V, CELL_SELECTION_PARAMETERS),
        Field("rach_control", V, RACH_CONTROL_PARAMETERS),
        Field("cbch_channel_description", TV, CBCH_CHANNEL_DESCRIPTION, iei=IEI_CBCH_CHANNEL_DESCRIPTION,
              optional=True),
        Field("cbch_mobile_allocation", TLV, CBCH_MOBILE_ALLOCATION, iei=IEI_CBCH_MOBILE_ALLOCATION, optional=True,
              requires="cbch_channel_description"),
        RestOctets("rest_octets", SI4RestOctets),  # §10.5.2.35, to the frame end
    ))  # fmt: skip
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


# --------------------------------------------------------------------------- SI7 §9.1.41, SI8 §9.1.42


@dataclass(frozen=True, slots=True)
class SystemInformation7(_Base):
    """SI7: only rest octets, which continue SI4's (§10.5.2.37: the same layout, BCCH Ext)."""

    si_type: ClassVar[SIType] = SIType.SI7
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI7", (
        PseudoLength(), *rr_header(MESSAGE_TYPE[SIType.SI7]), RestOctets("rest_octets", SI4RestOctets),
    ))  # fmt: skip
    rest_octets: SI4RestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI7]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        return {} if ro is None else _selection_params(ro.selection_parameters, ro.power_offset_db, ro.gprs_indicator)


@dataclass(frozen=True, slots=True)
class SystemInformation8(SystemInformation7):
    """SI8: rest octets of the same layout as SI7's (§9.1.42, §10.5.2.37)."""

    si_type: ClassVar[SIType] = SIType.SI8
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI8", (
        PseudoLength(), *rr_header(MESSAGE_TYPE[SIType.SI8]), RestOctets("rest_octets", SI4RestOctets),
    ))  # fmt: skip
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI8]


# --------------------------------------------------------------------------- SI13 §9.1.43a


@dataclass(frozen=True, slots=True)
class SystemInformation13(_Base):
    si_type: ClassVar[SIType] = SIType.SI13
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI13", (
        PseudoLength(), *rr_header(MESSAGE_TYPE[SIType.SI13]), RestOctets("rest_octets", SI13RestOctets),  # §10.5.2.37b
    ))  # fmt: skip
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
