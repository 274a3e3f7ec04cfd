"""GSM frequency lists: the 16-octet channel lists of System Information, both directions.

One 16-octet value part carries a set of ARFCNs in one of six formats (TS 44.018 §10.5.2.13):

=================  =========================================  ====================================
format             FORMAT-ID (octet 2 bits 8 7 . . 4 3 2)     capacity in 16 octets
=================  =========================================  ====================================
bit map 0          0 0 x x x x x                              any subset of ARFCN 1..124
range 1024         1 0 x x 0 x x                              16 ARFCNs in 1..1023, plus ARFCN 0 (F0)
range 512          1 0 x x 1 0 0                              ORIG-ARFCN + 17 within ORIG..ORIG+511
range 256          1 0 x x 1 0 1                              ORIG-ARFCN + 21 within ORIG..ORIG+255
range 128          1 0 x x 1 1 0                              ORIG-ARFCN + 28 within ORIG..ORIG+127
variable bit map   1 0 x x 1 1 1                              ORIG-ARFCN + any of ORIG+1..ORIG+111
=================  =========================================  ====================================

(ORIG-relative ARFCNs wrap modulo 1024.) The same 16 octets appear in four information elements
that differ only in what bits 7, 6, 5 of octet 2 mean (:class:`ListIE`):

* Cell Channel Description (§10.5.2.1b, SI1) and Frequency List (§10.5.2.13): spare;
* Neighbour Cell Description (§10.5.2.22, SI2/SI2bis): bit 6 EXT-IND, bit 5 BA-IND;
* Neighbour Cell Description 2 (§10.5.2.22a, SI2ter): bits 7-6 MULTIBAND_REPORTING, bit 5 BA-IND;
  the format is then given by bit 8 and bits 4-2 only (bit 8 = 0: bit map 0).

The range formats store the ARFCNs as a binary tree of numbers W(1), W(2), ... (§10.5.2.13.3,
algorithm of Annex J): W(k) at depth d (k in 2^d .. 2^(d+1)-1) has log2(RANGE) - d bits; node k
has its left child at k + 2^d and its right child at k + 2^(d+1); a node's W is its value
relative to its parent's W within a circular window of half the parent's size. W = 0 marks an
absent node. Our encoder picks as pivot of each subtree the element that leaves
floor((n-1)/2) elements in the window after it and the rest in the window before it, so the
nodes used are exactly W(1)..W(n) and any standard decoder (one that stops at the first null W
or one that skips nulls) reads the same list.

Example, the Neighbour Cell Description of a real SI2 (vf_call6 ARFCN 725)::

    8f         1 0 format | 0 EXT-IND, 0 BA-IND | 1 1 1 variable bit map | ORIG-ARFCN bit 10: 1
    6d 18      ORIG-ARFCN bits 9-1: 0110 1101 0 -> 730 | RRFCN 1..7 bits: 001 1000 -> 733, 734
    10 80      RRFCN 8..15: 0001 0000 -> 741 | RRFCN 16: 1 -> 746
    00 ...     no further neighbours
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .bits import BitReader, BitWriter
from .errors import FrequencyListEncodeError, L3ParseError

IE_LENGTH = 16  # octets of the value part in SI1/SI2/SI2bis/SI2ter (TS 44.018 §10.5.2.1b, .22, .22a)
MAX_ARFCN = 1023


class FreqListFormat(str, enum.Enum):
    """Frequency list formats of TS 44.018 §10.5.2.13.1-.7."""

    BITMAP_0 = "bitmap0"
    RANGE_1024 = "range1024"
    RANGE_512 = "range512"
    RANGE_256 = "range256"
    RANGE_128 = "range128"
    VARIABLE_BITMAP = "variable_bitmap"


class ListIE(str, enum.Enum):
    """Which information element the 16 octets belong to (meaning of octet 2 bits 7..5)."""

    CELL_CHANNEL = "cell_channel"  # §10.5.2.1b Cell Channel Description
    FREQUENCY_LIST = "frequency_list"  # §10.5.2.13 Frequency List (value part)
    NEIGHBOUR = "neighbour"  # §10.5.2.22 Neighbour Cell Description
    NEIGHBOUR_2 = "neighbour_2"  # §10.5.2.22a Neighbour Cell Description 2


@dataclass(frozen=True, slots=True)
class _RangeSpec:
    range: int  # RANGE: 1024, 512, 256 or 128
    format_bits: int  # octet 2 bits 4 3 2 (range 1024: bit 4 = 0, bits 3..2 carry F0 and W(1))
    header_bits: int  # bits before W(1), counted from octet 2 bit 8
    max_w: int  # W(k) that fit in 16 octets


# TS 44.018 §10.5.2.13.3 (range 1024), .4 (512), .5 (256), .6 (128): layout in the 16-octet IE.
_RANGE_SPECS: dict[FreqListFormat, _RangeSpec] = {
    FreqListFormat.RANGE_1024: _RangeSpec(1024, 0b000, 6, 16),
    FreqListFormat.RANGE_512: _RangeSpec(512, 0b100, 17, 17),
    FreqListFormat.RANGE_256: _RangeSpec(256, 0b101, 17, 21),
    FreqListFormat.RANGE_128: _RangeSpec(128, 0b110, 17, 28),
}
_VARIABLE_BITMAP_BITS = 0b111  # §10.5.2.13.7
_VARIABLE_BITMAP_SPAN = 111  # RRFCN 1..111 in 16 octets
_BITMAP0_MAX = 124  # §10.5.2.13.2: ARFCN 1..124

# Formats the chooser tries after bit map 0, in the order a network would (smallest range first).
_CHOOSER_ORDER = (
    FreqListFormat.RANGE_128,
    FreqListFormat.RANGE_256,
    FreqListFormat.RANGE_512,
    FreqListFormat.RANGE_1024,
    FreqListFormat.VARIABLE_BITMAP,
)


def _w_width(range_: int, k: int) -> int:
    """Bits of W(k) in a range-``range_`` list: log2(RANGE) - floor(log2(k))."""
    return range_.bit_length() - 1 - (k.bit_length() - 1)


def _max_w_that_fit(range_: int, available_bits: int) -> int:
    k, used = 0, 0
    while True:
        width = _w_width(range_, k + 1)
        if width <= 0 or used + width > available_bits:
            return k
        used += width
        k += 1


# The table above, checked against the layout rule once at import.
for _spec in _RANGE_SPECS.values():
    assert _max_w_that_fit(_spec.range, IE_LENGTH * 8 - _spec.header_bits) == _spec.max_w


@dataclass(frozen=True, slots=True)
class FrequencyList:
    """A decoded channel list. ``arfcns`` is sorted and free of duplicates."""

    arfcns: tuple[int, ...]
    format: FreqListFormat
    ie: ListIE
    ba_ind: int | None = None  # NEIGHBOUR, NEIGHBOUR_2
    ext_ind: bool | None = None  # NEIGHBOUR: True = this IE carries only part of the BA
    multiband_reporting: int | None = None  # NEIGHBOUR_2
    orig_arfcn: int | None = None  # range 512/256/128 and variable bit map


# --------------------------------------------------------------------------- range tree


def _greatest_power_of_2_le(k: int) -> int:
    return 1 << (k.bit_length() - 1)


def range_tree_decode(w: list[int], range_: int) -> list[int]:
    """Values N(k) in 1..RANGE-1 of the non-null W(k), k >= 1 (``w[0]`` unused).

    TS 44.018 §10.5.2.13.3: walk from node k to the root; a left child (2k < 3J) adds its W
    minus RANGE/J to its parent's, a right child adds its W, both modulo 2*RANGE/J - 1 onto 1..
    """
    out = []
    for k in range(1, len(w)):
        n = w[k]
        if n == 0:
            continue
        index = k
        while index > 1:
            j = _greatest_power_of_2_le(index)
            modulus = 2 * range_ // j - 1
            if 2 * index < 3 * j:  # left child
                index -= j // 2
                n = (n + w[index] - range_ // j - 1) % modulus + 1
            else:  # right child
                index -= j
                n = (n + w[index] - 1) % modulus + 1
        out.append(n)
    return out


def range_tree_encode(values: Iterable[int], range_: int) -> dict[int, int]:
    """W(k) (k >= 1) for distinct values in 1..RANGE-1 (TS 44.018 Annex J). Absent k are null."""
    vals = sorted(set(values))
    if vals and (vals[0] < 1 or vals[-1] > range_ - 1):
        raise FrequencyListEncodeError(f"range-{range_} tree values must be in 1..{range_ - 1}, got {vals}")
    out: dict[int, int] = {}
    _encode_subtree(vals, range_ - 1, 1, out)
    return out


def _encode_subtree(vals: list[int], m: int, index: int, out: dict[int, int]) -> None:
    # vals: distinct values in 1..m on a circle of m = 2^b - 1 positions.
    n = len(vals)
    if n == 0:
        return
    if n == 1:
        out[index] = vals[0]
        return
    half = (m - 1) // 2
    n_right = (n - 1) // 2
    pivot = -1
    for p in vals:
        after = sum(1 for v in vals if 1 <= (v - p) % m <= half)
        if after == n_right:
            pivot = p
            break
    if pivot < 0:  # pragma: no cover - a pivot always exists on an odd circle (counting argument)
        raise FrequencyListEncodeError(f"no balanced pivot for {vals} in 1..{m}")
    out[index] = pivot
    left: list[int] = []
    right: list[int] = []
    for v in vals:
        d = (v - pivot) % m
        if d == 0:
            continue
        if d <= half:
            right.append(d)
        else:
            left.append(d - half)
    j = _greatest_power_of_2_le(index)
    _encode_subtree(sorted(left), half, index + j, out)
    _encode_subtree(sorted(right), half, index + 2 * j, out)


# --------------------------------------------------------------------------- decoding


def decode_frequency_list(data: bytes, ie: ListIE = ListIE.CELL_CHANNEL) -> FrequencyList:
    """Decode the value part of a channel list IE (normally 16 octets, ``data[0]`` = octet 2).

    Range formats accept fewer octets (Frequency List IE of dedicated messages): W that do not
    fit are null. Raises :class:`L3ParseError` for reserved format identifiers or too few octets.
    """
    data = bytes(data)
    if len(data) < 1:
        raise L3ParseError("empty frequency list")
    first = data[0]
    ba_ind: int | None = None
    ext_ind: bool | None = None
    multiband: int | None = None
    if ie is ListIE.NEIGHBOUR:
        ext_ind = bool(first & 0x20)
        ba_ind = (first >> 4) & 1
    elif ie is ListIE.NEIGHBOUR_2:
        multiband = (first >> 5) & 0x3
        ba_ind = (first >> 4) & 1

    if ie is ListIE.NEIGHBOUR_2:
        is_bitmap0 = not first & 0x80
    else:
        top = first >> 6
        if top in (0b01, 0b11):
            raise L3ParseError(f"reserved frequency list FORMAT-ID bits 8-7 = {top:02b}")
        is_bitmap0 = top == 0
    common = dict(ie=ie, ba_ind=ba_ind, ext_ind=ext_ind, multiband_reporting=multiband)

    if is_bitmap0:
        if len(data) < IE_LENGTH:
            raise L3ParseError(f"bit map 0 needs {IE_LENGTH} octets, got {len(data)}")
        value = int.from_bytes(data[:IE_LENGTH], "big")
        arfcns = tuple(a for a in range(1, _BITMAP0_MAX + 1) if (value >> (a - 1)) & 1)
        return FrequencyList(arfcns, FreqListFormat.BITMAP_0, **common)

    if not first & 0x08:
        return _decode_range(data, FreqListFormat.RANGE_1024, common)
    bits = (first >> 1) & 0x7
    if bits == _VARIABLE_BITMAP_BITS:
        return _decode_variable_bitmap(data, common)
    for fmt, spec in _RANGE_SPECS.items():
        if spec.format_bits == bits and fmt is not FreqListFormat.RANGE_1024:
            return _decode_range(data, fmt, common)
    raise L3ParseError(f"reserved frequency list FORMAT-ID bits 4-2 = {bits:03b}")


def _read_orig_arfcn(reader: BitReader) -> int:
    reader.pos = 7
    return reader.read(10)


def _decode_range(data: bytes, fmt: FreqListFormat, common: dict) -> FrequencyList:
    spec = _RANGE_SPECS[fmt]
    nbits = len(data) * 8
    if nbits < spec.header_bits + _w_width(spec.range, 1):
        raise L3ParseError(f"{fmt.value} list of {len(data)} octets is too short for W(1)")
    reader = BitReader(data)
    arfcns: set[int] = set()
    orig: int | None = None
    if fmt is FreqListFormat.RANGE_1024:
        reader.pos = 5
        if reader.read(1):  # F0: ARFCN 0 is a member
            arfcns.add(0)
    else:
        orig = _read_orig_arfcn(reader)
        arfcns.add(orig)
    w = [0]
    k = 1
    while True:
        width = _w_width(spec.range, k)
        if width <= 0 or reader.remaining < width:
            break
        w.append(reader.read(width))
        k += 1
    for n in range_tree_decode(w, spec.range):
        arfcns.add(n if orig is None else (orig + n) % 1024)
    return FrequencyList(tuple(sorted(arfcns)), fmt, orig_arfcn=orig, **common)


def _decode_variable_bitmap(data: bytes, common: dict) -> FrequencyList:
    if len(data) < 3:
        raise L3ParseError(f"variable bit map list of {len(data)} octets has no ORIG-ARFCN")
    reader = BitReader(data)
    orig = _read_orig_arfcn(reader)
    arfcns = {orig}
    rrfcn = 1
    while reader.remaining:
        if reader.read(1):
            arfcns.add((orig + rrfcn) % 1024)
        rrfcn += 1
    return FrequencyList(tuple(sorted(arfcns)), FreqListFormat.VARIABLE_BITMAP, orig_arfcn=orig, **common)


# --------------------------------------------------------------------------- encoding


def _header_octet_flags(ie: ListIE, ba_ind: int, ext_ind: bool, multiband_reporting: int) -> int:
    """Octet 2 bits 7..5 for the IE kind (format bits are added by the encoders)."""
    if ie is ListIE.NEIGHBOUR:
        return (0x20 if ext_ind else 0) | ((ba_ind & 1) << 4)
    if ie is ListIE.NEIGHBOUR_2:
        if not 0 <= multiband_reporting <= 3:
            raise FrequencyListEncodeError(f"MULTIBAND_REPORTING must be 0..3, got {multiband_reporting}")
        return (multiband_reporting << 5) | ((ba_ind & 1) << 4)
    return 0


def _normalise(arfcns: Iterable[int]) -> list[int]:
    vals = sorted({int(a) for a in arfcns})
    if vals and (vals[0] < 0 or vals[-1] > MAX_ARFCN):
        raise FrequencyListEncodeError(f"ARFCNs must be in 0..{MAX_ARFCN}, got {vals}")
    return vals


def _best_origin(vals: list[int]) -> tuple[int, int]:
    """(ORIG-ARFCN, span): the element after the largest circular gap and the span it leaves."""
    if len(vals) == 1:
        return vals[0], 0
    best_gap, best_i = -1, 0
    for i, v in enumerate(vals):
        gap = (v - vals[i - 1]) % 1024
        if gap > best_gap:
            best_gap, best_i = gap, i
    orig = vals[best_i]
    return orig, (vals[best_i - 1] - orig) % 1024


def fits(arfcns: Iterable[int], fmt: FreqListFormat) -> bool:
    """Whether ``arfcns`` can be encoded in ``fmt`` within 16 octets."""
    try:
        vals = _normalise(arfcns)
    except FrequencyListEncodeError:
        return False
    return _why_not(vals, fmt) is None


def _why_not(vals: list[int], fmt: FreqListFormat) -> str | None:
    if fmt is FreqListFormat.BITMAP_0:
        if vals and (vals[0] < 1 or vals[-1] > _BITMAP0_MAX):
            return f"bit map 0 holds only ARFCN 1..{_BITMAP0_MAX}"
        return None
    if not vals:
        return f"{fmt.value} cannot express an empty list (use bit map 0)"
    if fmt is FreqListFormat.RANGE_1024:
        n = len([v for v in vals if v != 0])
        if n > _RANGE_SPECS[fmt].max_w:
            return f"range 1024 holds {_RANGE_SPECS[fmt].max_w} ARFCNs besides ARFCN 0, got {n}"
        return None
    _, span = _best_origin(vals)
    if fmt is FreqListFormat.VARIABLE_BITMAP:
        if span > _VARIABLE_BITMAP_SPAN:
            return f"variable bit map spans at most {_VARIABLE_BITMAP_SPAN} above ORIG-ARFCN, list spans {span}"
        return None
    spec = _RANGE_SPECS[fmt]
    if span > spec.range - 1:
        return f"{fmt.value} spans at most {spec.range - 1} above ORIG-ARFCN, list spans {span}"
    if len(vals) - 1 > spec.max_w:
        return f"{fmt.value} holds ORIG-ARFCN + {spec.max_w} ARFCNs, got {len(vals)}"
    return None


def choose_format(arfcns: Iterable[int]) -> FreqListFormat:
    """The format a network would pick: bit map 0 when every ARFCN is in 1..124, else the
    smallest range format that fits, else variable bit map. Raises if nothing fits."""
    vals = _normalise(arfcns)
    if _why_not(vals, FreqListFormat.BITMAP_0) is None:
        return FreqListFormat.BITMAP_0
    for fmt in _CHOOSER_ORDER:
        if _why_not(vals, fmt) is None:
            return fmt
    raise FrequencyListEncodeError(f"{len(vals)} ARFCNs {vals} fit no frequency list format in {IE_LENGTH} octets")


def encode_frequency_list(
    arfcns: Iterable[int],
    ie: ListIE = ListIE.CELL_CHANNEL,
    fmt: FreqListFormat | None = None,
    *,
    ba_ind: int = 0,
    ext_ind: bool = False,
    multiband_reporting: int = 0,
) -> bytes:
    """16 octets (octet 2..17 of the IE) carrying ``arfcns`` in ``fmt`` (chosen when None).

    Raises :class:`FrequencyListEncodeError` when the list does not fit the format.
    """
    vals = _normalise(arfcns)
    if fmt is None:
        fmt = choose_format(vals)
    reason = _why_not(vals, fmt)
    if reason is not None:
        raise FrequencyListEncodeError(reason)
    flags = _header_octet_flags(ie, ba_ind, ext_ind, multiband_reporting)
    if fmt is FreqListFormat.BITMAP_0:
        value = 0
        for a in vals:
            value |= 1 << (a - 1)
        out = bytearray(value.to_bytes(IE_LENGTH, "big"))
        out[0] |= flags
        return bytes(out)
    writer = BitWriter()
    writer.write(0b10, 2)
    writer.write(flags >> 4 & 0x3, 2)  # bits 6, 5 (bit 7 below for NEIGHBOUR_2)
    if fmt is FreqListFormat.RANGE_1024:
        spec = _RANGE_SPECS[fmt]
        writer.write(0, 1)
        writer.write(1 if vals and vals[0] == 0 else 0, 1)  # F0
        w = range_tree_encode([v for v in vals if v != 0], 1024)
        _write_w(writer, w, spec)
    else:
        orig, _ = _best_origin(vals)
        bits = _VARIABLE_BITMAP_BITS if fmt is FreqListFormat.VARIABLE_BITMAP else _RANGE_SPECS[fmt].format_bits
        writer.write(bits, 3)
        writer.write(orig, 10)
        offsets = [(v - orig) % 1024 for v in vals if v != orig]
        if fmt is FreqListFormat.VARIABLE_BITMAP:
            value = 0
            for off in offsets:
                value |= 1 << (_VARIABLE_BITMAP_SPAN - off)
            writer.write(value, _VARIABLE_BITMAP_SPAN)
        else:
            spec = _RANGE_SPECS[fmt]
            _write_w(writer, range_tree_encode(offsets, spec.range), spec)
    out = bytearray(writer.to_bytes(IE_LENGTH, padding="zero"))
    if ie is ListIE.NEIGHBOUR_2:
        out[0] = (out[0] & 0x9F) | (flags & 0x60)  # MULTIBAND_REPORTING overrides bit 7 (and 6)
    return bytes(out)


def _write_w(writer: BitWriter, w: dict[int, int], spec: _RangeSpec) -> None:
    if w and max(w) > spec.max_w:  # pragma: no cover - the balanced tree fills 1..n exactly
        raise FrequencyListEncodeError(f"W({max(w)}) does not fit in {IE_LENGTH} octets")
    for k in range(1, spec.max_w + 1):
        writer.write(w.get(k, 0), _w_width(spec.range, k))
