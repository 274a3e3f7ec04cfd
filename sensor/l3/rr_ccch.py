"""RR messages of the paging and access grant channels (TS 44.018 §9.1.18-§9.1.24) declared as data:
Immediate Assignment (Extended, Reject), Paging Request Type 1/2/3. Sent in Bbis frames: an L2 pseudo
length first, rest octets (kept as octets, fill dropped) to the end of the 23-octet block.

Example, the Immediate Assignment the simulator sends (``ccch.immediate_assignment(arfcn=700, tn=3,
tsc=5, ra=0x2A, fn=12345)``, tshark-checked in tests/l3/test_dedicated_tshark.py)::

    2d              L2 pseudo length 11
    06 3f           RR, Immediate Assignment
    00              page mode 0 (normal) | dedicated mode or TBF 0 (dedicated channel)
    43 a2 bc        Channel Description: 01000 SDCCH/8 sub-channel 0, TN 3 | TSC 5, no hopping, ARFCN 700
    2a 48 75        Request Reference: RA 0x2a, T1' 9, T3 3, T2 21 (FN 12345 mod 42432)
    00              Timing Advance 0
    00              Mobile Allocation: length 0
    2b ...          IA rest octets / fill
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .codec import Message
from .elements import LV, TLV, TV, Field, Header, MessageSpec, PseudoLength, Remainder, V
from .ie import ChannelDescription
from .ie_mm import MOBILE_IDENTITY, MobileIdentity
from .ie_rr import (
    CHANNEL_DESCRIPTION,
    CHANNEL_NEEDED,
    DEDICATED_MODE_OR_TBF,
    FEATURE_INDICATOR,
    MOBILE_ALLOCATION,
    PAGE_MODE,
    REQUEST_REFERENCE,
    STARTING_TIME,
    TIMING_ADVANCE,
    TMSI,
    WAIT_INDICATION,
    RequestReference,
    StartingTime,
)
from .ts24007 import PD_RR
from .ts44018 import (
    DEDICATED_MODE_OR_TBF_TBF_BIT,
    IEI_PAGING_MOBILE_IDENTITY,
    IEI_STARTING_TIME,
    RRMessageType,
)

RR = RRMessageType


def _ccch(name: str, message_type: RRMessageType, *fields) -> MessageSpec:
    """A Bbis message: pseudo length, RR header, the fields, rest octets kept as octets."""
    return MessageSpec(
        name, (PseudoLength(), Header(PD_RR, message_type), *fields, Remainder("rest_octets")), skip_unknown_ies=True
    )


@dataclass(frozen=True, slots=True)
class ImmediateAssignment(Message):
    """§9.1.18."""

    SPEC: ClassVar[MessageSpec] = _ccch("Immediate Assignment", RR.IMMEDIATE_ASSIGNMENT,
        Field("page_mode", V, PAGE_MODE),
        Field("dedicated_mode_or_tbf", V, DEDICATED_MODE_OR_TBF),
        Field("channel_description", V, CHANNEL_DESCRIPTION),  # or Packet Channel Description (TBF)
        Field("request_reference", V, REQUEST_REFERENCE),
        Field("timing_advance", V, TIMING_ADVANCE),
        Field("mobile_allocation", LV, MOBILE_ALLOCATION),
        Field("starting_time", TV, STARTING_TIME, iei=IEI_STARTING_TIME, optional=True),
    )  # fmt: skip
    channel_description: ChannelDescription
    request_reference: RequestReference
    timing_advance: int = 0
    mobile_allocation: bytes = b""
    page_mode: int = 0
    dedicated_mode_or_tbf: int = 0
    starting_time: StartingTime | None = None
    rest_octets: bytes = b""  # IA Rest Octets §10.5.2.16, not decoded
    l2_pseudo_length: int | None = None  # None: computed when encoding

    @property
    def assigns_tbf(self) -> bool:
        return bool(self.dedicated_mode_or_tbf & DEDICATED_MODE_OR_TBF_TBF_BIT)


@dataclass(frozen=True, slots=True)
class ImmediateAssignmentExtended(Message):
    """§9.1.19: two phones assigned in one block."""

    SPEC: ClassVar[MessageSpec] = _ccch("Immediate Assignment Extended", RR.IMMEDIATE_ASSIGNMENT_EXTENDED,
        Field("page_mode", V, PAGE_MODE),
        Field("feature_indicator", V, FEATURE_INDICATOR),
        Field("channel_description_1", V, CHANNEL_DESCRIPTION),
        Field("request_reference_1", V, REQUEST_REFERENCE),
        Field("timing_advance_1", V, TIMING_ADVANCE),
        Field("channel_description_2", V, CHANNEL_DESCRIPTION),
        Field("request_reference_2", V, REQUEST_REFERENCE),
        Field("timing_advance_2", V, TIMING_ADVANCE),
        Field("mobile_allocation", LV, MOBILE_ALLOCATION),
        Field("starting_time", TV, STARTING_TIME, iei=IEI_STARTING_TIME, optional=True),
    )  # fmt: skip
    channel_description_1: ChannelDescription
    request_reference_1: RequestReference
    channel_description_2: ChannelDescription
    request_reference_2: RequestReference
    timing_advance_1: int = 0
    timing_advance_2: int = 0
    mobile_allocation: bytes = b""
    page_mode: int = 0
    feature_indicator: int = 0
    starting_time: StartingTime | None = None
    rest_octets: bytes = b""  # IAX Rest Octets §10.5.2.18, not decoded
    l2_pseudo_length: int | None = None


@dataclass(frozen=True, slots=True)
class ImmediateAssignmentReject(Message):
    """§9.1.20: four request references, each with its wait indication (T3122 s)."""

    SPEC: ClassVar[MessageSpec] = _ccch("Immediate Assignment Reject", RR.IMMEDIATE_ASSIGNMENT_REJECT,
        Field("page_mode", V, PAGE_MODE),
        Field("feature_indicator", V, FEATURE_INDICATOR),
        *(f for i in range(1, 5) for f in (
            Field(f"request_reference_{i}", V, REQUEST_REFERENCE), Field(f"wait_indication_{i}", V, WAIT_INDICATION),
        )),
    )  # fmt: skip
    request_reference_1: RequestReference
    wait_indication_1: int
    request_reference_2: RequestReference
    wait_indication_2: int
    request_reference_3: RequestReference
    wait_indication_3: int
    request_reference_4: RequestReference
    wait_indication_4: int
    page_mode: int = 0
    feature_indicator: int = 0
    rest_octets: bytes = b""  # IAR Rest Octets §10.5.2.17, not decoded
    l2_pseudo_length: int | None = None

    @property
    def rejected(self) -> tuple[tuple[RequestReference, int], ...]:
        """(request reference, wait indication s) of the four entries, repeats included."""
        return tuple(
            (getattr(self, f"request_reference_{i}"), getattr(self, f"wait_indication_{i}")) for i in range(1, 5)
        )


@dataclass(frozen=True, slots=True)
class PagingRequest1(Message):
    """§9.1.22: one or two identities of any type."""

    SPEC: ClassVar[MessageSpec] = _ccch("Paging Request Type 1", RR.PAGING_REQUEST_1,
        Field("page_mode", V, PAGE_MODE),
        Field("channel_needed", V, CHANNEL_NEEDED),
        Field("mobile_identity_1", LV, MOBILE_IDENTITY),
        Field("mobile_identity_2", TLV, MOBILE_IDENTITY, iei=IEI_PAGING_MOBILE_IDENTITY, optional=True),
    )  # fmt: skip
    mobile_identity_1: MobileIdentity
    mobile_identity_2: MobileIdentity | None = None
    page_mode: int = 0
    channel_needed: int = 0
    rest_octets: bytes = b""  # P1 Rest Octets §10.5.2.23, not decoded
    l2_pseudo_length: int | None = None


@dataclass(frozen=True, slots=True)
class PagingRequest2(Message):
    """§9.1.23: two TMSIs and maybe a third identity."""

    SPEC: ClassVar[MessageSpec] = _ccch("Paging Request Type 2", RR.PAGING_REQUEST_2,
        Field("page_mode", V, PAGE_MODE),
        Field("channel_needed", V, CHANNEL_NEEDED),
        Field("tmsi_1", V, TMSI),
        Field("tmsi_2", V, TMSI),
        Field("mobile_identity_3", TLV, MOBILE_IDENTITY, iei=IEI_PAGING_MOBILE_IDENTITY, optional=True),
    )  # fmt: skip
    tmsi_1: int
    tmsi_2: int
    mobile_identity_3: MobileIdentity | None = None
    page_mode: int = 0
    channel_needed: int = 0
    rest_octets: bytes = b""  # P2 Rest Octets §10.5.2.24, not decoded
    l2_pseudo_length: int | None = None


@dataclass(frozen=True, slots=True)
class PagingRequest3(Message):
    """§9.1.24: four TMSIs."""

    SPEC: ClassVar[MessageSpec] = _ccch("Paging Request Type 3", RR.PAGING_REQUEST_3,
        Field("page_mode", V, PAGE_MODE),
        Field("channel_needed", V, CHANNEL_NEEDED),
        *(Field(f"tmsi_{i}", V, TMSI) for i in range(1, 5)),
    )  # fmt: skip
    tmsi_1: int
    tmsi_2: int
    tmsi_3: int
    tmsi_4: int
    page_mode: int = 0
    channel_needed: int = 0
    rest_octets: bytes = b""  # P3 Rest Octets §10.5.2.25, not decoded
    l2_pseudo_length: int | None = None


CCCH_MESSAGES = (
    ImmediateAssignment, ImmediateAssignmentExtended, ImmediateAssignmentReject, PagingRequest1, PagingRequest2,
    PagingRequest3,
)  # fmt: skip
