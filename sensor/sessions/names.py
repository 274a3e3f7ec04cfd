"""Names declared once: the values the ``session`` and ``sms`` objects carry (CONTRACT.md) and the
tables that map protocol values onto them, each with its clause.

Values are wire names of the outside contract and must not change.
"""

from __future__ import annotations

from typing import Any

from sensor.l3.codec import message_key
from sensor.l3.ts24007 import ProtocolDiscriminator
from sensor.l3.ts24008 import IdentityType, MMMessageType
from sensor.l3.ts44018 import RRMessageType
from sensor.sms.ts23040 import TypeOfNumber

# session.procedure: the phone's first message on the channel (TS 44.018 §3.1.5, the SABM's L3
# message the network echoes in its UA, TS 44.006 §5.4.1.4) → the procedure it starts
LOCATION_UPDATE = "location_update"
PAGING_RESPONSE = "paging_response"
CM_SERVICE = "cm_service"
IMSI_DETACH = "imsi_detach"
# (keyed by the message's (PD, message type): the messages' modules are imported when one is decoded)
PROCEDURE_OF: dict[tuple[int, int], str] = {
    (ProtocolDiscriminator.MM, MMMessageType.LOCATION_UPDATING_REQUEST): LOCATION_UPDATE,  # TS 24.008 §9.2.15
    (ProtocolDiscriminator.RR, RRMessageType.PAGING_RESPONSE): PAGING_RESPONSE,  # TS 44.018 §9.1.25
    (ProtocolDiscriminator.MM, MMMessageType.CM_SERVICE_REQUEST): CM_SERVICE,  # TS 24.008 §9.2.9
    (ProtocolDiscriminator.MM, MMMessageType.IMSI_DETACH_INDICATION): IMSI_DETACH,  # TS 24.008 §9.2.12
}


def procedure_of(message: Any) -> str | None:
    """The procedure a phone's first message starts (None: another message, or an undeclared one)."""
    spec = getattr(type(message), "SPEC", None)
    return None if spec is None else PROCEDURE_OF.get(message_key(spec))


# session.result
LU_ACCEPT = "lu_accept"
LU_REJECT = "lu_reject"
RELEASED = "released"
INCOMPLETE = "incomplete"

# session.identity_requests: TS 24.008 §10.5.3.4 Table 10.5.94, identity type → name
IDENTITY_REQUEST_NAMES: dict[int, str] = {
    IdentityType.IMSI: "imsi",
    IdentityType.IMEI: "imei",
    IdentityType.IMEISV: "imeisv",
    IdentityType.TMSI: "tmsi",
    IdentityType.P_TMSI_RAI_SIGNATURE: "p_tmsi_rai_signature",
}
UNKNOWN_IDENTITY_REQUEST = "unknown"  # a reserved type code: asked for, but for what is not defined

# sms.sender_type: TS 23.040 §9.1.2.5 type of number → name
SENDER_TYPES: dict[int, str] = {ton: ton.name.lower() for ton in TypeOfNumber}

# the session's channel as CONTRACT.md names it when the carrier's layout alone tells it
SDCCH4 = "SDCCH/4"
SDCCH8 = "SDCCH/8"
FOLLOWED_CHANNELS = (SDCCH4, SDCCH8)
