"""SI1, SI2, SI2bis, SI2ter, SI2quater (TS 44.018 §9.1.31-§9.1.34a): the messages that carry frequency
lists (cell allocation, BA lists, 3G/4G neighbours). Shared parts in ``si_common``.

Each class declares its layout once (``SPEC``, walked by :mod:`.codec`). Example, a real SI2 (vf_call6
ARFCN 725)::

    59                 L2 pseudo length 22
    06 1a              RR, System Information Type 2
    8f 6d 18 10 80 00 ... 00   Neighbour Cell Description (16 octets): EXT-IND 0, BA-IND 0, variable
                       bit map from ORIG-ARFCN 730: 730, 733, 734, 741, 746
    78                 NCC Permitted: NCC 3, 4, 5, 6
    b9 00 00           RACH Control Parameters: MAX RETRANS 4, TX-INTEGER 32 slots, RE 1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from . import keys
from .elements import Field, MessageSpec, PseudoLength, RestOctets, V, rr_header
from .freqlist import FrequencyList
from .ie import (
    CELL_CHANNEL_DESCRIPTION,
    NCC_PERMITTED,
    NEIGHBOUR_CELL_DESCRIPTION,
    NEIGHBOUR_CELL_DESCRIPTION_2,
    RACH_CONTROL_PARAMETERS,
    RachControlParameters,
)
from .rest_octets import SI1RestOctets, SI2terRestOctets
from .si2quater import SI2quaterRestOctets
from .si_common import _Base, _rach_params
from .ts44018 import L2_PSEUDO_LENGTH, MESSAGE_TYPE, SIType

# --------------------------------------------------------------------------- SI1 §9.1.31


@dataclass(frozen=True, slots=True)
class SystemInformation1(_Base):
    si_type: ClassVar[SIType] = SIType.SI1
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI1", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI1]),
        Field("cell_channel_description", V, CELL_CHANNEL_DESCRIPTION),
        Field("rach_control", V, RACH_CONTROL_PARAMETERS),
        RestOctets("rest_octets", SI1RestOctets),  # §10.5.2.32, 1 octet
    ))  # fmt: skip
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
        out[keys.BAND_INDICATOR] = None if ro is None else ("PCS1900" if ro.band_indicator_1900 else "DCS1800")
        out[keys.NCH_POSITION] = None if ro is None else ro.nch_position
        return out


# ------------------------------------------------------------------- SI2 §9.1.32, SI2bis §9.1.33, SI2ter §9.1.34


@dataclass(frozen=True, slots=True)
class SystemInformation2(_Base):
    si_type: ClassVar[SIType] = SIType.SI2
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI2", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI2]),
        Field("bcch_frequency_list", V, NEIGHBOUR_CELL_DESCRIPTION),
        Field("ncc_permitted", V, NCC_PERMITTED),
        Field("rach_control", V, RACH_CONTROL_PARAMETERS),
    ))  # fmt: skip
    bcch_frequency_list: FrequencyList  # Neighbour Cell Description (BA list)
    ncc_permitted: tuple[int, ...]
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out[keys.NCC_PERMITTED] = list(self.ncc_permitted)
        out[keys.BA_IND] = self.bcch_frequency_list.ba_ind
        out[keys.EXT_IND] = self.bcch_frequency_list.ext_ind
        return out


@dataclass(frozen=True, slots=True)
class SystemInformation2bis(_Base):
    si_type: ClassVar[SIType] = SIType.SI2BIS
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI2bis", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI2BIS]),
        Field("extended_bcch_frequency_list", V, NEIGHBOUR_CELL_DESCRIPTION),
        Field("rach_control", V, RACH_CONTROL_PARAMETERS),
        # SI2bis Rest Octets (§10.5.2.33): spare padding only
    ))  # fmt: skip
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description
    rach_control: RachControlParameters
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2BIS]

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        out = _rach_params(self.rach_control)
        out[keys.BA_IND] = self.extended_bcch_frequency_list.ba_ind
        return out


@dataclass(frozen=True, slots=True)
class SystemInformation2ter(_Base):
    si_type: ClassVar[SIType] = SIType.SI2TER
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI2ter", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI2TER]),
        Field("extended_bcch_frequency_list", V, NEIGHBOUR_CELL_DESCRIPTION_2),
        RestOctets("rest_octets", SI2terRestOctets),  # §10.5.2.33a, 4 octets
    ))  # fmt: skip
    extended_bcch_frequency_list: FrequencyList  # Neighbour Cell Description 2
    rest_octets: SI2terRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2TER]
    rest_octets_error: str | None = None

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.extended_bcch_frequency_list.arfcns

    def params(self) -> dict[str, Any]:
        return {
            keys.BA_IND: self.extended_bcch_frequency_list.ba_ind,
            keys.MULTIBAND_REPORTING: self.extended_bcch_frequency_list.multiband_reporting,
        }


# --------------------------------------------------------------------------- SI2quater §9.1.34a


@dataclass(frozen=True, slots=True)
class SystemInformation2quater(_Base):
    si_type: ClassVar[SIType] = SIType.SI2QUATER
    SPEC: ClassVar[MessageSpec] = MessageSpec("SI2quater", (
        PseudoLength(),
        *rr_header(MESSAGE_TYPE[SIType.SI2QUATER]),
        RestOctets("rest_octets", SI2quaterRestOctets, required=True),  # §10.5.2.33b, 20 octets
    ))  # fmt: skip
    rest_octets: SI2quaterRestOctets | None
    l2_pseudo_length: int = L2_PSEUDO_LENGTH[SIType.SI2QUATER]
    rest_octets_error: str | None = None

    def params(self) -> dict[str, Any]:
        ro = self.rest_octets
        if ro is None:
            return {}
        return {
            keys.SI2QUATER_INDEX: ro.index,
            keys.SI2QUATER_COUNT: ro.count,
            keys.UTRAN_UARFCNS: None if ro.uarfcns is None else list(ro.uarfcns),
            keys.EUTRAN_EARFCNS: None if ro.earfcns is None else list(ro.earfcns),
        }
