"""One registry of the standard L3 messages (TS 24.007 §11.2.3) by (protocol discriminator, message
type), and :func:`decode_l3`, total over any octets.

Covered: RR (the BCCH and SACCH System Information, the CCCH assignments and pages, the dedicated
RR messages), MM, CC (header only) and SMS CP; RP lives inside CP-DATA (:func:`.rp.decode_rp`).
The registry is a table of (PD, message type) → the module declaring it: a module is imported when
a message of it is first decoded (:func:`class_of`), so that a replay of cells that never assign a
dedicated channel does not build the dedicated channels' classes at start-up.

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
import importlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .codec import Message, decode, message_key
from .elements import PseudoLength
from .errors import L3ParseError, TruncatedMessage
from .ts24007 import (
    MESSAGE_TYPE_MASK_WITH_NSD,
    PD_WITH_SEND_SEQUENCE_NUMBER,
    PD_WITH_TI,
    TI_VALUE_EXTENDED,
    TI_VALUE_MASK,
    ProtocolDiscriminator,
)
from .ts24008 import CCMessageType, MMMessageType
from .ts24011 import CPMessageType
from .ts44018 import L2_PSEUDO_LENGTH_BITS, RRMessageType

PD, RR, MM, CC, CP = ProtocolDiscriminator, RRMessageType, MMMessageType, CCMessageType, CPMessageType

# Module of this package → (protocol discriminator, the message types it declares). A module is
# imported when a message of it is first decoded, and its classes found by their own declarations
# (each class's SPEC gives its key): a replay of cells that assign no dedicated channel never builds
# the MM, CC, CP/RP and dedicated RR classes. tests/l3/test_dispatch.py holds this table equal to
# the classes the modules declare.
DECLARED_IN: dict[str, tuple[int, tuple[int, ...]]] = {
    "si_lists": (PD.RR, (  # TS 44.018 §9.1.31-§9.1.34: the BCCH's lists
        RR.SYSTEM_INFORMATION_1, RR.SYSTEM_INFORMATION_2, RR.SYSTEM_INFORMATION_2BIS, RR.SYSTEM_INFORMATION_2TER,
        RR.SYSTEM_INFORMATION_2QUATER,
    )),
    "si_cell": (PD.RR, (  # §9.1.35-§9.1.43a: the BCCH's cell messages
        RR.SYSTEM_INFORMATION_3, RR.SYSTEM_INFORMATION_4, RR.SYSTEM_INFORMATION_7, RR.SYSTEM_INFORMATION_8,
        RR.SYSTEM_INFORMATION_13,
    )),
    "si_sacch": (PD.RR, (  # §9.1.37-§9.1.40: the SACCH's
        RR.SYSTEM_INFORMATION_5, RR.SYSTEM_INFORMATION_5BIS, RR.SYSTEM_INFORMATION_5TER, RR.SYSTEM_INFORMATION_6,
    )),
    "rr_ccch": (PD.RR, (  # §9.1.18-§9.1.24: assignments and pages
        RR.IMMEDIATE_ASSIGNMENT, RR.IMMEDIATE_ASSIGNMENT_EXTENDED, RR.IMMEDIATE_ASSIGNMENT_REJECT,
        RR.PAGING_REQUEST_1, RR.PAGING_REQUEST_2, RR.PAGING_REQUEST_3,
    )),
    "rr_dedicated": (PD.RR, (  # the dedicated RR messages
        RR.PAGING_RESPONSE, RR.CHANNEL_RELEASE, RR.CIPHERING_MODE_COMMAND, RR.CIPHERING_MODE_COMPLETE,
        RR.CLASSMARK_CHANGE, RR.ASSIGNMENT_COMMAND,
    )),
    "mm": (PD.MM, (  # TS 24.008 §9.2
        MM.LOCATION_UPDATING_REQUEST, MM.LOCATION_UPDATING_ACCEPT, MM.LOCATION_UPDATING_REJECT, MM.IDENTITY_REQUEST,
        MM.IDENTITY_RESPONSE, MM.TMSI_REALLOCATION_COMMAND, MM.TMSI_REALLOCATION_COMPLETE, MM.CM_SERVICE_REQUEST,
        MM.CM_SERVICE_ACCEPT, MM.CM_SERVICE_REJECT, MM.AUTHENTICATION_REQUEST, MM.AUTHENTICATION_RESPONSE,
        MM.AUTHENTICATION_REJECT, MM.IMSI_DETACH_INDICATION, MM.MM_STATUS, MM.MM_INFORMATION,
    )),
    "cc": (PD.CC, (  # TS 24.008 §9.3 (header only)
        CC.SETUP, CC.CALL_PROCEEDING, CC.ALERTING, CC.CONNECT, CC.CONNECT_ACKNOWLEDGE, CC.CALL_CONFIRMED,
        CC.PROGRESS, CC.DISCONNECT, CC.RELEASE, CC.RELEASE_COMPLETE,
    )),
    "cp": (PD.SMS, (CP.CP_DATA, CP.CP_ACK, CP.CP_ERROR)),  # TS 24.011 §7.2
}  # fmt: skip
# The BCCH System Information: their malformed rest octets may be let through (``strict=False``)
LENIENT_MODULES = frozenset({"si_lists", "si_cell"})
# TS 24.007 §11.2.3: (protocol discriminator, message type without N(SD)) → the module declaring it
DECLARED: dict[tuple[int, int], str] = {
    (int(pd), int(message_type)): module
    for module, (pd, message_types) in DECLARED_IN.items()
    for message_type in message_types
}
assert len(DECLARED) == sum(len(types) for _, types in DECLARED_IN.values()), "a (PD, message type) twice"

_LOADED: dict[tuple[int, int], Any] = {}  # the classes of the modules imported so far, by key
_LENIENT: set[Any] = set()


def declared_by(module: ModuleType) -> dict[tuple[int, int], Any]:
    """(PD, message type) → class of the messages with a standard L3 header a module defines."""
    found = {}
    for cls in vars(module).values():
        if isinstance(cls, type) and issubclass(cls, Message) and cls.__module__ == module.__name__:
            try:
                found[message_key(cls.SPEC)] = cls
            except (AttributeError, KeyError):  # no SPEC, or no PD in it (RP: inside CP-DATA, rp.RP_REGISTRY)
                continue
    return found


def class_of(key: tuple[int, int]) -> Any:
    """The class that declares (PD, message type) ``key``, its module imported on first use; None
    for a message not declared."""
    cls = _LOADED.get(key)
    if cls is None and key in DECLARED:
        module = DECLARED[key]
        classes = declared_by(importlib.import_module(f"{__package__}.{module}"))
        if module in LENIENT_MODULES:
            _LENIENT.update(classes.values())
        _LOADED.update(classes)
        cls = _LOADED.get(key)
    return cls


class _Registry(Mapping[tuple[int, int], Any]):
    """(PD, message type) → class, as a read-only mapping whose values import their modules when read."""

    def __getitem__(self, key: tuple[int, int]) -> Any:
        cls = class_of(key)
        if cls is None:
            raise KeyError(key)
        return cls

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(DECLARED)

    def __len__(self) -> int:
        return len(DECLARED)

    def __contains__(self, key: object) -> bool:
        return key in DECLARED


REGISTRY: Mapping[tuple[int, int], Any] = _Registry()


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
    cls = class_of(key)
    if cls is None:
        return UnknownMessage(key[0], key[1], data)
    if with_pseudo_length(cls) != pseudo_length:
        need = "with" if with_pseudo_length(cls) else "without"
        raise L3ParseError(f"{cls.SPEC.name} is sent {need} an L2 pseudo length")
    try:
        if cls in _LENIENT:
            return decode(cls, data, strict=strict)
        return decode(cls, data)
    except L3ParseError:
        raise
    except (IndexError, ValueError, KeyError, TypeError) as exc:  # defensive: keep the typed-error promise
        raise L3ParseError(f"{cls.SPEC.name} could not be decoded: {exc}") from exc
