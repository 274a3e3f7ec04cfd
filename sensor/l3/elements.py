"""The vocabulary messages are declared in (TS 24.007 §11.2): information element types and formats,
the elements of a message (fields, the TS 24.007 header, the L2 pseudo length, rest octets, an
undecoded remainder) and the message specification that strings them together.

:mod:`.codec` walks these declarations to decode and encode; each message module (``si_*``, ``mm``,
``rr_*``, ``cp``, ``rp``) declares its ``SPEC`` from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sensor.l2.ts44006 import FRAME_OCTETS

from .errors import L3EncodeError
from .ts24007 import PD_WITH_SEND_SEQUENCE_NUMBER, PD_WITH_TI, SKIP_INDICATOR, IEFormat, ProtocolDiscriminator

V, T, TV, LV, TLV, LV_E, TLV_E = (IEFormat.V, IEFormat.T, IEFormat.TV, IEFormat.LV, IEFormat.TLV, IEFormat.LV_E,
                                  IEFormat.TLV_E)  # fmt: skip


@dataclass(frozen=True, slots=True)
class IEType:
    """How the value part of one information element reads and writes.

    ``octets``: the fixed length of the value part (V and TV elements); None when a length
    indicator gives it (LV, TLV, LV-E, TLV-E). ``half``: a half-octet value (type 1, §11.2.1.1.1);
    ``decode`` then takes and ``encode`` returns an int 0..15 instead of octets. ``max_octets``
    bounds a variable value part when encoding.
    """

    title: str  # the IE's name in its specification
    decode: Callable[[Any], Any]
    encode: Callable[[Any], Any]
    octets: int | None = None
    half: bool = False
    max_octets: int | None = None


def _nibble(v: int) -> int:
    if not 0 <= v <= 15:
        raise L3EncodeError(f"half-octet value must be 0..15, got {v}")
    return v


HALF_OCTET = IEType("half octet", int, _nibble, half=True)
OCTET = IEType("octet", lambda b: b[0], lambda v: bytes([v]), octets=1)
OCTETS = IEType("octets", bytes, bytes)  # a value part kept as octets, not decoded
FLAG = IEType("flag", lambda b: True, lambda v: b"", octets=0)  # a type 2 (T only) element: present or not


@dataclass(frozen=True, slots=True)
class Field:
    """One information element of a message, TS 24.007 §11.2.1.1."""

    name: str  # attribute of the message class (or of the header, for ``const`` fields)
    format: IEFormat
    ie: IEType
    iei: int | None = None  # T, TV, TLV, TLV-E; 4 bits for a half-octet TV (type 1)
    optional: bool = False
    const: int | None = None  # every message of the type carries this value (PD, skip indicator, message type)
    requires: str | None = None  # an optional IE that may only be sent together with this other one


@dataclass(frozen=True, slots=True)
class PseudoLength:
    """The L2 pseudo length octet (TS 44.018 §10.5.2.19) of a message sent in a Bbis frame."""

    name: str = "l2_pseudo_length"


@dataclass(frozen=True, slots=True)
class RestOctets:
    """CSN.1 rest octets up to the frame end (TS 44.018 §10.5.2): a class with ``parse(octets)`` and
    ``to_bytes(length)``. Malformed rest octets fail the message when decoding strictly; otherwise
    the value is None and ``error`` (an attribute of the message) says why."""

    name: str
    type: Any
    error: str = "rest_octets_error"
    required: bool = False  # True: encoding a message without them is an error


@dataclass(frozen=True, slots=True)
class Header:
    """The header of a standard L3 message (TS 24.007 §11.2.3): protocol discriminator, skip
    indicator or transaction identifier, message type.

    Bits 8-5 of octet 1 are the transaction identifier for the protocols of
    :data:`~.ts24007.PD_WITH_TI` (§11.2.3.1.3: the message gets attributes ``ti_flag`` 0/1 and
    ``ti_value`` 0..127; values from 7 take the extended TI octet), else the skip indicator, which
    must be 0 (§11.2.3.1.2). In MM, CC and SS messages bits 8-7 of the message type are the send
    sequence number N(SD) of a mobile station (§11.2.3.2.3: attribute ``send_sequence_number``
    0..3): they are masked before the type is compared, so an LU Request 0x48 is an LU Request.
    """

    pd: ProtocolDiscriminator
    message_type: int

    @property
    def ti(self) -> bool:
        return self.pd in PD_WITH_TI

    @property
    def nsd(self) -> bool:
        return self.pd in PD_WITH_SEND_SEQUENCE_NUMBER


@dataclass(frozen=True, slots=True)
class Remainder:
    """The octets after the last IE, kept undecoded as ``bytes``: the body of a message whose IEs
    we do not decode, or rest octets kept as octets. In a message that fills a frame the trailing
    fill octets (0x2B) are dropped when decoding and written again when encoding."""

    name: str


Element = Field | PseudoLength | RestOctets | Header | Remainder


@dataclass(frozen=True, slots=True)
class MessageSpec:
    name: str  # as the errors call the message, e.g. "SI4"
    fields: tuple[Element, ...]
    frame_octets: int = FRAME_OCTETS  # fill (0x2B) to this length; 0: no fill (messages in I frames)
    # TS 24.007 §11.2.4, TS 24.008 §8.5/§8.6, TS 44.018 §8.5/§8.6: in the non-imperative part skip
    # unknown IEs that are not "comprehension required", take known IEs in any order and only the
    # first of a repeated IE. False (the System Information messages): every octet must be declared.
    skip_unknown_ies: bool = False


def rr_header(message_type: int) -> tuple[Field, Field, Field]:
    """TS 24.007 §11.2.3.1: protocol discriminator RR, skip indicator 0, the RR message type (TS 44.018 §10.4)."""
    return (
        Field("protocol_discriminator", V, HALF_OCTET, const=ProtocolDiscriminator.RR),
        Field("skip_indicator", V, HALF_OCTET, const=SKIP_INDICATOR),
        Field("message_type", V, OCTET, const=message_type),
    )
