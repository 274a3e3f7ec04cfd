"""RR messages of a dedicated channel (TS 44.018 §9.1) declared as data, both directions: Paging
Response, Channel Release, Ciphering Mode Command/Complete, Classmark Change, Assignment Command.
They travel in LAPDm I frames (SAPI 0): no pseudo length, no fill; unknown non-imperative IEs are
skipped (§8.5, TS 24.007 §11.2.4).

Examples from the real capture captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt::

    FN 1331351, UA echoing the phone's SABM (LAPDm 01 73 35: SAPI 0, UA F=1, length 13):
    06 27           RR, Paging Response
    00              CKSN 0 | spare half octet 0
    03 50 18 a0     Mobile Station Classmark 2: length 3 (octets kept)
    05 f4 01 5c 57 03   Mobile Identity: TMSI (personal data: hashed downstream)

    FN 1331350, I frame (LAPDm 03 20 0d: SAPI 0, N(S) 0 N(R) 1, length 3):
    06 35           RR, Ciphering Mode Command
    11              Cipher Mode Setting 1: SC 1, algorithm 000 = A5/1 | Cipher Response 1: include the IMEISV
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .codec import Message
from .elements import HALF_OCTET, LV, TLV, TV, Field, Header, IEType, MessageSpec, V
from .ie_mm import CKSN, MOBILE_IDENTITY, MS_CLASSMARK_2, MS_CLASSMARK_3, MobileIdentity
from .ie_rr import (
    CHANNEL_DESCRIPTION_2,
    CIPHER_MODE_SETTING,
    CIPHER_RESPONSE,
    IE_OCTETS,
    MOBILE_ALLOCATION,
    POWER_COMMAND,
    RR_CAUSE,
    SPARE_HALF_OCTET,
    STARTING_TIME,
    ChannelDescription2,
    CipherModeSetting,
    StartingTime,
    octet_ie,
)
from .ts24007 import PD_RR
from .ts44018 import (
    IEI_ADDITIONAL_UPDATE_PARAMETERS,
    IEI_ASSIGNMENT_STARTING_TIME,
    IEI_BA_RANGE,
    IEI_CELL_CHANNEL_DESCRIPTION,
    IEI_CHANNEL_MODE,
    IEI_CIPHER_MODE_SETTING,
    IEI_FREQUENCY_LIST_AFTER_TIME,
    IEI_GPRS_RESUMPTION,
    IEI_MOBILE_ALLOCATION_AFTER_TIME,
    IEI_MOBILE_EQUIPMENT_IDENTITY,
    IEI_MULTIRATE_CONFIGURATION,
    RRMessageType,
)
from .ts44018 import (
    RR_CAUSE as RR_CAUSE_NAMES,
)

RR = RRMessageType
IEI_CLASSMARK_3 = 0x20  # §9.1.11 Classmark Change: Mobile Station Classmark 3
# §9.1.2 Table 9.1.2.1: before-time IEs of the Assignment Command (declared so that their TV
# formats, which §11.2.4 cannot infer, are skipped right)
IEI_FREQUENCY_LIST_BEFORE_TIME = 0x19
IEI_FIRST_CHANNEL_BEFORE_TIME = 0x1C
IEI_SECOND_CHANNEL_BEFORE_TIME = 0x1D
IEI_FREQUENCY_CHANNEL_SEQUENCE_BEFORE_TIME = 0x1E
IEI_MOBILE_ALLOCATION_BEFORE_TIME = 0x21
IEI_CHANNEL_MODE_2 = 0x64
CELL_CHANNEL_DESCRIPTION_OCTETS = IEType("Cell Channel Description", bytes, bytes, octets=16)  # §10.5.2.1b, octets
FREQUENCY_CHANNEL_SEQUENCE = IEType("Frequency channel sequence", bytes, bytes, octets=9)  # §10.5.2.12
CHANNEL_MODE = octet_ie("Channel Mode")  # §10.5.2.6


def _dcch(name: str, message_type: RRMessageType, *fields) -> MessageSpec:
    return MessageSpec(name, (Header(PD_RR, message_type), *fields), frame_octets=0, skip_unknown_ies=True)


@dataclass(frozen=True, slots=True)
class PagingResponse(Message):
    """§9.1.25 (MS → network), the first message on the channel (in the SABM, echoed in the UA)."""

    SPEC: ClassVar[MessageSpec] = _dcch("Paging Response", RR.PAGING_RESPONSE,
        Field("cksn", V, CKSN),
        Field("spare", V, SPARE_HALF_OCTET),
        Field("ms_classmark_2", LV, MS_CLASSMARK_2),
        Field("mobile_identity", LV, MOBILE_IDENTITY),
        Field("additional_update_parameters", TV, HALF_OCTET, iei=IEI_ADDITIONAL_UPDATE_PARAMETERS, optional=True),
    )  # fmt: skip
    ms_classmark_2: bytes
    mobile_identity: MobileIdentity
    cksn: int = 0
    spare: int = 0
    additional_update_parameters: int | None = None


@dataclass(frozen=True, slots=True)
class ChannelRelease(Message):
    """§9.1.7 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _dcch("Channel Release", RR.CHANNEL_RELEASE,
        Field("rr_cause", V, RR_CAUSE),
        Field("ba_range", TLV, IE_OCTETS, iei=IEI_BA_RANGE, optional=True),
        Field("gprs_resumption", TV, HALF_OCTET, iei=IEI_GPRS_RESUMPTION, optional=True),
    )  # fmt: skip
    rr_cause: int = 0
    ba_range: bytes | None = None
    gprs_resumption: int | None = None

    @property
    def cause_name(self) -> str | None:
        return RR_CAUSE_NAMES.get(self.rr_cause)


@dataclass(frozen=True, slots=True)
class CipheringModeCommand(Message):
    """§9.1.9 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _dcch("Ciphering Mode Command", RR.CIPHERING_MODE_COMMAND,
        Field("cipher_mode_setting", V, CIPHER_MODE_SETTING),
        Field("cipher_response", V, CIPHER_RESPONSE),
    )  # fmt: skip
    cipher_mode_setting: CipherModeSetting
    cipher_response: int = 0  # 1: the phone shall include its IMEISV in the Ciphering Mode Complete


@dataclass(frozen=True, slots=True)
class CipheringModeComplete(Message):
    """§9.1.10 (MS → network)."""

    SPEC: ClassVar[MessageSpec] = _dcch("Ciphering Mode Complete", RR.CIPHERING_MODE_COMPLETE,
        Field("mobile_equipment_identity", TLV, MOBILE_IDENTITY, iei=IEI_MOBILE_EQUIPMENT_IDENTITY, optional=True),
    )  # fmt: skip
    mobile_equipment_identity: MobileIdentity | None = None


@dataclass(frozen=True, slots=True)
class ClassmarkChange(Message):
    """§9.1.11 (MS → network): classmarks kept as octets."""

    SPEC: ClassVar[MessageSpec] = _dcch("Classmark Change", RR.CLASSMARK_CHANGE,
        Field("ms_classmark_2", LV, MS_CLASSMARK_2),
        Field("ms_classmark_3", TLV, MS_CLASSMARK_3, iei=IEI_CLASSMARK_3, optional=True),
    )  # fmt: skip
    ms_classmark_2: bytes
    ms_classmark_3: bytes | None = None


@dataclass(frozen=True, slots=True)
class AssignmentCommand(Message):
    """§9.1.2 (network → MS): the channel a phone moves to (a TCH for a call); frequency
    parameters kept as octets."""

    SPEC: ClassVar[MessageSpec] = _dcch("Assignment Command", RR.ASSIGNMENT_COMMAND,
        Field("channel_description", V, CHANNEL_DESCRIPTION_2),
        Field("power_command", V, POWER_COMMAND),
        Field("frequency_list_after_time", TLV, IE_OCTETS, iei=IEI_FREQUENCY_LIST_AFTER_TIME, optional=True),
        Field("cell_channel_description", TV, CELL_CHANNEL_DESCRIPTION_OCTETS, iei=IEI_CELL_CHANNEL_DESCRIPTION,
              optional=True),
        Field("channel_mode", TV, CHANNEL_MODE, iei=IEI_CHANNEL_MODE, optional=True),
        Field("channel_mode_2", TV, CHANNEL_MODE, iei=IEI_CHANNEL_MODE_2, optional=True),
        Field("mobile_allocation_after_time", TLV, MOBILE_ALLOCATION, iei=IEI_MOBILE_ALLOCATION_AFTER_TIME,
              optional=True),
        Field("starting_time", TV, STARTING_TIME, iei=IEI_ASSIGNMENT_STARTING_TIME, optional=True),
        Field("frequency_list_before_time", TLV, IE_OCTETS, iei=IEI_FREQUENCY_LIST_BEFORE_TIME, optional=True),
        Field("first_channel_before_time", TV, CHANNEL_DESCRIPTION_2, iei=IEI_FIRST_CHANNEL_BEFORE_TIME,
              optional=True),
        Field("second_channel_before_time", TV, CHANNEL_DESCRIPTION_2, iei=IEI_SECOND_CHANNEL_BEFORE_TIME,
              optional=True),
        Field("frequency_channel_sequence_before_time", TV, FREQUENCY_CHANNEL_SEQUENCE,
              iei=IEI_FREQUENCY_CHANNEL_SEQUENCE_BEFORE_TIME, optional=True),
        Field("mobile_allocation_before_time", TLV, MOBILE_ALLOCATION, iei=IEI_MOBILE_ALLOCATION_BEFORE_TIME,
              optional=True),
        Field("cipher_mode_setting", TV, CIPHER_MODE_SETTING, iei=IEI_CIPHER_MODE_SETTING, optional=True),
        Field("multirate_configuration", TLV, IE_OCTETS, iei=IEI_MULTIRATE_CONFIGURATION, optional=True),
    )  # fmt: skip
    channel_description: ChannelDescription2
    power_command: int = 0
    frequency_list_after_time: bytes | None = None
    cell_channel_description: bytes | None = None
    channel_mode: int | None = None
    channel_mode_2: int | None = None
    mobile_allocation_after_time: bytes | None = None
    starting_time: StartingTime | None = None
    frequency_list_before_time: bytes | None = None
    first_channel_before_time: ChannelDescription2 | None = None
    second_channel_before_time: ChannelDescription2 | None = None
    frequency_channel_sequence_before_time: bytes | None = None
    mobile_allocation_before_time: bytes | None = None
    cipher_mode_setting: CipherModeSetting | None = None
    multirate_configuration: bytes | None = None

    @property
    def channel(self) -> str | None:
        return self.channel_description.channel

    @property
    def hopping(self) -> bool:
        return self.channel_description.hopping


DCCH_RR_MESSAGES = (
    PagingResponse, ChannelRelease, CipheringModeCommand, CipheringModeComplete, ClassmarkChange, AssignmentCommand,
)  # fmt: skip
