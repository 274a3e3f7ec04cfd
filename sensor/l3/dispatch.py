"""One registry of the standard L3 messages (TS 24.007 §11.2.3) by (protocol discriminator, message
type), and :func:`decode_l3`, total over any octets.

Covered: RR (the BCCH and SACCH System Information, the CCCH assignments and pages, the dedicated
RR messages), MM, CC (header only) and SMS CP; RP lives inside CP-DATA (:func:`.rp.decode_rp`).

Design choice for unknown messages: a well-formed header whose (PD, type) has no class gives an
:class:`UnknownMessage` (pd, message_type, octets), not an error, so that a session tracker can
still count "RR type 0x3b" or a GMM message it does not read; octets whose header cannot be read
(empty, truncated, extended PD 1110) raise :class:`L3ParseError`. Anything malformed inside a
known message raises an :class:`L3ParseError` too.

Example: ``decode_l3(bytes.fromhex("05040d"))`` is ``LocationUpdatingReject(reject_cause=13)``;
``decode_l3(bytes.fromhex("0548..."))`` an LU Request with N(SD) 1; a CCCH or SACCH frame
``decode_l3(frame, pseudo_length=True)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from .cc import CC_MESSAGES
from .codec import decode, message_key
from .cp import CP_MESSAGES
from .elements import PseudoLength
from .errors import L3ParseError, TruncatedMessage
from .messages import MESSAGE_CLASSES
from .mm import MM_MESSAGES
from .rr_ccch import CCCH_MESSAGES
from .rr_dedicated import DCCH_RR_MESSAGES
from .si_sacch import SACCH_MESSAGES
from .ts24007 import (
    MESSAGE_TYPE_MASK_WITH_NSD,
    PD_WITH_SEND_SEQUENCE_NUMBER,
    PD_WITH_TI,
    TI_VALUE_EXTENDED,
    TI_VALUE_MASK,
    ProtocolDiscriminator,
)
from .ts44018 import L2_PSEUDO_LENGTH_BITS

MESSAGES: tuple[Any, ...] = (
    *MESSAGE_CLASSES.values(), *SACCH_MESSAGES, *CCCH_MESSAGES, *DCCH_RR_MESSAGES, *MM_MESSAGES, *CC_MESSAGES,
    *CP_MESSAGES,
)  # fmt: skip
# TS 24.007 §11.2.3: (protocol discriminator, message type without N(SD)) → the class that declares it
REGISTRY: dict[tuple[int, int], Any] = {message_key(cls.SPEC): cls for cls in MESSAGES}
assert len(REGISTRY) == len(MESSAGES), "two classes declare the same (PD, message type)"


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """A message with a readable header whose (PD, message type) we do not declare."""

    pd: int
    message_type: int  # N(SD) bits masked for MM, CC, SS
    octets: bytes  # the whole message as received

    def to_l2(self) -> bytes:
        return self.octets


@functools.cache
def with_pseudo_length(cls: Any) -> bool:
    """True for a message sent after an L2 pseudo length (Bbis on the CCCH/BCCH, B4 on the SACCH).
    (Once per class: every decoded block asks; walking the fields each time cost ~30 µs a block.)"""
    return any(isinstance(el, PseudoLength) for el in cls.SPEC.fields)


def message_key_of(octets: bytes, offset: int = 0) -> tuple[int, int]:
    """(PD, message type) of the standard L3 header at ``offset`` (TI and N(SD) skipped/masked)."""
    if len(octets) < offset + 2:
        raise TruncatedMessage("the octets end before a message type")
    pd = octets[offset] & 0x0F
    if pd == ProtocolDiscriminator.EXTENSION:
        raise L3ParseError("extended protocol discriminator (1110) is not decoded")
    at = offset + 1
    if pd in PD_WITH_TI and (octets[offset] >> 4) & TI_VALUE_MASK == TI_VALUE_EXTENDED:
        at += 1
        if len(octets) <= at:
            raise TruncatedMessage("the octets end in an extended transaction identifier")
    message_type = octets[at]
    if pd in PD_WITH_SEND_SEQUENCE_NUMBER:
        message_type &= MESSAGE_TYPE_MASK_WITH_NSD
    return pd, message_type


def decode_l3(octets: bytes, *, pseudo_length: bool = False, strict: bool = True) -> Any:
    """The message in ``octets``: a declared message object or an :class:`UnknownMessage`.

    ``octets`` is an L3 message as LAPDm delivers it (the information field of I/UI frames, or
    the SABM/UA payload); with ``pseudo_length=True`` a Bbis block (BCCH/CCCH, 23 octets) or the
    L3 part of a B4 SACCH frame (after the L1 header and ``03 03``), whose first octet is the L2
    pseudo length. ``strict=False`` lets malformed BCCH rest octets through (see ``parse_si``).
    Raises only :class:`L3ParseError` (a :class:`~sensor.errors.DecodeError`).
    """
    try:
        data = bytes(octets)
    except (TypeError, ValueError) as exc:
        raise L3ParseError(f"not an octet string: {exc}") from None
    offset = 0
    if pseudo_length:
        if not data or data[0] & 0x03 != L2_PSEUDO_LENGTH_BITS:
            raise L3ParseError("the first octet is not an L2 pseudo length (bits 2-1 must be 01)")
        offset = 1
    key = message_key_of(data, offset)
    cls = REGISTRY.get(key)
    if cls is None:
        return UnknownMessage(key[0], key[1], data)
    if with_pseudo_length(cls) != pseudo_length:
        need = "with" if with_pseudo_length(cls) else "without"
        raise L3ParseError(f"{cls.SPEC.name} is sent {need} an L2 pseudo length")
    try:
        if cls in MESSAGE_CLASSES.values():
            return decode(cls, data, strict=strict)
        return decode(cls, data)
    except L3ParseError:
        raise
    except (IndexError, ValueError, KeyError, TypeError) as exc:  # defensive: keep the typed-error promise
        raise L3ParseError(f"{cls.SPEC.name} could not be decoded: {exc}") from exc
