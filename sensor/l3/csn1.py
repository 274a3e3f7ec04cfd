"""A small declarative CSN.1 (TS 24.007 Annex B) for rest octets: each structure declared once, one
generic reader and one writer.

A structure is a dataclass deriving from :class:`CsnStruct` whose ``CSN`` is a tuple of elements:

* :class:`Bits` ``<name : bit (n)>``, with an optional mapping from code to value (a table, a scale
  and offset, a code that means None), or a bool for one bit; :class:`LH` one ``L | H`` bit as a bool;
* :class:`Opt` ``{ L | H <body> }`` or ``{ 0 | 1 <body> }``: present when its ``flag`` attribute is
  true, or (without a flag) when the body's first field is not None;
* :class:`Choice` ``{ 0 <zero> | 1 <one> }`` (or L/H), the branch recorded in ``flag``;
* :class:`Struct` a nested structure (another :class:`CsnStruct`, or None when absent);
* :class:`Extension` ``<length : bit (n)> <body>`` whose fields are read while they fit in
  ``length + 1`` bits (TS 44.060 §12.24 extension bits);
* :class:`Skip`, :class:`SkipCounted`, :class:`Repeat`: parts that are read past, not kept;
* :class:`Presence` ``{ 0 | 1 <X> }`` where X is not decoded: only whether it is there is kept,
  and the writer writes the absent alternative;
* :class:`Stop`: what follows is not decoded: the reader ends the structure here; the writer
  writes the given constant bits, or refuses (``unbuildable``);
* :class:`Needs`, :class:`Unbuildable`: read nothing; the writer checks that fields are set, or
  refuses to build a group that is only parsed.

``L`` and ``H`` are relative to the spare padding 0x2B (see :mod:`.bits`). Reading past the end
raises :class:`TruncatedMessage` (an ``L | H`` bit past the end reads L, as spare padding);
values out of range raise :class:`L3EncodeError`. A field the writer finds None is written as zeros
unless its mapping gives None a code.

One concern in one file, over 500 lines: each element class declares a CSN.1 construct together with
its reader and its writer, and the reader compiler below (``sequence_reader``, runs of fixed fields,
switches) knows the element classes it fuses; split apart, the two halves would import each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .bits import PAD_BITS, BitReader, BitWriter
from .errors import L3EncodeError, TruncatedMessage


class _StopStruct(Exception):
    """A :class:`Stop`: the structure being read ends here."""


class _PastLimit(Exception):
    """An element does not fit in the bits an :class:`Extension` announced."""


class _Element:
    __slots__ = ()

    def names(self) -> tuple[str, ...]:
        return ()

    def fixed_bits(self) -> int | None:
        return None

    def reader(self) -> Reader | None:
        """The function that reads the element (None: it reads nothing), made once per structure."""
        raise NotImplementedError

    def write(self, w: BitWriter, obj: Any) -> None:
        raise NotImplementedError


# reads one element or a sequence: (bit reader, the structure's keyword arguments so far, the bit
# where an Extension's body ends or None); raises _PastLimit for an element past that bit
Reader = Callable[[BitReader, dict[str, Any], int | None], None]


def _read_nothing(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
    return None


def sequence_reader(elements: Sequence[_Element]) -> Reader:
    """One reader for ``elements`` read in order; consecutive Bits and L/H elements are read together."""
    readers: list[Reader] = []
    run: list[Bits | LH] = []
    for el in (*elements, None):
        if isinstance(el, (Bits, LH)):
            run.append(el)
            continue
        if len(run) > 1:
            readers.append(_run_reader(run))
        elif run:
            readers.append(run[0].reader())
        run = []
        if el is not None and (fn := el.reader()) is not None:
            readers.append(fn)
    if not readers:
        return _read_nothing
    if len(readers) == 1:
        return readers[0]

    def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
        for fn in readers:
            fn(r, kw, limit)

    return read


def _run_reader(run: Sequence[Bits | LH]) -> Reader:
    """Consecutive Bits and L/H elements read as one field of their total size when it lies before the
    end and the limit; else one by one (which stops, or raises, where the element-wise reading does)."""
    total = sum(el.n if isinstance(el, Bits) else 1 for el in run)
    items: list[tuple[str, int, int, Callable[[int], Any] | None]] = []
    pads = [0] * 8  # the spare padding under the L/H bits, by the run's first bit position modulo 8
    at = 0
    for el in run:
        n = el.n if isinstance(el, Bits) else 1
        shift = total - at - n
        if isinstance(el, LH):
            for phase in range(8):
                pads[phase] |= PAD_BITS[(phase + at) & 7] << shift
        items.append((el.name, shift, (1 << n) - 1, el.converter() if isinstance(el, Bits) else bool))
        at += n
    one_by_one, pad, mask_all = tuple(el.reader() for el in run), tuple(pads), (1 << total) - 1

    def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
        pos, nbits = r.pos, r.nbits
        end = pos + total
        if end > nbits or (limit is not None and end > limit):
            for fn in one_by_one:
                fn(r, kw, limit)
            return
        r.pos = end
        bits = ((r.value >> (nbits - end)) & mask_all) ^ pad[pos & 7]  # L/H bits now 1 for H
        for name, shift, mask, value in items:
            code = (bits >> shift) & mask
            kw[name] = code if value is None else value(code)

    return read


def _switch_reader(lh: bool, flag: str | None, zero: Reader, one: Reader, one_bits: int = 0) -> Reader:
    """``{ 0 <zero> | 1 <one> }`` (L/H with ``lh``; past the end an L/H bit reads L): the branch
    goes to ``flag``; in an extension the ``one_bits`` of a fixed-size ``one`` fit or none is read."""
    read_zero, read_one = (None if fn is _read_nothing else fn for fn in (zero, one))

    def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
        pos, nbits = r.pos, r.nbits
        if limit is not None and pos >= limit:
            raise _PastLimit
        if pos < nbits:
            r.pos = pos + 1
            bit = (r.value >> (nbits - 1 - pos)) & 1
            high = bit != PAD_BITS[pos & 7] if lh else bit == 1
        elif lh:
            high = False
        else:
            high = r.read_bool()  # raises TruncatedMessage
        if flag is not None:
            kw[flag] = high
        if high:
            if limit is not None and r.pos + one_bits > limit:
                raise _PastLimit
            if read_one is not None:
                read_one(r, kw, limit)
        elif read_zero is not None:
            read_zero(r, kw, limit)

    return read


def write_elements(elements: Sequence[_Element], w: BitWriter, obj: Any) -> None:
    for el in elements:
        el.write(w, obj)


@dataclass(frozen=True, slots=True)
class Bits(_Element):
    """``<name : bit (n)>``: value = table[code], or (code + offset) * scale; ``none_code`` reads as None."""

    name: str
    n: int
    table: tuple[Any, ...] | None = None
    scale: int = 1
    offset: int = 0
    none_code: int | None = None
    boolean: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def fixed_bits(self) -> int | None:
        return self.n

    def value(self, code: int) -> Any:
        if self.boolean:
            return bool(code)
        if self.none_code is not None and code == self.none_code:
            return None
        if self.table is not None:
            return self.table[code]
        return (code + self.offset) * self.scale

    def converter(self) -> Callable[[int], Any] | None:
        """What maps a code to its value as :meth:`value` does (a C-level callable where one does it),
        or None when the value is the code itself."""
        if self.boolean:
            return bool
        if self.none_code is not None:
            return self.value
        if self.table is not None:
            return self.table.__getitem__
        if self.offset == 0:
            return None if self.scale == 1 else self.scale.__mul__
        return self.value

    def reader(self) -> Reader:
        name, n, mask, value = self.name, self.n, (1 << self.n) - 1, self.converter()

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            end, nbits = r.pos + n, r.nbits
            if limit is not None and end > limit:
                raise _PastLimit
            if end > nbits:
                r.read(n)  # raises TruncatedMessage
            r.pos = end
            code = (r.value >> (nbits - end)) & mask
            kw[name] = code if value is None else value(code)

        return read

    def code(self, value: Any) -> int:
        if value is None:
            return 0 if self.none_code is None else self.none_code
        if self.boolean:
            return int(bool(value))
        if self.table is not None:
            if value not in self.table:
                raise L3EncodeError(f"{self.name} must be one of {self.table}, got {value}")
            return self.table.index(value)
        code = value // self.scale - self.offset
        if value % self.scale or not 0 <= code < 1 << self.n or code == self.none_code:
            raise L3EncodeError(
                f"{self.name} {value} has no {self.n}-bit code (step {self.scale}, offset {self.offset})"
            )
        return code

    def write(self, w: BitWriter, obj: Any) -> None:
        w.write(self.code(getattr(obj, self.name)), self.n)


def Bit(name: str) -> Bits:  # noqa: N802 - reads like the other element constructors
    """``<name : bit>`` as a bool."""
    return Bits(name, 1, boolean=True)


@dataclass(frozen=True, slots=True)
class LH(_Element):
    """``<name : L | H>`` as a bool (True: H)."""

    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def fixed_bits(self) -> int | None:
        return 1

    def reader(self) -> Reader:
        return _switch_reader(True, self.name, _read_nothing, _read_nothing)

    def write(self, w: BitWriter, obj: Any) -> None:
        w.write_lh(bool(getattr(obj, self.name)))


def _write_switch(lh: bool, w: BitWriter, high: bool) -> None:
    if lh:
        w.write_lh(high)
    else:
        w.write_bool(high)


@dataclass(frozen=True, slots=True)
class Opt(_Element):
    """``{ L | H <body> }`` (``lh``) or ``{ 0 | 1 <body> }``."""

    body: tuple[_Element, ...]
    lh: bool = True
    flag: str | None = None
    # the body's size when every element has a fixed one (else 0), worked out once
    body_bits: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sizes = [el.fixed_bits() for el in self.body]
        object.__setattr__(self, "body_bits", sum(s or 0 for s in sizes) if all(sizes) else 0)

    def names(self) -> tuple[str, ...]:
        return ((self.flag,) if self.flag else ()) + tuple(n for el in self.body for n in el.names())

    def reader(self) -> Reader:
        # in an extension, the whole body fits or none of it is read
        return _switch_reader(self.lh, self.flag or None, _read_nothing, sequence_reader(self.body), self.body_bits)

    def present(self, obj: Any) -> bool:
        if self.flag:
            return bool(getattr(obj, self.flag))
        return getattr(obj, self.body[0].names()[0]) is not None

    def write(self, w: BitWriter, obj: Any) -> None:
        present = self.present(obj)
        _write_switch(self.lh, w, present)
        if present:
            write_elements(self.body, w, obj)


@dataclass(frozen=True, slots=True)
class Choice(_Element):
    """``{ 0 <zero> | 1 <one> }`` (or L/H with ``lh``); ``flag`` records the branch (True: one)."""

    zero: tuple[_Element, ...]
    one: tuple[_Element, ...]
    flag: str | None = None
    lh: bool = False

    def names(self) -> tuple[str, ...]:
        return ((self.flag,) if self.flag else ()) + tuple(n for el in self.zero + self.one for n in el.names())

    def reader(self) -> Reader:
        return _switch_reader(self.lh, self.flag or None, sequence_reader(self.zero), sequence_reader(self.one))

    def write(self, w: BitWriter, obj: Any) -> None:
        one = bool(getattr(obj, self.flag)) if self.flag else False
        _write_switch(self.lh, w, one)
        write_elements(self.one if one else self.zero, w, obj)


@dataclass(frozen=True, slots=True)
class Struct(_Element):
    """A nested structure, kept as an instance of ``type`` (a :class:`CsnStruct`)."""

    name: str
    type: Any

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def fixed_bits(self) -> int | None:
        sizes = [el.fixed_bits() for el in self.type.CSN]
        return None if None in sizes else sum(sizes)  # type: ignore[arg-type]

    def reader(self) -> Reader:
        name, struct = self.name, self.type

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:  # CsnStruct.read without its call
            inner: dict[str, Any] = {}
            try:
                (_READERS.get(struct) or _struct_reader(struct))(r, inner, limit)
            except _StopStruct:
                pass
            kw[name] = struct(**inner)

        return read

    def write(self, w: BitWriter, obj: Any) -> None:
        value = getattr(obj, self.name)
        if value is None:
            raise L3EncodeError(f"{type(obj).__name__} needs its {self.name}")
        value.write(w)


@dataclass(frozen=True, slots=True)
class Extension(_Element):
    """``<length : bit (n)> <body>``: the body fills ``length + 1`` bits; fields that do not fit stay
    None, bits after the known fields are skipped."""

    what: str
    length_bits: int
    body: tuple[_Element, ...]

    def names(self) -> tuple[str, ...]:
        return tuple(n for el in self.body for n in el.names())

    def reader(self) -> Reader:
        what, length_bits, body = self.what, self.length_bits, sequence_reader(self.body)

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            length = r.read(length_bits) + 1
            end = r.pos + length
            try:
                body(r, kw, end)
            except _PastLimit:
                pass
            r.pos = end
            if r.remaining < 0:
                raise TruncatedMessage(f"{what} of {length} bits runs past the end")

        return read

    def write(self, w: BitWriter, obj: Any) -> None:
        body = BitWriter()
        write_elements(self.body, body, obj)
        w.write(body.nbits - 1, self.length_bits)
        w.extend(body)


@dataclass(frozen=True, slots=True)
class Skip(_Element):
    """``<bit (n)>`` read past (a field we do not keep; parse-only structures)."""

    n: int

    def reader(self) -> Reader:
        n = self.n

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            r.skip(n)

        return read


@dataclass(frozen=True, slots=True)
class SkipCounted(_Element):
    """``<N : bit (n)> <bit (val(N) + plus)>`` read past."""

    n: int
    plus: int = 0

    def reader(self) -> Reader:
        n, plus = self.n, self.plus

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            r.skip(r.read(n) + plus)

        return read


@dataclass(frozen=True, slots=True)
class Repeat(_Element):
    """``{ 1 <body> } ** 0`` read past."""

    body: tuple[_Element, ...]

    def reader(self) -> Reader:
        body = sequence_reader(self.body)

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            while r.read_bool():
                body(r, kw, limit)

        return read


@dataclass(frozen=True, slots=True)
class Presence(_Element):
    """``{ 0 | 1 <X> }`` where X is not decoded: True/False, None when the octets end before it.
    The writer writes 0 (X absent)."""

    name: str

    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def reader(self) -> Reader:
        name = self.name

        def read(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
            kw[name] = r.read_bool() if r.remaining else None

        return read

    def write(self, w: BitWriter, obj: Any) -> None:
        w.write_bool(False)


def _stop(r: BitReader, kw: dict[str, Any], limit: int | None) -> None:
    raise _StopStruct


@dataclass(frozen=True, slots=True)
class Stop(_Element):
    """The rest of the structure is not decoded. ``writes``: the constant bits the writer sends
    instead, as (value, bits) pairs or ``"L"``/``"H"``; ``unbuildable``: the writer refuses."""

    writes: tuple[tuple[int, int] | str, ...] = ()
    unbuildable: str | None = None

    def reader(self) -> Reader:
        return _stop

    def write(self, w: BitWriter, obj: Any) -> None:
        if self.unbuildable:
            raise L3EncodeError(self.unbuildable)
        for item in self.writes:
            if isinstance(item, str):
                w.write_lh(item == "H")
            else:
                w.write(*item)


@dataclass(frozen=True, slots=True)
class Needs(_Element):
    """Reads nothing; the writer refuses unless every attribute in ``names`` is set."""

    names_needed: tuple[str, ...]
    message: str

    def reader(self) -> None:
        return None

    def write(self, w: BitWriter, obj: Any) -> None:
        if any(getattr(obj, n) is None for n in self.names_needed):
            raise L3EncodeError(self.message)


@dataclass(frozen=True, slots=True)
class Unbuildable(_Element):
    """Reads nothing; the writer refuses: the group it stands in is parsed but cannot be built."""

    message: str

    def reader(self) -> None:
        return None

    def write(self, w: BitWriter, obj: Any) -> None:
        raise L3EncodeError(self.message)


class CsnStruct:
    """Base of the structures declared with ``CSN``: ``read``/``write`` on bit streams, ``parse``/``to_bytes``
    on the octet aligned rest octets (``OCTETS``: their usual length)."""

    __slots__ = ()
    CSN: ClassVar[tuple[_Element, ...]]
    OCTETS: ClassVar[int] = 0

    @classmethod
    def read(cls, r: BitReader, limit: int | None = None) -> Any:
        kw: dict[str, Any] = {}
        try:
            (_READERS.get(cls) or _struct_reader(cls))(r, kw, limit)
        except _StopStruct:
            pass
        return cls(**kw)

    def write(self, w: BitWriter) -> None:
        try:
            write_elements(self.CSN, w, self)
        except _StopStruct:  # pragma: no cover - Stop.write does not raise it
            pass

    @classmethod
    def parse(cls, data: bytes) -> Any:
        return cls.read(BitReader(data))

    def to_bytes(self, length: int | None = None) -> bytes:
        w = BitWriter()
        self.write(w)
        return w.to_bytes(self.OCTETS if length is None else length)


# each structure's reader, made from its CSN on first use
_READERS: dict[type, Reader] = {}


def _struct_reader(cls: type) -> Reader:
    reader = _READERS[cls] = sequence_reader(cls.CSN)  # type: ignore[attr-defined]
    return reader
