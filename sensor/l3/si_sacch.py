"""System Information on the SACCH (TS 44.018 §9.1.37-§9.1.40): SI5, SI5bis, SI5ter (the neighbour
lists a phone on a dedicated channel measures) and SI6 (cell identity, LAI, cell options). Each is
sent in a B4 frame (TS 44.006: address, control, then the L3 message with its L2 pseudo length,
19 octets, TS 44.006 §5.8.3 N201), after the 2-octet L1 header of the SACCH block.

Example, the real SI5 of captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt (FN 1332356;
the decoders take the octets after ``03 03``)::

    00 01           L1 header: MS power level 0, timing advance 1 (not part of the message)
    03 03           LAPDm B4: address SAPI 0, C/R 1, EA 1 | control UI (not part of the message)
    49              L2 pseudo length 18
    06 1d           RR, System Information Type 5
    9f 6d 18 10 80 00 ... 00   Neighbour Cell Description: EXT-IND 0, BA-IND 1, variable bit map
                    from ORIG-ARFCN 730: 730, 733, 734, 741, 746 (as its SI2 lists)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sensor.l2.ts44006 import N201, ChannelGroup, FrameFormat

from . import keys
from .elements import Field, Header, MessageSpec, PseudoLength, Remainder, V
from .freqlist import FrequencyList
from .ie import (
    CELL_IDENTITY,
    LAI,
    NCC_PERMITTED,
    NEIGHBOUR_CELL_DESCRIPTION,
    NEIGHBOUR_CELL_DESCRIPTION_2,
    LocationAreaIdentification,
)
from .ie_rr import CELL_OPTIONS_SACCH, CellOptionsSacch
from .si_common import _Base
from .ts24007 import PD_RR
from .ts44018 import SACCH_L2_PSEUDO_LENGTH, SACCH_MESSAGE_TYPE, SacchSIType

B4_SACCH_OCTETS = N201[(FrameFormat.B4, ChannelGroup.SACCH)]  # 19: the L3 message in a B4 frame, fill included


def _sacch(t: SacchSIType, *fields) -> MessageSpec:
    return MessageSpec(
        f"SI{t.value}", (PseudoLength(), Header(PD_RR, SACCH_MESSAGE_TYPE[t]), *fields), frame_octets=B4_SACCH_OCTETS
    )


@dataclass(frozen=True, slots=True)
class _NeighbourList(_Base):
    neighbour_cell_description: FrequencyList
    l2_pseudo_length: int = SACCH_L2_PSEUDO_LENGTH[SacchSIType.SI5]  # 18 for all three (§9.1.37-§9.1.39)

    @property
    def neighbours(self) -> tuple[int, ...]:
        return self.neighbour_cell_description.arfcns

    def params(self) -> dict[str, Any]:
        fl = self.neighbour_cell_description
        return {keys.SACCH_NEIGHBOURS: list(fl.arfcns), keys.SACCH_BA_IND: fl.ba_ind, keys.SACCH_EXT_IND: fl.ext_ind}


@dataclass(frozen=True, slots=True)
class SystemInformation5(_NeighbourList):
    """§9.1.37: the BA list (SACCH) of the serving cell's neighbours."""

    si_type: ClassVar[SacchSIType] = SacchSIType.SI5
    SPEC: ClassVar[MessageSpec] = _sacch(
        SacchSIType.SI5, Field("neighbour_cell_description", V, NEIGHBOUR_CELL_DESCRIPTION)
    )


@dataclass(frozen=True, slots=True)
class SystemInformation5bis(_NeighbourList):
    """§9.1.38: the extension of the SI5 list."""

    si_type: ClassVar[SacchSIType] = SacchSIType.SI5BIS
    SPEC: ClassVar[MessageSpec] = _sacch(
        SacchSIType.SI5BIS, Field("neighbour_cell_description", V, NEIGHBOUR_CELL_DESCRIPTION)
    )


@dataclass(frozen=True, slots=True)
class SystemInformation5ter(_NeighbourList):
    """§9.1.39: the other-band part of the list (Neighbour Cell Description 2, §10.5.2.22a)."""

    si_type: ClassVar[SacchSIType] = SacchSIType.SI5TER
    SPEC: ClassVar[MessageSpec] = _sacch(
        SacchSIType.SI5TER, Field("neighbour_cell_description", V, NEIGHBOUR_CELL_DESCRIPTION_2)
    )

    def params(self) -> dict[str, Any]:
        fl = self.neighbour_cell_description
        return {
            keys.SACCH_NEIGHBOURS: list(fl.arfcns),
            keys.SACCH_BA_IND: fl.ba_ind,
            keys.SACCH_MULTIBAND_REPORTING: fl.multiband_reporting,
        }


@dataclass(frozen=True, slots=True)
class SystemInformation6(_Base):
    """§9.1.40: cell identity, LAI, cell options (SACCH), NCC permitted; SI6 rest octets (§10.5.2.35a)
    kept as octets."""

    si_type: ClassVar[SacchSIType] = SacchSIType.SI6
    SPEC: ClassVar[MessageSpec] = _sacch(SacchSIType.SI6,
        Field("cell_identity", V, CELL_IDENTITY),
        Field("lai", V, LAI),
        Field("cell_options", V, CELL_OPTIONS_SACCH),
        Field("ncc_permitted", V, NCC_PERMITTED),
        Remainder("rest_octets"),
    )  # fmt: skip
    cell_identity: int
    lai: LocationAreaIdentification
    cell_options: CellOptionsSacch
    ncc_permitted: tuple[int, ...]
    rest_octets: bytes = b""
    l2_pseudo_length: int = SACCH_L2_PSEUDO_LENGTH[SacchSIType.SI6]

    mcc = property(lambda self: self.lai.mcc)
    mnc = property(lambda self: self.lai.mnc)
    lac = property(lambda self: self.lai.lac)
    cell_id = property(lambda self: self.cell_identity)

    def params(self) -> dict[str, Any]:
        co = self.cell_options
        return {
            keys.SACCH_CELL_ID: self.cell_identity,
            keys.SACCH_MCC: self.lai.mcc,
            keys.SACCH_MNC: self.lai.mnc,
            keys.SACCH_LAC: self.lai.lac,
            keys.SACCH_PWRC: co.pwrc,
            keys.SACCH_DTX: co.dtx,
            keys.SACCH_RADIO_LINK_TIMEOUT_BLOCKS: co.radio_link_timeout_blocks,
            keys.SACCH_NCC_PERMITTED: list(self.ncc_permitted),
        }


SACCH_MESSAGES = (SystemInformation5, SystemInformation5bis, SystemInformation5ter, SystemInformation6)
