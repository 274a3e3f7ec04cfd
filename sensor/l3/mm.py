"""Mobility management messages (TS 24.008 §9.2) declared as data, both directions: location
updating, identity, TMSI reallocation, CM service, authentication, IMSI detach, MM status and
information. Sent in LAPDm I frames (SAPI 0): no pseudo length, no fill. From a phone, bits 8-7 of
the message type carry N(SD) (TS 24.007 §11.2.3.2.3): the header masks them and keeps them in
``send_sequence_number``. Unknown optional IEs that real networks add are skipped (§8.6, TS 24.007
§11.2.4).

Example, the Location Updating Request a phone sends (TS 24.008 §9.2.15; the bytes tshark dissects
in tests/l3/test_dedicated_tshark.py)::

    05              skip indicator 0 | PD 5 (MM)
    48              N(SD) 1 (bits 8-7 01) | message type 0x08 Location Updating Request
    70              CKSN 7 (no key) | LU type 0 (normal, no follow-on request)
    62 f2 20 01 3e  LAI the phone last registered in: MCC 262, MNC 02, LAC 318
    33              MS Classmark 1: revision 1 (phase 2), ES IND 1, A5/1 available, power class 4
    05 f4 12 34 56 78   Mobile Identity: TMSI

and the reject a catcher answers with (§9.2.14)::

    05 04 0d        MM, Location Updating Reject, cause 13 "Roaming not allowed in this location area"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .codec import Message
from .elements import FLAG, HALF_OCTET, LV, TLV, TV, Field, Header, MessageSpec, Remainder, T, V
from .ie import LAI, LocationAreaIdentification
from .ie_mm import (
    AUTN,
    CKSN,
    CM_SERVICE_TYPE,
    IDENTITY_TYPE,
    IE_OCTETS,
    LOCATION_UPDATING_TYPE,
    MOBILE_IDENTITY,
    MS_CLASSMARK_1,
    MS_CLASSMARK_2,
    RAND,
    REJECT_CAUSE,
    SRES,
    LocationUpdatingType,
    MobileIdentity,
    MobileStationClassmark1,
)
from .ts24007 import ProtocolDiscriminator
from .ts24008 import (
    IEI_ADDITIONAL_UPDATE_PARAMETERS,
    IEI_AUTHENTICATION_RESPONSE_EXTENSION,
    IEI_AUTN,
    IEI_CTS_PERMISSION,
    IEI_DEVICE_PROPERTIES,
    IEI_EMERGENCY_NUMBER_LIST,
    IEI_EQUIVALENT_PLMNS,
    IEI_FOLLOW_ON_PROCEED,
    IEI_MOBILE_IDENTITY,
    IEI_MS_CLASSMARK_FOR_UMTS,
    IEI_P_TMSI_TYPE,
    IEI_PER_MS_T3212,
    IEI_PRIORITY,
    IEI_T3246_VALUE,
    IdentityType,
    MMMessageType,
)
from .ts24008 import (
    REJECT_CAUSE as REJECT_CAUSE_NAMES,
)

MM = MMMessageType


def _mm(name: str, message_type: MMMessageType, *fields) -> MessageSpec:
    return MessageSpec(
        name, (Header(ProtocolDiscriminator.MM, message_type), *fields), frame_octets=0, skip_unknown_ies=True
    )


class _Cause:
    __slots__ = ()

    @property
    def cause_name(self) -> str | None:
        """The §10.5.3.6 name of ``reject_cause``, None for a value the table does not name."""
        return REJECT_CAUSE_NAMES.get(self.reject_cause)


@dataclass(frozen=True, slots=True)
class LocationUpdatingRequest(Message):
    """§9.2.15 (MS → network)."""

    SPEC: ClassVar[MessageSpec] = _mm("Location Updating Request", MM.LOCATION_UPDATING_REQUEST,
        Field("location_updating_type", V, LOCATION_UPDATING_TYPE),
        Field("cksn", V, CKSN),
        Field("lai", V, LAI),
        Field("ms_classmark_1", V, MS_CLASSMARK_1),
        Field("mobile_identity", LV, MOBILE_IDENTITY),
        Field("ms_classmark_for_umts", TLV, MS_CLASSMARK_2, iei=IEI_MS_CLASSMARK_FOR_UMTS, optional=True),
        Field("additional_update_parameters", TV, HALF_OCTET, iei=IEI_ADDITIONAL_UPDATE_PARAMETERS, optional=True),
        Field("device_properties", TV, HALF_OCTET, iei=IEI_DEVICE_PROPERTIES, optional=True),
    )  # fmt: skip
    location_updating_type: LocationUpdatingType
    lai: LocationAreaIdentification
    ms_classmark_1: MobileStationClassmark1
    mobile_identity: MobileIdentity
    cksn: int = 7
    ms_classmark_for_umts: bytes | None = None
    additional_update_parameters: int | None = None
    device_properties: int | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class LocationUpdatingAccept(Message):
    """§9.2.13 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _mm("Location Updating Accept", MM.LOCATION_UPDATING_ACCEPT,
        Field("lai", V, LAI),
        Field("mobile_identity", TLV, MOBILE_IDENTITY, iei=IEI_MOBILE_IDENTITY, optional=True),
        Field("follow_on_proceed", T, FLAG, iei=IEI_FOLLOW_ON_PROCEED, optional=True),
        Field("cts_permission", T, FLAG, iei=IEI_CTS_PERMISSION, optional=True),
        Field("equivalent_plmns", TLV, IE_OCTETS, iei=IEI_EQUIVALENT_PLMNS, optional=True),
        Field("emergency_number_list", TLV, IE_OCTETS, iei=IEI_EMERGENCY_NUMBER_LIST, optional=True),
        Field("per_ms_t3212", TLV, IE_OCTETS, iei=IEI_PER_MS_T3212, optional=True),
    )  # fmt: skip
    lai: LocationAreaIdentification
    mobile_identity: MobileIdentity | None = None
    follow_on_proceed: bool | None = None
    cts_permission: bool | None = None
    equivalent_plmns: bytes | None = None
    emergency_number_list: bytes | None = None
    per_ms_t3212: bytes | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class _Reject(_Cause, Message):
    """What LU Reject and CM Service Reject carry: the cause, maybe a back-off timer (T3246)."""

    reject_cause: int
    t3246_value: bytes | None = None
    send_sequence_number: int = 0


def _reject(name: str, message_type: MMMessageType) -> MessageSpec:
    return _mm(name, message_type,
        Field("reject_cause", V, REJECT_CAUSE),
        Field("t3246_value", TLV, IE_OCTETS, iei=IEI_T3246_VALUE, optional=True),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class LocationUpdatingReject(_Reject):
    """§9.2.14 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _reject("Location Updating Reject", MM.LOCATION_UPDATING_REJECT)


@dataclass(frozen=True, slots=True)
class IdentityRequest(Message):
    """§9.2.10 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _mm("Identity Request", MM.IDENTITY_REQUEST,
        Field("identity_type", V, IDENTITY_TYPE),
        Field("spare", V, HALF_OCTET),
    )  # fmt: skip
    identity_type: int  # ts24008.IdentityType
    spare: int = 0
    send_sequence_number: int = 0

    @property
    def identity(self) -> IdentityType | None:
        try:
            return IdentityType(self.identity_type)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class IdentityResponse(Message):
    """§9.2.11 (MS → network)."""

    SPEC: ClassVar[MessageSpec] = _mm("Identity Response", MM.IDENTITY_RESPONSE,
        Field("mobile_identity", LV, MOBILE_IDENTITY),
        Field("p_tmsi_type", TV, HALF_OCTET, iei=IEI_P_TMSI_TYPE, optional=True),
    )  # fmt: skip
    mobile_identity: MobileIdentity
    p_tmsi_type: int | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class TmsiReallocationCommand(Message):
    """§9.2.17 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _mm("TMSI Reallocation Command", MM.TMSI_REALLOCATION_COMMAND,
        Field("lai", V, LAI),
        Field("mobile_identity", LV, MOBILE_IDENTITY),
    )  # fmt: skip
    lai: LocationAreaIdentification
    mobile_identity: MobileIdentity
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class TmsiReallocationComplete(Message):
    """§9.2.18 (MS → network): header only."""

    SPEC: ClassVar[MessageSpec] = _mm("TMSI Reallocation Complete", MM.TMSI_REALLOCATION_COMPLETE)
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class CMServiceRequest(Message):
    """§9.2.9 (MS → network): the phone wants a call, an SMS, SS ..."""

    SPEC: ClassVar[MessageSpec] = _mm("CM Service Request", MM.CM_SERVICE_REQUEST,
        Field("cm_service_type", V, CM_SERVICE_TYPE),
        Field("cksn", V, CKSN),
        Field("ms_classmark_2", LV, MS_CLASSMARK_2),
        Field("mobile_identity", LV, MOBILE_IDENTITY),
        Field("priority", TV, HALF_OCTET, iei=IEI_PRIORITY, optional=True),
        Field("additional_update_parameters", TV, HALF_OCTET, iei=IEI_ADDITIONAL_UPDATE_PARAMETERS, optional=True),
        Field("device_properties", TV, HALF_OCTET, iei=IEI_DEVICE_PROPERTIES, optional=True),
    )  # fmt: skip
    cm_service_type: int  # ts24008.CMServiceType
    ms_classmark_2: bytes
    mobile_identity: MobileIdentity
    cksn: int = 7
    priority: int | None = None
    additional_update_parameters: int | None = None
    device_properties: int | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class CMServiceAccept(Message):
    """§9.2.5 (network → MS): header only."""

    SPEC: ClassVar[MessageSpec] = _mm("CM Service Accept", MM.CM_SERVICE_ACCEPT)
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class CMServiceReject(_Reject):
    """§9.2.6 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _reject("CM Service Reject", MM.CM_SERVICE_REJECT)


@dataclass(frozen=True, slots=True)
class AuthenticationRequest(Message):
    """§9.2.2 (network → MS)."""

    SPEC: ClassVar[MessageSpec] = _mm("Authentication Request", MM.AUTHENTICATION_REQUEST,
        Field("cksn", V, CKSN),
        Field("spare", V, HALF_OCTET),
        Field("rand", V, RAND),
        Field("autn", TLV, AUTN, iei=IEI_AUTN, optional=True),
    )  # fmt: skip
    rand: bytes
    cksn: int = 0
    spare: int = 0
    autn: bytes | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class AuthenticationResponse(Message):
    """§9.2.3 (MS → network)."""

    SPEC: ClassVar[MessageSpec] = _mm("Authentication Response", MM.AUTHENTICATION_RESPONSE,
        Field("sres", V, SRES),
        Field("extended_response", TLV, IE_OCTETS, iei=IEI_AUTHENTICATION_RESPONSE_EXTENSION, optional=True),
    )  # fmt: skip
    sres: bytes
    extended_response: bytes | None = None
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class AuthenticationReject(Message):
    """§9.2.1 (network → MS): header only."""

    SPEC: ClassVar[MessageSpec] = _mm("Authentication Reject", MM.AUTHENTICATION_REJECT)
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class ImsiDetachIndication(Message):
    """§9.2.12 (MS → network)."""

    SPEC: ClassVar[MessageSpec] = _mm("IMSI Detach Indication", MM.IMSI_DETACH_INDICATION,
        Field("ms_classmark_1", V, MS_CLASSMARK_1),
        Field("mobile_identity", LV, MOBILE_IDENTITY),
    )  # fmt: skip
    ms_classmark_1: MobileStationClassmark1
    mobile_identity: MobileIdentity
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class MMStatus(_Cause, Message):
    """§9.2.16 (both directions)."""

    SPEC: ClassVar[MessageSpec] = _mm("MM Status", MM.MM_STATUS, Field("reject_cause", V, REJECT_CAUSE))
    reject_cause: int
    send_sequence_number: int = 0


@dataclass(frozen=True, slots=True)
class MMInformation(Message):
    """§9.2.15a (network → MS): network names, time zone ... kept as octets."""

    SPEC: ClassVar[MessageSpec] = MessageSpec(
        "MM Information", (Header(ProtocolDiscriminator.MM, MM.MM_INFORMATION), Remainder("body")), frame_octets=0
    )
    body: bytes = b""
    send_sequence_number: int = 0


MM_MESSAGES = (
    LocationUpdatingRequest, LocationUpdatingAccept, LocationUpdatingReject, IdentityRequest, IdentityResponse,
    TmsiReallocationCommand, TmsiReallocationComplete, CMServiceRequest, CMServiceAccept, CMServiceReject,
    AuthenticationRequest, AuthenticationResponse, AuthenticationReject, ImsiDetachIndication, MMStatus, MMInformation,
)  # fmt: skip
