"""CP messages (TS 24.011 §7.2), the connection layer of point-to-point SMS on a dedicated channel
(SAPI 3): CP-DATA carrying one RPDU, CP-ACK, CP-ERROR. PD 9 with a transaction identifier; a
network-originated transfer (an SMS to the phone) carries TI flag 0 from the network and TI flag 1
in the phone's answers (TS 24.007 §11.2.3.1.3).

Example, the CP-DATA of an SMS to the phone and the phone's CP-ACK (tshark-checked in
tests/l3/test_dedicated_tshark.py)::

    09              TI flag 0, TI value 0 | PD 9 (SMS)
    01              CP-DATA
    17 01 2a 06 91 ...   CP-User data: length 23, the RPDU (an RP-DATA, see :mod:`.rp`)

    89 04           TI flag 1, TI value 0, SMS | CP-ACK
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .codec import Message
from .elements import LV, Field, Header, IEType, MessageSpec, V
from .errors import L3EncodeError
from .rp import decode_rp
from .ts24007 import ProtocolDiscriminator
from .ts24011 import CP_CAUSE, CP_USER_DATA_MAX_OCTETS, CPMessageType


def _cause_to_bytes(v: int) -> bytes:
    if not isinstance(v, int) or not 0 <= v <= 255:
        raise L3EncodeError(f"CP-Cause must be 0..255, got {v!r}")
    return bytes([v])


CP_USER_DATA = IEType("CP-User data", bytes, bytes, max_octets=CP_USER_DATA_MAX_OCTETS)  # §8.1.4.1
CP_CAUSE_IE = IEType("CP-Cause", lambda b: b[0], _cause_to_bytes, octets=1)  # §8.1.4.2


def _cp(name: str, message_type: CPMessageType, *fields) -> MessageSpec:
    return MessageSpec(
        name, (Header(ProtocolDiscriminator.SMS, message_type), *fields), frame_octets=0, skip_unknown_ies=True
    )


@dataclass(frozen=True, slots=True)
class CPData(Message):
    """§7.2.1: one RPDU."""

    SPEC: ClassVar[MessageSpec] = _cp("CP-DATA", CPMessageType.CP_DATA, Field("user_data", LV, CP_USER_DATA))
    user_data: bytes  # the RPDU
    ti_flag: int = 0
    ti_value: int = 0

    def rp(self) -> Any:
        """The RP message inside (:func:`.rp.decode_rp`; raises L3ParseError)."""
        return decode_rp(self.user_data)


@dataclass(frozen=True, slots=True)
class CPAck(Message):
    """§7.2.2."""

    SPEC: ClassVar[MessageSpec] = _cp("CP-ACK", CPMessageType.CP_ACK)
    ti_flag: int = 0
    ti_value: int = 0


@dataclass(frozen=True, slots=True)
class CPError(Message):
    """§7.2.3."""

    SPEC: ClassVar[MessageSpec] = _cp("CP-ERROR", CPMessageType.CP_ERROR, Field("cause", V, CP_CAUSE_IE))
    cause: int
    ti_flag: int = 0
    ti_value: int = 0

    @property
    def cause_name(self) -> str | None:
        return CP_CAUSE.get(self.cause)


CP_MESSAGES = (CPData, CPAck, CPError)
