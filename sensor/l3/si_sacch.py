"""System Information on the SACCH (TS 44.018 §9.1.37-§9.1.40): SI5, SI5bis, SI5ter (the neighbour
lists a phone on a dedicated channel measures) and SI6 (cell identity, LAI, cell options). Each is
sent in a B4 frame (TS 44.006: address, control, then the L3 message with its L2 pseudo length,
19 octets, TS 44.006 §5.8.3 N201), after the 2-octet L1 header of the SACCH block.

Example, the real SI5 of captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt (FN 862242;
the message decoders take the octets after ``03 03``, :func:`parse_sacch_si` the 21-octet frame
from ``03 03`` on, which is what a cell's ``si`` keeps: the L1 header is the phone's, not the cell's)::

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

from sensor.l2.errors import L2DecodeError
from sensor.l2.frame import decode_frame
from sensor.l2.ts44006 import (
    ADDRESS_EA,
    ADDRESS_SAPI_MASK,
    ADDRESS_SAPI_SHIFT,
    CONTROL_CODE,
    CONTROL_U_MASK,
    N201,
    SAPI_SIGNALLING,
    Channel,
    ChannelGroup,
    FrameFormat,
    FrameType,
)

from . import keys
from .codec import decode
from .elements import Field, Header, MessageSpec, PseudoLength, Remainder, V
from .errors import L3ParseError, NotSystemInformation
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
from .ts44018 import L2_PSEUDO_LENGTH_BITS, SACCH_L2_PSEUDO_LENGTH, SACCH_MESSAGE_TYPE, SacchSIType

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

SacchSystemInformation = SystemInformation5 | SystemInformation5bis | SystemInformation5ter | SystemInformation6
# TS 44.018 §10.4: message type → the SACCH SI class that declares it
SACCH_CLASSES: dict[int, Any] = {SACCH_MESSAGE_TYPE[cls.si_type].value: cls for cls in SACCH_MESSAGES}


def sacch_si_type_of(frame: bytes) -> SacchSIType | None:
    """The SACCH SI type of a 21-octet SACCH L2 frame (after the L1 header), or None when it is not
    a B4 UI frame on SAPI 0 carrying one (cheap, never raises)."""
    if len(frame) < 5 or frame[3] != PD_RR or frame[1] & CONTROL_U_MASK != CONTROL_CODE[FrameType.UI]:
        return None
    if not frame[0] & ADDRESS_EA or (frame[0] >> ADDRESS_SAPI_SHIFT) & ADDRESS_SAPI_MASK != SAPI_SIGNALLING:
        return None
    cls = SACCH_CLASSES.get(frame[4])
    return None if cls is None else cls.si_type


def parse_sacch_si(frame: bytes) -> SacchSystemInformation:
    """The SI5/5bis/5ter/6 in a SACCH L2 frame: the 21 octets after the block's L1 header (TS 44.004
    §7.2), a B4 UI frame on SAPI 0 (TS 44.006 §2.1) whose information field is the message with its
    L2 pseudo length. Raises :class:`NotSystemInformation` for another frame or message and
    :class:`L3ParseError` for malformed octets, nothing else."""
    try:
        f = decode_frame(bytes(frame), Channel.SACCH)
    except L2DecodeError as exc:
        raise L3ParseError(f"not a SACCH frame: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise L3ParseError(f"not an octet string: {exc}") from None
    if f.frame_type is not FrameType.UI or f.sapi != SAPI_SIGNALLING:
        raise NotSystemInformation(f"a {f.frame_type.value} frame on SAPI {f.sapi}, not a UI frame on SAPI 0")
    info = f.info
    if len(info) < 3 or info[0] & 0x03 != L2_PSEUDO_LENGTH_BITS:
        raise L3ParseError("the information field does not start with an L2 pseudo length")
    if info[1] != PD_RR:
        raise NotSystemInformation(f"octet {info[1]:#04x} is not RR with skip indicator 0")
    cls = SACCH_CLASSES.get(info[2])
    if cls is None:
        raise NotSystemInformation(f"RR message type {info[2]:#04x} is not a SACCH System Information type")
    try:
        return decode(cls, info)
    except L3ParseError:
        raise
    except (IndexError, ValueError, KeyError, TypeError) as exc:  # defensive: keep the typed-error promise
        raise L3ParseError(f"SI{cls.si_type.value} could not be decoded: {exc}") from exc
