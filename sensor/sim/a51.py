"""A5/1, the GSM air-interface stream cipher (its interface in TS 43.020 Annex C; the algorithm as
publicly described by Briceno, Goldberg and Wagner, 1999), for ciphered blocks in simulated scenes.

Three LFSRs R1 (19 bits, feedback taps 13, 16, 17, 18), R2 (22 bits, taps 20, 21), R3 (23 bits,
taps 7, 20, 21, 22), each clocked by shifting left and putting the taps' parity into bit 0:

* set-up: all zero; 64 clocks of all three, key bit i (bit i mod 8 of key octet i div 8) XORed into
  bit 0 of each; then 22 clocks, bit i of COUNT XORed in the same way;
* majority clocking from then on: the registers whose clocking bit (R1 bit 8, R2 bit 10, R3 bit 10)
  agrees with the majority of the three move;
* 100 clocks with the output discarded, then 228 output bits, each the XOR of the registers' top
  bits (R1 bit 18, R2 bit 21, R3 bit 22) after a clock: the first 114 cipher the network's burst
  (downlink), the next 114 the mobile's (uplink).

COUNT is the TDMA frame number as T1 ‖ T3 ‖ T2 (11 + 6 + 5 bits, TS 43.020 Annex C).

Published vector (Briceno et al.): key 12 23 45 67 89 ab cd ef, COUNT 0x134 →
downlink 534eaa582fe8151ab6e1855a728c00 (114 bits, first bit the MSB of the first octet),
uplink 24fd35a35d5fb6526d32f906df1ac0.
"""

from __future__ import annotations

import numpy as np

from sensor.gsm import tdma

KEY_OCTETS = 8
COUNT_BITS = 22
BURST_KEYSTREAM_BITS = 114
MIX_CLOCKS = 100

_R1_MASK, _R2_MASK, _R3_MASK = (1 << 19) - 1, (1 << 22) - 1, (1 << 23) - 1
_R1_TAPS, _R2_TAPS, _R3_TAPS = 0x072000, 0x300000, 0x700080  # bits 13,16,17,18 / 20,21 / 7,20,21,22
_R1_CLK, _R2_CLK, _R3_CLK = 8, 10, 10
_R1_OUT, _R2_OUT, _R3_OUT = 18, 21, 22


def _parity(x: int) -> int:
    return x.bit_count() & 1


def count_of_fn(fn: int) -> int:
    """COUNT = T1 ‖ T3 ‖ T2 of frame ``fn`` (TS 43.020 Annex C)."""
    fn = int(fn) % tdma.HYPERFRAME_FRAMES
    return (int(tdma.t1(fn)) << 11) | (int(tdma.t3(fn)) << 5) | int(tdma.t2(fn))


def keystream(key: bytes, count: int, n_bits: int = 2 * BURST_KEYSTREAM_BITS) -> np.ndarray:
    """The first ``n_bits`` (≤ 228) output bits for ``key`` (8 octets) and ``count`` (22 bits), uint8."""
    if len(key) != KEY_OCTETS:
        raise ValueError(f"an A5/1 key is {KEY_OCTETS} octets, got {len(key)}")
    if not 0 <= count < 1 << COUNT_BITS:
        raise ValueError(f"COUNT is {COUNT_BITS} bits, got {count}")
    if not 0 <= n_bits <= 2 * BURST_KEYSTREAM_BITS:
        raise ValueError("A5/1 gives 228 bits per frame")
    r1 = r2 = r3 = 0
    k = int.from_bytes(key, "little")  # key bit i = bit i mod 8 of octet i div 8
    for bit in [(k >> i) & 1 for i in range(64)] + [(count >> i) & 1 for i in range(COUNT_BITS)]:
        r1 = ((r1 << 1) & _R1_MASK) | (_parity(r1 & _R1_TAPS) ^ bit)
        r2 = ((r2 << 1) & _R2_MASK) | (_parity(r2 & _R2_TAPS) ^ bit)
        r3 = ((r3 << 1) & _R3_MASK) | (_parity(r3 & _R3_TAPS) ^ bit)
    out = np.empty(n_bits, np.uint8)
    for i in range(MIX_CLOCKS + n_bits):
        c1, c2, c3 = (r1 >> _R1_CLK) & 1, (r2 >> _R2_CLK) & 1, (r3 >> _R3_CLK) & 1
        maj = (c1 & c2) | (c1 & c3) | (c2 & c3)
        if c1 == maj:
            r1 = ((r1 << 1) & _R1_MASK) | _parity(r1 & _R1_TAPS)
        if c2 == maj:
            r2 = ((r2 << 1) & _R2_MASK) | _parity(r2 & _R2_TAPS)
        if c3 == maj:
            r3 = ((r3 << 1) & _R3_MASK) | _parity(r3 & _R3_TAPS)
        if i >= MIX_CLOCKS:
            out[i - MIX_CLOCKS] = ((r1 >> _R1_OUT) ^ (r2 >> _R2_OUT) ^ (r3 >> _R3_OUT)) & 1
    return out


def downlink_keystream(key: bytes, fn: int) -> np.ndarray:
    """The 114 bits that cipher the network's burst in frame ``fn``."""
    return keystream(key, count_of_fn(fn), BURST_KEYSTREAM_BITS)


def session_key(seed: int) -> bytes:
    """A 64-bit key drawn from ``seed`` (any integer): one per ciphered session in a scene."""
    words = np.random.SeedSequence(int(seed) & ((1 << 128) - 1)).generate_state(2, np.uint32)
    return words.astype("<u4").tobytes()
