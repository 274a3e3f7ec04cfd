"""The one encoder of messages declared as data (:mod:`.elements`): the octets of a message object,
its optional IEs first (the L2 pseudo length may depend on them), then the header, the mandatory
IEs and the rest octets, filled to the frame length. :mod:`.codec` holds the decoder that walks the
same declarations the other way; round trips are tested for every declared message.
"""

from __future__ import annotations

from typing import Any

from sensor.l2.ts44006 import FILL_OCTET

from .elements import Field, Header, MessageSpec, PseudoLength, Remainder, RestOctets, T
from .errors import L3EncodeError
from .ts24007 import (
    LENGTH_OCTETS,
    NSD_SHIFT,
    SKIP_INDICATOR,
    TI_EXTENDED_VALUE_MASK,
    TI_EXTENSION_BIT,
    TI_VALUE_EXTENDED,
)
from .ts44018 import L2_PSEUDO_LENGTH_MAX, l2_pseudo_length_octet


def _value_part(spec: MessageSpec, f: Field, value: Any) -> bytes:
    raw = f.ie.encode(value)
    if f.ie.octets is not None and len(raw) != f.ie.octets:
        raise L3EncodeError(f"{spec.name} {f.ie.title} must be {f.ie.octets} octets, got {len(raw)}")
    k = LENGTH_OCTETS[f.format]
    if k and len(raw) >= 1 << (8 * k):
        raise L3EncodeError(f"{spec.name} {f.ie.title} of {len(raw)} octets does not fit its length indicator")
    return raw


def _header_octets(spec: MessageSpec, h: Header, msg: Any) -> bytes:
    """TS 24.007 §11.2.3: octet 1 (PD + skip indicator or TI, maybe the extended TI octet), message type."""
    out = bytearray()
    if h.ti:
        flag, value = msg.ti_flag, msg.ti_value
        if flag not in (0, 1) or not 0 <= value <= TI_EXTENDED_VALUE_MASK:
            raise L3EncodeError(f"{spec.name} TI flag must be 0/1 and TI value 0..127, got {flag}, {value}")
        if value < TI_VALUE_EXTENDED:
            out.append(((flag << 3) | value) << 4 | h.pd)
        else:
            out += bytes([((flag << 3) | TI_VALUE_EXTENDED) << 4 | h.pd, TI_EXTENSION_BIT | value])
    else:
        out.append(SKIP_INDICATOR << 4 | h.pd)
    message_type = h.message_type
    if h.nsd:
        nsd = msg.send_sequence_number
        if not 0 <= nsd <= 3:
            raise L3EncodeError(f"{spec.name} send sequence number must be 0..3, got {nsd}")
        message_type |= nsd << NSD_SHIFT
    out.append(message_type)
    return bytes(out)


def encode(msg: Any) -> bytes:
    """The octets of ``msg`` (an instance of a class with a ``SPEC``), filled to the frame length.

    Required rest octets are checked first, then the optional IEs are encoded (the pseudo length may
    depend on them), then the pseudo length is checked, then the mandatory IEs and the rest octets."""
    spec: MessageSpec = msg.SPEC
    for el in spec.fields:
        if isinstance(el, RestOctets) and el.required and getattr(msg, el.name) is None:
            raise L3EncodeError(f"{spec.name} needs its rest octets")
    optional: dict[str, bytes] = {}
    for f in spec.fields:
        if not isinstance(f, Field) or not f.optional:
            continue
        value = getattr(msg, f.name)
        if value is None or (f.format is T and not value):
            continue
        raw = b"" if f.format is T else _value_part(spec, f, value)
        if (f.requires is not None and getattr(msg, f.requires) is None) or (
            f.ie.max_octets is not None and len(raw) > f.ie.max_octets
        ):
            if f.requires is None:
                raise L3EncodeError(f"{f.ie.title} must be at most {f.ie.max_octets} octets")
            required = next(g for g in spec.fields if isinstance(g, Field) and g.name == f.requires)
            raise L3EncodeError(f"{f.ie.title} needs a {required.ie.title} and at most {f.ie.max_octets} octets")
        if f.ie.half:
            optional[f.name] = bytes([(f.iei or 0) << 4 | raw])
        else:
            k = LENGTH_OCTETS[f.format]
            optional[f.name] = bytes([f.iei or 0]) + (len(raw).to_bytes(k, "big") if k else b"") + raw
    plen_el = next((el for el in spec.fields if isinstance(el, PseudoLength)), None)
    plen = None if plen_el is None else getattr(msg, plen_el.name)
    if plen is not None:
        _check_pseudo_length(plen)
    body, half = bytearray(), None
    rest: RestOctets | None = None
    remainder: Remainder | None = None
    for el in spec.fields:
        if isinstance(el, RestOctets):
            rest = el
            continue
        if isinstance(el, Remainder):
            remainder = el
            continue
        if isinstance(el, Header):
            body += _header_octets(spec, el, msg)
            continue
        if not isinstance(el, Field):
            continue
        if el.optional:
            body += optional.get(el.name, b"")
            continue
        value = el.const if el.const is not None else getattr(msg, el.name)
        if el.ie.half:
            if half is None:
                half = len(body)
                body.append(el.ie.encode(value))
            else:
                body[half] |= el.ie.encode(value) << 4
                half = None
            continue
        raw = _value_part(spec, el, value)
        if el.ie.max_octets is not None and len(raw) > el.ie.max_octets:
            raise L3EncodeError(f"{spec.name} {el.ie.title} must be at most {el.ie.max_octets} octets, got {len(raw)}")
        k = LENGTH_OCTETS[el.format]
        body += (len(raw).to_bytes(k, "big") if k else b"") + raw
    out = bytes(body)
    if plen_el is not None:
        if plen is None:
            plen = len(out)
            _check_pseudo_length(plen)
        out = bytes([l2_pseudo_length_octet(plen)]) + out
    if rest is not None:
        value = getattr(msg, rest.name)
        out += (value or rest.type()).to_bytes(spec.frame_octets - len(out))
    if remainder is not None:
        tail = getattr(msg, remainder.name)
        if not isinstance(tail, (bytes, bytearray)):
            raise L3EncodeError(f"{spec.name} {remainder.name} must be octets, got {type(tail).__name__}")
        out += bytes(tail)
    if spec.frame_octets:
        if len(out) > spec.frame_octets:
            raise L3EncodeError(f"message of {len(out)} octets exceeds {spec.frame_octets}")
        out += bytes([FILL_OCTET]) * (spec.frame_octets - len(out))
    return out


def _check_pseudo_length(plen: int) -> None:
    if not 0 <= plen <= L2_PSEUDO_LENGTH_MAX:
        raise L3EncodeError(f"L2 pseudo length must be 0..{L2_PSEUDO_LENGTH_MAX}, got {plen}")
