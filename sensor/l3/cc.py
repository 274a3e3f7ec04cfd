"""Call control messages (TS 24.008 §9.3): recognised by their header alone (PD 3, transaction
identifier, message type with N(SD) from a phone), the body kept as octets. Enough to tell that a
cell set up, connected or released a call.

Example, a network-originated Setup (TS 24.008 §9.3.23.1; TI flag 0, TI value 0)::

    03              TI flag 0, TI value 0 | PD 3 (CC)
    05              message type Setup
    04 03 80 90 a3 ...   body (bearer capability ...), kept as octets
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .codec import Message
from .elements import Header, MessageSpec, Remainder
from .ts24007 import ProtocolDiscriminator
from .ts24008 import CCMessageType


@dataclass(frozen=True, slots=True)
class CCMessage(Message):
    """Base of the CC messages: TI, N(SD) and the undecoded body."""

    SPEC: ClassVar[MessageSpec]
    body: bytes = b""
    ti_flag: int = 0
    ti_value: int = 0
    send_sequence_number: int = 0


def _cc(message_type: CCMessageType) -> type[CCMessage]:
    name = message_type.name.title().replace("_", "")
    spec = MessageSpec(
        message_type.name.replace("_", " ").title(),
        (Header(ProtocolDiscriminator.CC, message_type), Remainder("body")),
        frame_octets=0,
    )
    cls = dataclass(frozen=True, slots=True)(type(name, (CCMessage,), {"SPEC": spec, "__doc__": f"§9.3 {spec.name}."}))
    cls.__module__ = __name__
    return cls


Setup = _cc(CCMessageType.SETUP)
CallProceeding = _cc(CCMessageType.CALL_PROCEEDING)
Alerting = _cc(CCMessageType.ALERTING)
Connect = _cc(CCMessageType.CONNECT)
ConnectAcknowledge = _cc(CCMessageType.CONNECT_ACKNOWLEDGE)
CallConfirmed = _cc(CCMessageType.CALL_CONFIRMED)
Progress = _cc(CCMessageType.PROGRESS)
Disconnect = _cc(CCMessageType.DISCONNECT)
Release = _cc(CCMessageType.RELEASE)
ReleaseComplete = _cc(CCMessageType.RELEASE_COMPLETE)

CC_MESSAGES = (
    Setup, CallProceeding, Alerting, Connect, ConnectAcknowledge, CallConfirmed, Progress, Disconnect, Release,
    ReleaseComplete,
)  # fmt: skip
