"""Systematic cyclic block codes (parity / CRC) of TS 45.003, batched.

TS 45.003 defines them all the same way: with information bits d(0..K−1) and parity bits
p(0..P−1), the polynomial

    d(0)·D^(K+P−1) + … + d(K−1)·D^P + p(0)·D^(P−1) + … + p(P−1)

divided by the generator g(D) leaves the remainder 1 + D + … + D^(P−1) when the parity is
"inverted" (xCCH Fire code §4.1.2, SCH §4.7), or 0 otherwise.

Parity is linear in d over GF(2): each information bit contributes the remainder of its
monomial (precomputed as a P-bit word), and a batch's parity is one XOR-reduction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


def poly_from_exponents(*exponents: int) -> int:
    """Σ D^e as an integer with bit e set."""
    value = 0
    for e in exponents:
        value ^= 1 << e
    return value


def poly_mul(a: int, b: int) -> int:
    """Product of two GF(2) polynomials given as integers."""
    out = 0
    while b:
        if b & 1:
            out ^= a
        a <<= 1
        b >>= 1
    return out


def poly_mod(a: int, g: int) -> int:
    """Remainder of a modulo g over GF(2)."""
    deg = g.bit_length() - 1
    while a.bit_length() - 1 >= deg:
        a ^= g << (a.bit_length() - 1 - deg)
    return a


@dataclass(frozen=True)
class CyclicCode:
    """A systematic cyclic code of ``info_bits`` information bits and generator ``generator``."""

    info_bits: int
    generator: int  # bit e = coefficient of D^e
    inverted: bool
    clause: str = ""

    @property
    def parity_bits(self) -> int:
        return self.generator.bit_length() - 1

    @cached_property
    def _words(self) -> np.ndarray:
        """For each information bit i, the parity it contributes as a uint64 (bit j = p(j))."""
        k, p = self.info_bits, self.parity_bits
        if p > 64:
            raise ValueError("parity longer than 64 bits is not supported")
        words = np.zeros(k, dtype=np.uint64)
        for i in range(k):
            rem = poly_mod(1 << (k + p - 1 - i), self.generator)
            # p(j) is the coefficient of D^(P−1−j)
            words[i] = sum(((rem >> (p - 1 - j)) & 1) << j for j in range(p))
        return words

    def parity(self, info_ubits: np.ndarray) -> np.ndarray:
        """Parity bits (N, P) uint8 for information bits (N, K) (or (K,) → (P,))."""
        d = np.asarray(info_ubits)
        if d.shape[-1] != self.info_bits:
            raise ValueError(f"expected {self.info_bits} information bits, got shape {d.shape}")
        # GF(2) linear map: XOR of the contributions of the information bits that are 1
        contrib = np.where(d.astype(bool), self._words, np.uint64(0))
        word = np.bitwise_xor.reduce(contrib, axis=-1)
        shifts = np.arange(self.parity_bits, dtype=np.uint64)
        bits = ((word[..., None] >> shifts) & np.uint64(1)).astype(np.uint8)
        if self.inverted:
            bits ^= 1
        return bits

    def check(self, info_ubits: np.ndarray, parity_ubits: np.ndarray) -> np.ndarray:
        """True where the received parity matches the information bits (bool (N,), or a bool scalar)."""
        expected = self.parity(info_ubits)
        ok = np.all(expected == np.asarray(parity_ubits, dtype=np.uint8), axis=-1)
        return ok


# TS 45.003 §4.1.2: the Fire code of the xCCH, g(D) = (D^23 + 1)(D^17 + D^3 + 1), 40 parity bits, inverted
FIRE_GENERATOR = poly_mul(poly_from_exponents(23, 0), poly_from_exponents(17, 3, 0))
XCCH_FIRE_CODE = CyclicCode(info_bits=184, generator=FIRE_GENERATOR, inverted=True, clause="TS 45.003 §4.1.2")

# TS 45.003 §4.7: the SCH parity, g(D) = D^10 + D^8 + D^6 + D^5 + D^4 + D^2 + 1, 10 bits, inverted
SCH_GENERATOR = poly_from_exponents(10, 8, 6, 5, 4, 2, 0)
SCH_PARITY_CODE = CyclicCode(info_bits=25, generator=SCH_GENERATOR, inverted=True, clause="TS 45.003 §4.7")
