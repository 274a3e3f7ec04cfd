"""Bit conventions shared by every coder in ``sensor.coding``.

``ubits``: unpacked hard bits, uint8 0/1.

``sbits``: soft bits, any signed numeric dtype (float32 preferred, int8 fine), with

    sbit = confidence × (1 − 2 × bit)        positive → 0,  negative → 1,  0 → erasure (no information)

the same sign as the GMSK symbol α = 1 − 2d of TS 45.004 §2.3 and as osmocom's ``sbit_t``.
The magnitude is a reliability (e.g. a log-likelihood ratio); only ratios between magnitudes
matter to the Viterbi decoder.

Octets ↔ bits (TS 45.003 §4.1.1 and TS 44.006's order of bit transmission, as LAPD's Q.921
§2.8): an L2 frame's octets are delivered to the coder in order, each octet least significant
bit first (bit 1 of the 3GPP octet diagrams goes first), so d(8n + k) is bit k (value 2**k) of
octet n. The SCH information octets of TS 44.018 §9.1.30 are mapped the same way. Both orders
are checked against gr-gsm's decodes of a real capture in tests/coding/test_real_capture.py.
"""

from __future__ import annotations

import numpy as np


def ubits_to_sbits(ubits: np.ndarray, *, magnitude: float = 1.0) -> np.ndarray:
    """0/1 → +magnitude/−magnitude as float32."""
    return (magnitude * (1.0 - 2.0 * np.asarray(ubits, dtype=np.float32))).astype(np.float32)


def hard_decision(sbits: np.ndarray) -> np.ndarray:
    """Soft bits → ubits (negative → 1; zero, an erasure, → 0)."""
    return (np.asarray(sbits) < 0).astype(np.uint8)


def as_octet_array(frames: bytes | bytearray | np.ndarray | list | tuple, *, octets: int) -> np.ndarray:
    """One frame (bytes) or many (sequence of bytes, or an (N, octets) uint8 array) → (N, octets) uint8."""
    if isinstance(frames, (bytes, bytearray, memoryview)):
        arr = np.frombuffer(bytes(frames), dtype=np.uint8)[None, :]
    elif isinstance(frames, np.ndarray):
        arr = np.asarray(frames)
        if arr.dtype != np.uint8:
            if arr.size and (arr.min() < 0 or arr.max() > 255):
                raise ValueError("octet values must be 0..255")
            arr = arr.astype(np.uint8)
        if arr.ndim == 1:
            arr = arr[None, :]
    else:
        items = list(frames)
        if not all(isinstance(f, (bytes, bytearray, memoryview)) for f in items):
            raise TypeError("frames must be bytes, a sequence of bytes, or an (N, octets) uint8 array")
        if any(len(f) != octets for f in items):
            raise ValueError(f"every frame must be {octets} octets")
        arr = np.frombuffer(b"".join(bytes(f) for f in items), dtype=np.uint8).reshape(len(items), octets)
    if arr.ndim != 2 or arr.shape[1] != octets:
        raise ValueError(f"frames must be {octets} octets each, got shape {arr.shape}")
    return arr


def octets_to_ubits(octets: np.ndarray) -> np.ndarray:
    """(..., n) uint8 octets → (..., 8n) ubits, each octet least significant bit first."""
    return np.unpackbits(np.asarray(octets, dtype=np.uint8), axis=-1, bitorder="little")


def ubits_to_octets(ubits: np.ndarray) -> np.ndarray:
    """(..., 8n) ubits → (..., n) uint8 octets, each octet least significant bit first."""
    return np.packbits(np.asarray(ubits, dtype=np.uint8), axis=-1, bitorder="little")
