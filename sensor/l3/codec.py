"""The one decoder of L3 messages declared as data (TS 24.007 §11.2), the ``Message`` base class and
the dispatch key of a declaration. The declarations' vocabulary is in :mod:`.elements`, the encoder
that walks them the other way in :mod:`.encoder`.

A message class declares its layout once, as ``SPEC``: a :class:`MessageSpec` whose ``fields`` are,
in order of transmission,

* :class:`Field` — one information element: the attribute it fills, its format of TS 24.007
  §11.2.1.1 (V, T, TV, LV, TLV, LV-E, TLV-E), its IEI, its :class:`IEType` (how the value part
  reads and writes) and whether it is optional; a ``const`` field (protocol discriminator, skip
  indicator, message type) is written from the spec and checked when read. Half-octet V and type 1
  TV elements (§11.2.1.1.1) pack two to an octet, the first in bits 4-1;
* :class:`PseudoLength` — the L2 pseudo length octet of messages sent in Bbis frames (TS 44.018
  §10.5.2.19): optional IEs end where it says, and it is computed when the message leaves it None;
* :class:`RestOctets` — the CSN.1 rest octets, which fill the frame to its end (TS 44.018 §10.5.2);
* :class:`Header` — the standard L3 header of §11.2.3 in one element: PD, skip indicator or
  transaction identifier (TI flag, TI value, the extended TI octet), message type with the N(SD)
  bits of a phone's MM/CC/SS messages masked; TI and N(SD) become message attributes;
* :class:`Remainder` — the octets after the last IE kept as ``bytes`` (undecoded bodies, rest
  octets kept as octets; fill octets dropped in frame-filling messages).

A spec with ``skip_unknown_ies`` reads its non-imperative part as TS 24.007 §11.2.4 and TS 24.008
§8.5-§8.6 say: known IEs in any order, the first of a repeated IE kept, unknown IEs skipped by the
format their IEI implies (bit 8 = 1: one octet; else TLV), an unknown IEI with bits 8-5 = 0000
("comprehension required") an error. The System Information messages keep the strict reading.

:func:`decode` walks the spec over the octets in three passes — where each element lies (its
IEI, length, the pseudo length), then the rest octets, then each element's value — and builds the
class from keyword arguments (a plan made once per spec reads the fixed-offset prefix by slicing,
with the element walk as its reference and fallback); :func:`.encoder.encode` walks it the other
way. Errors are
:class:`L3ParseError` and :class:`L3EncodeError`, whatever the octets.

Example: SI4 (TS 44.018 §9.1.36) is declared as::

    PseudoLength(), *RR_HEADER(SYSTEM_INFORMATION_4),
    Field("lai", V, LAI), Field("cell_selection_parameters", V, CELL_SELECTION),
    Field("rach_control", V, RACH_CONTROL),
    Field("cbch_channel_description", TV, CHANNEL_DESCRIPTION, iei=0x64, optional=True),
    Field("cbch_mobile_allocation", TLV, MOBILE_ALLOCATION, iei=0x72, optional=True,
          requires="cbch_channel_description"),
    RestOctets("rest_octets", SI4RestOctets)

and a real SI4 with no CBCH (vf_call6 ARFCN 725) reads as::

    31 | 06 | 1c | 62 f2 20 01 3e | 60 09 | b9 00 00 | e8 1f 73 2b 2b 2b 2b 2b 2b 2b
    plen 12, RR, SI4, LAI, cell selection, RACH control; 1 + 12 = octet 13: no optional IE; rest octets
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import call, itemgetter
from typing import Any, ClassVar

from sensor.l2.ts44006 import FILL_OCTET

from .elements import (
    Field,
    Header,
    MessageSpec,
    PseudoLength,
    Remainder,
    RestOctets,
)
from .encoder import encode
from .errors import L3ParseError, TruncatedMessage
from .ts24007 import (
    IEI_COMPREHENSION_REQUIRED_HIGH_BITS,
    IEI_ONE_OCTET_BIT,
    LENGTH_OCTETS,
    MESSAGE_TYPE_MASK_WITH_NSD,
    NSD_SHIFT,
    SKIP_INDICATOR,
    TI_EXTENDED_VALUE_MASK,
    TI_EXTENSION_BIT,
    TI_FLAG_BIT,
    TI_VALUE_EXTENDED,
    TI_VALUE_MASK,
)

# --------------------------------------------------------------------------- decoding


def _length(data: bytes, pos: int, n: int) -> int:
    return int.from_bytes(data[pos : pos + n], "big")


def _read_header(spec: MessageSpec, h: Header, data: bytes, pos: int, kw: dict[str, Any]) -> int:
    """TS 24.007 §11.2.3: check the PD, read the skip indicator or TI and the message type (N(SD)
    masked); the TI and N(SD) go into ``kw``. Returns where the message's IEs start."""
    if pos + 2 > len(data):
        raise TruncatedMessage(f"{spec.name} ends in its header")
    octet = data[pos]
    if octet & 0x0F != h.pd:
        raise L3ParseError(f"{spec.name} protocol discriminator is {octet & 0x0F}, expected {int(h.pd)}")
    high, pos = octet >> 4, pos + 1
    if h.ti:
        kw["ti_flag"] = int(bool(high & TI_FLAG_BIT))
        value = high & TI_VALUE_MASK
        if value == TI_VALUE_EXTENDED:
            if pos + 2 > len(data):
                raise TruncatedMessage(f"{spec.name} ends in its extended transaction identifier")
            if not data[pos] & TI_EXTENSION_BIT:
                raise L3ParseError(f"{spec.name} extended TI octet {data[pos]:#04x} has EXT bit 0 (§11.2.3.1.3)")
            value, pos = data[pos] & TI_EXTENDED_VALUE_MASK, pos + 1
        kw["ti_value"] = value
    elif high != SKIP_INDICATOR:
        raise L3ParseError(f"{spec.name} skip indicator {high} is not 0: the message is ignored (§11.2.3.1.2)")
    message_type = data[pos]
    if h.nsd:
        kw["send_sequence_number"] = message_type >> NSD_SHIFT
        message_type &= MESSAGE_TYPE_MASK_WITH_NSD
    if message_type != h.message_type:
        raise L3ParseError(f"{spec.name} message type is {message_type:#04x}, expected {h.message_type:#04x}")
    return pos + 1


def _optional_part(spec: MessageSpec, data: bytes, pos: int, end: int, limit: str, raws: list) -> int:
    """The non-imperative part read as TS 24.007 §11.2.4 and TS 24.008 §8.6 say: known IEs in any
    order (the first of a repeated one kept), unknown ones skipped by the format their IEI implies
    (bit 8 = 1: one octet, type 1 or 2; else TLV), an unknown "comprehension required" IEI (bits
    8-5 = 0000) an error. Returns the end of the part."""
    fields = [f for f in spec.fields if isinstance(f, Field) and f.optional]
    whole = {f.iei: f for f in fields if not f.ie.half}
    halves = {f.iei: f for f in fields if f.ie.half}
    seen: set[str] = set()
    while pos < end:
        iei = data[pos]
        f = whole.get(iei) or halves.get(iei >> 4)
        if f is None:
            if iei >> 4 == IEI_COMPREHENSION_REQUIRED_HIGH_BITS:
                raise L3ParseError(f"{spec.name}: unknown IE {iei:#04x} is comprehension required (§11.2.4)")
            k, fixed = (0, 0) if iei & IEI_ONE_OCTET_BIT else (1, None)
        elif f.ie.half:
            k, fixed = 0, -1
        else:
            k, fixed = LENGTH_OCTETS[f.format], (f.ie.octets or 0)
        if k and pos + 1 + k > end:
            raise L3ParseError(f"{spec.name} IE {iei:#04x} runs past {limit}")
        n = _length(data, pos + 1, k) if k else max(fixed or 0, 0)
        if pos + 1 + k + n > end:
            raise L3ParseError(f"{spec.name} IE {iei:#04x} runs past {limit}")
        if f is not None and f.name not in seen:
            seen.add(f.name)
            raws.append((f, data[pos] & 0x0F if fixed == -1 else bytes(data[pos + 1 + k : pos + 1 + k + n])))
        pos += 1 + k + n
    return pos


def _walk(
    spec: MessageSpec, data: bytes, start: int, pos: int, plen: int | None, header: dict[str, Any], raws: list
) -> int:
    """Pass 1 from element ``start`` at octet ``pos`` (``plen``: the pseudo length read before it):
    where each element lies. The pseudo length and header values go into ``header``, (field, raw
    value) pairs of the fields present into ``raws``; returns where the rest octets start."""
    half, end = None, len(data)
    limit = "the end of the message"
    optionals = False
    for el in spec.fields[start:]:
        if isinstance(el, PseudoLength):
            if pos >= len(data):
                raise TruncatedMessage(f"{spec.name} ends before its L2 pseudo length")
            plen = data[pos] >> 2
            header[el.name] = plen
            pos += 1
            continue
        if isinstance(el, Header):
            pos = _read_header(spec, el, data, pos, header)
            continue
        if isinstance(el, (RestOctets, Remainder)):
            continue
        f = el
        if not f.optional:
            if f.ie.half:
                if half is None:
                    if pos >= len(data):
                        raise TruncatedMessage(f"{spec.name} ends before its {f.ie.title}")
                    raw, half = data[pos] & 0x0F, data[pos] >> 4
                    pos += 1
                else:
                    raw, half = half, None
            else:
                k = LENGTH_OCTETS[f.format]
                n = f.ie.octets if k == 0 else _length(data, pos, k)
                if n is None or pos + k + n > len(data):
                    raise TruncatedMessage(f"{spec.name} {f.ie.title} runs past the end of the message")
                raw = bytes(data[pos + k : pos + k + n])
                pos += k + n
            raws.append((f, raw))
            continue
        if not optionals:  # optional IEs end where the pseudo length says, else at the end of the octets
            optionals = True
            if plen is not None:
                end, limit = min(max(1 + plen, pos), len(data)), "the L2 pseudo length"
            if spec.skip_unknown_ies:
                return _optional_part(spec, data, pos, end, limit, raws)
        if pos < end and (data[pos] >> 4 if f.ie.half else data[pos]) == f.iei:  # type 1 TV: IEI in bits 8-5
            pos = _optional_ie(spec, f, data, pos, end, limit, raws)
    if spec.skip_unknown_ies and (plen is not None or not any(isinstance(el, Remainder) for el in spec.fields)):
        # no optional IE declared: what lies before the pseudo length end or the message end are unknown IEs
        if plen is not None:
            end, limit = min(max(1 + plen, pos), len(data)), "the L2 pseudo length"
        return _optional_part(spec, data, pos, end, limit, raws)
    if optionals and pos != end:
        _octets_left(spec, data, pos, plen)
    return pos


def _optional_ie(spec: MessageSpec, f: Field, data: bytes, pos: int, end: int, limit: str, raws: list) -> int:
    """The optional IE ``f`` whose IEI is at ``pos``: its raw value goes to ``raws``; returns where it ends."""
    if f.ie.half:
        raws.append((f, data[pos] & 0x0F))
        return pos + 1
    k = LENGTH_OCTETS[f.format]
    if k:
        if pos + 1 + k > end or pos + 1 + k + _length(data, pos + 1, k) > end:
            raise L3ParseError(f"{spec.name} {f.ie.title} runs past {limit}")
        n = _length(data, pos + 1, k)
    else:
        n = f.ie.octets or 0
        if pos + 1 + n > end:
            raise L3ParseError(f"{spec.name} {f.ie.title} runs past {limit}")
    raws.append((f, bytes(data[pos + 1 + k : pos + 1 + k + n])))
    return pos + 1 + k + n


def _octets_left(spec: MessageSpec, data: bytes, pos: int, plen: int | None) -> None:
    """Octets after the last optional IE of a message that does not skip unknown IEs: an error."""
    if plen is not None:
        raise L3ParseError(f"{spec.name} L2 pseudo length {plen} does not match its optional IEs (end at octet {pos})")
    raise L3ParseError(f"{spec.name}: octet {pos} ({data[pos]:#04x}) is no IE of the message")


def _optionals(
    spec: MessageSpec, fields: tuple[tuple[Field, int | None, bool], ...], data: bytes, pos: int, plen: int | None,
    raws: list,
) -> int:  # fmt: skip
    """The optional IEs ``fields`` ((field, IEI, half octet)) of a message that does not skip unknown
    IEs, from ``pos`` on, when nothing but optional IEs (and rest octets) follows: what :func:`_walk`
    does from its first optional IE. Returns where they end."""
    end, limit = len(data), "the end of the message"
    if plen is not None:
        end, limit = min(max(1 + plen, pos), len(data)), "the L2 pseudo length"
    for f, iei, half in fields:
        if pos >= end:
            break
        if (data[pos] >> 4 if half else data[pos]) == iei:
            pos = _optional_ie(spec, f, data, pos, end, limit, raws)
    if pos != end:
        _octets_left(spec, data, pos, plen)
    return pos


@dataclass(frozen=True, slots=True)
class _Plan:
    """What :func:`decode` works out once per spec: the leading elements that lie at fixed offsets
    (the pseudo length, headers without TI, fixed-length mandatory fields, ``const`` fields whose
    octets are known), read by slicing when the message is long enough and its constant bits
    (``mask``/``expect`` over octets ``lo..hi``) are right; any other message is walked element by
    element from the start, which reports what is wrong exactly as it always did."""

    spec: MessageSpec
    octets: int  # length of the fixed prefix
    lo: int  # the octets that hold the constant bits of the prefix (headers, const fields) ...
    hi: int
    mask: int  # ... the constant bits, as one integer ...
    expect: int  # ... and their values
    plen: tuple[int, str] | None  # (offset, name) of the pseudo length
    nsd: tuple[int, ...]  # offsets of message types whose bits 8-7 are N(SD)
    names: tuple[str, ...]  # the other fields of the prefix, in order ...
    decoders: tuple[Callable[[Any], Any], ...]  # ... what decodes each ...
    raw: Callable[[bytes], tuple[Any, ...]] | None  # ... and the raw values of all of them from the octets
    tail: int  # index of the first element walked after the prefix
    optionals: tuple[tuple[Field, int | None, bool], ...] | None  # all that follows: optional IEs (see _optionals)
    walk: bool  # whether anything is left to walk (fields, or the unknown IEs of skip_unknown_ies)
    rests: tuple[RestOctets | Remainder, ...]


def _folded_const(f: Field) -> Any:
    """The raw value part of a ``const`` field (an int for half octets), or None when its IE type
    does not give it back as ``const``: the field is then checked by decoding, not by comparing bits."""
    try:
        raw = f.ie.encode(f.const)
        ok = f.ie.decode(raw) == f.const
    except Exception:  # noqa: BLE001 - an encoder that cannot write the constant: no folding
        return None
    if f.ie.half:
        return raw if ok and isinstance(raw, int) and 0 <= raw <= 15 else None
    return raw if ok and isinstance(raw, bytes) and len(raw) == f.ie.octets else None


def _nibble_decoder(value_of: Callable[[int], Any], shift: int) -> Callable[[int], Any]:
    return lambda octet: value_of((octet >> shift) & 0x0F)


def _compile(spec: MessageSpec) -> _Plan:
    pos, half_at, plen, nsd = 0, None, None, []
    mask = expect = 0  # bits indexed from the first octet, as in int.from_bytes(octets, "big")
    constant: list[tuple[int, int, int]] = []  # (offset, mask, value) of one octet
    values: list[tuple[str, Callable[[Any], Any], int, int, int | None]] = []
    safe = (0, 0, 0, 0, 0)  # where the prefix may end: element, octets, len(constant), len(values), len(nsd)
    for i, el in enumerate(spec.fields):
        if half_at is None:
            safe = (i, pos, len(constant), len(values), len(nsd))
        if isinstance(el, (RestOctets, Remainder)):
            continue
        if isinstance(el, PseudoLength) and plen is None:
            plen, pos = (pos, el.name), pos + 1
        elif isinstance(el, Header) and not el.ti:
            message_type_mask = MESSAGE_TYPE_MASK_WITH_NSD if el.nsd else 0xFF
            constant += [(pos, 0xFF, SKIP_INDICATOR << 4 | el.pd), (pos + 1, message_type_mask, el.message_type)]
            if el.nsd:
                nsd.append(pos + 1)
            pos += 2
        elif not isinstance(el, Field) or el.optional:
            break
        elif el.ie.half:
            if half_at is None:
                at, shift, half_at, pos = pos, 0, pos, pos + 1
            else:
                at, shift, half_at = half_at, 4, None
            if el.const is None:
                values.append((el.name, el.ie.decode, at, at + 1, shift))
            elif (raw := _folded_const(el)) is not None:
                constant.append((at, 0x0F << shift, raw << shift))
            else:
                break
        elif LENGTH_OCTETS[el.format] == 0 and el.ie.octets is not None:
            n = el.ie.octets
            if el.const is None:
                values.append((el.name, el.ie.decode, pos, pos + n, None))
            elif (raw := _folded_const(el)) is not None:
                constant += [(pos + j, 0xFF, octet) for j, octet in enumerate(raw)]
            else:
                break
            pos += n
        else:
            break
    else:
        if half_at is None:
            safe = (len(spec.fields), pos, len(constant), len(values), len(nsd))
    tail, octets, n_constant, n_values, n_nsd = safe
    constant, values = constant[:n_constant], values[:n_values]
    lo, hi = min((at for at, _, _ in constant), default=0), max((at + 1 for at, _, _ in constant), default=0)
    for at, m, v in constant:
        shift = 8 * (hi - 1 - at)
        mask |= m << shift
        expect |= v << shift
    if plen is not None and plen[0] >= octets:
        plen = None
    # a whole value part is a slice of the octets; a half octet is taken with its octet and shifted
    getters = [slice(start, stop) if shift is None else start for _, _, start, stop, shift in values]
    decoders = tuple(
        value_of if shift is None else _nibble_decoder(value_of, shift) for _, value_of, _, _, shift in values
    )
    raw = None if not getters else itemgetter(*getters) if len(getters) > 1 else lambda data: (data[getters[0]],)
    rests = tuple(el for el in spec.fields if isinstance(el, (RestOctets, Remainder)))
    walk = spec.skip_unknown_ies or any(not isinstance(el, (RestOctets, Remainder)) for el in spec.fields[tail:])
    names = tuple(name for name, *_ in values)
    after = [el for el in spec.fields[tail:] if not isinstance(el, (RestOctets, Remainder))]
    optionals = None
    if after and not spec.skip_unknown_ies and all(isinstance(el, Field) and el.optional for el in after):
        optionals = tuple((el, el.iei, el.ie.half) for el in after)  # type: ignore[union-attr]
    plan = _Plan(
        spec, octets, lo, hi, mask, expect, plen, tuple(nsd[:n_nsd]), names, decoders, raw, tail, optionals, walk, rests
    )
    _PLANS[id(spec)] = plan
    return plan


_PLANS: dict[int, _Plan] = {}


def decode(cls: Any, data: bytes, *, strict: bool = True) -> Any:
    """``cls`` (a class with a ``SPEC``) from ``data``: layout, then rest octets, then each field's value."""
    spec: MessageSpec = cls.SPEC
    plan = _PLANS.get(id(spec))
    if plan is None or plan.spec is not spec:
        plan = _compile(spec)
    kw: dict[str, Any] = {}
    raws: list[tuple[Field, Any]] = []
    n = plan.octets
    fast = (
        type(data) is bytes
        and len(data) >= n
        and int.from_bytes(data[plan.lo : plan.hi], "big") & plan.mask == plan.expect
    )
    if fast:
        plen = None
        if plan.plen is not None:
            plen = data[plan.plen[0]] >> 2
            kw[plan.plen[1]] = plen
        for at in plan.nsd:
            kw["send_sequence_number"] = data[at] >> NSD_SHIFT
        if plan.optionals is not None:
            rest_at = _optionals(spec, plan.optionals, data, n, plen, raws)
        else:
            rest_at = _walk(spec, data, plan.tail, n, plen, kw, raws) if plan.walk else n
    else:
        rest_at = _walk(spec, data, 0, 0, None, kw, raws)
    for el in plan.rests:
        if isinstance(el, RestOctets):
            try:
                kw[el.name], kw[el.error] = el.type.parse(bytes(data[rest_at:])), None
            except L3ParseError as exc:
                if strict:
                    raise
                kw[el.name], kw[el.error] = None, str(exc)
        else:
            tail = bytes(data[rest_at:])
            kw[el.name] = tail.rstrip(bytes([FILL_OCTET])) if spec.frame_octets else tail
    if fast and plan.raw is not None:
        kw.update(zip(plan.names, map(call, plan.decoders, plan.raw(data))))
    for f, raw in raws:
        value = f.ie.decode(raw)
        if f.const is not None:
            if value != f.const:
                raise L3ParseError(f"{spec.name} {f.name} is {value}, expected {f.const}")
            continue
        kw[f.name] = value
    return cls(**kw)


def message_key(spec: MessageSpec) -> tuple[int, int]:
    """(protocol discriminator, message type) of a message declared with a :class:`Header` or with
    :func:`rr_header` fields: the key of the dispatch registry."""
    for el in spec.fields:
        if isinstance(el, Header):
            return int(el.pd), el.message_type
    consts = {el.name: el.const for el in spec.fields if isinstance(el, Field) and el.const is not None}
    return int(consts["protocol_discriminator"]), int(consts["message_type"])


class Message:
    """Base of the messages declared as data: ``to_l2()`` encodes, ``decode(cls, ...)`` builds one."""

    __slots__ = ()
    SPEC: ClassVar[MessageSpec]

    def to_l2(self) -> bytes:
        return encode(self)
