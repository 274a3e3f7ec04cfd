"""Bit-level reading and writing of octet strings, MSB first, with CSN.1 L/H bits.

CSN.1 (TS 24.007 §B and TS 44.018 §10.5.2.x rest octets) writes "L" as the bit value of the
spare padding pattern (the fill octet 0x2B of TS 44.006 §5.2) at that bit position and "H" as its
complement; literal 0/1 bits are written as they are. Rest octets are octet aligned in the
message, so the padding phase is the bit position modulo 8.
"""

from __future__ import annotations

from sensor.l2.ts44006 import FILL_OCTET

from .errors import L3EncodeError, TruncatedMessage


def _pad_bit(pos: int) -> int:
    return (FILL_OCTET >> (7 - (pos & 7))) & 1


# the spare padding bit at each bit position modulo 8
PAD_BITS: tuple[int, ...] = tuple(_pad_bit(pos) for pos in range(8))


class BitReader:
    """Reads unsigned fields MSB first from ``data``; raises :class:`TruncatedMessage` past the end.

    ``value`` (the octets as one integer) and ``nbits`` are read-only; the CSN.1 readers of
    :mod:`.csn1` read bits from them directly and move ``pos``."""

    __slots__ = ("nbits", "pos", "value")

    def __init__(self, data: bytes, start_bit: int = 0) -> None:
        self.value = int.from_bytes(data, "big")
        self.nbits = len(data) * 8
        self.pos = start_bit

    @property
    def remaining(self) -> int:
        return self.nbits - self.pos

    def read(self, nbits: int) -> int:
        pos, total = self.pos, self.nbits
        end = pos + nbits
        if end > total:
            raise TruncatedMessage(f"field of {nbits} bits at bit {pos} runs past the {total}-bit end")
        self.pos = end
        return (self.value >> (total - end)) & ((1 << nbits) - 1)

    def read_bool(self) -> bool:
        pos = self.pos
        if pos >= self.nbits:
            self.read(1)  # raises TruncatedMessage
        self.pos = pos + 1
        return (self.value >> (self.nbits - 1 - pos)) & 1 == 1

    def read_lh(self) -> bool:
        """A CSN.1 L/H bit: True for H. Past the end the message is implicitly spare padding (L)."""
        pos = self.pos
        if pos >= self.nbits:
            return False
        self.pos = pos + 1
        return (self.value >> (self.nbits - 1 - pos)) & 1 != PAD_BITS[pos & 7]

    def skip(self, nbits: int) -> None:
        if self.pos + nbits > self.nbits:
            raise TruncatedMessage(f"skipping {nbits} bits at bit {self.pos} runs past the {self.nbits}-bit end")
        self.pos += nbits

    def is_padding_from_here(self) -> bool:
        """True when every remaining bit equals the spare padding pattern."""
        return all(((self.value >> (self.nbits - 1 - pos)) & 1) == _pad_bit(pos) for pos in range(self.pos, self.nbits))


class BitWriter:
    """Accumulates fields MSB first; :meth:`to_bytes` pads with spare padding (0x2B pattern)."""

    __slots__ = ("_value", "nbits")

    def __init__(self) -> None:
        self._value = 0
        self.nbits = 0

    def write(self, value: int, nbits: int) -> None:
        if nbits < 0 or value < 0 or value >> nbits:
            raise L3EncodeError(f"value {value} does not fit in {nbits} bits")
        self._value = (self._value << nbits) | value
        self.nbits += nbits

    def write_bool(self, flag: bool) -> None:
        self.write(1 if flag else 0, 1)

    def extend(self, other: BitWriter) -> None:
        """Append every bit written to ``other``."""
        self._value = (self._value << other.nbits) | other._value
        self.nbits += other.nbits

    def write_lh(self, high: bool) -> None:
        pad = _pad_bit(self.nbits)
        self.write(pad ^ 1 if high else pad, 1)

    def to_bytes(self, length: int, *, padding: str = "spare") -> bytes:
        """The bits written, then ``padding`` ("spare": 0x2B pattern, "zero": 0 bits) to ``length`` octets."""
        total = length * 8
        if self.nbits > total:
            raise L3EncodeError(f"{self.nbits} bits do not fit in {length} octets")
        value = self._value
        for pos in range(self.nbits, total):
            value = (value << 1) | (_pad_bit(pos) if padding == "spare" else 0)
        return value.to_bytes(length, "big")
