"""xCCH channel coding: BCCH, PCH, AGCH, SDCCH, SACCH, CBCH (TS 45.003 §4.1), encoder and decoder.

    23-octet L2 frame ─(octets LSB first)→ d(0..183)                          §4.1.1
      → Fire code parity p(0..39), inverted                                   §4.1.2
      → u = d, p, 4 zero tail bits (228)                                      §4.1.2
      → rate-1/2 K=5 convolutional code → c(0..455)                           §4.1.3
      → block-diagonal interleaving over 4 bursts → i(B, 0..113), B = 0..3    §4.1.4
      → burst mapping with stealing flags hl(B) = hu(B) = 1                   §4.1.5

Everything is batched: N frames in, (N, 4, 114) burst bits out, and back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..gsm.burst import assemble_normal_bursts, split_normal_bursts
from .convolutional import GSM_K5, conv_encode, viterbi_decode
from .interleave import deinterleave_xcch, interleave_xcch
from .parity import XCCH_FIRE_CODE
from .softbits import as_octet_array, octets_to_ubits, ubits_to_octets

L2_FRAME_OCTETS = 23
XCCH_INFO_BITS = 184
XCCH_PARITY_BITS = 40
XCCH_TAIL_BITS = 4
XCCH_UNCODED_BITS = 228
XCCH_CODED_BITS = 456
XCCH_BURSTS = 4
# TS 45.003 §4.1.5: both stealing flags of every xCCH burst are 1
XCCH_STEALING_UBITS = np.ones(2, dtype=np.uint8)
XCCH_STEALING_UBITS.setflags(write=False)


@dataclass(frozen=True, slots=True, eq=False)
class XcchBursts:
    """Encoded xCCH blocks: ``data_ubits`` (N, 4, 114) and ``stealing_ubits`` (N, 4, 2) = [hl, hu]."""

    data_ubits: np.ndarray
    stealing_ubits: np.ndarray

    def bursts(self, *, tsc: int) -> np.ndarray:
        """The full 148-bit normal bursts (N, 4, 148) with training sequence ``tsc``."""
        return assemble_normal_bursts(self.data_ubits, self.stealing_ubits, tsc=tsc)


@dataclass(frozen=True, slots=True, eq=False)
class XcchDecodeResult:
    """Decoded xCCH blocks.

    ``octets`` (N, 23) uint8: the L2 frames as decoded (meaningless where ``crc_ok`` is False);
    ``crc_ok`` (N,) bool: the Fire code parity matched; ``n_corrected`` (N,) int32: coded bits the
    Viterbi decoder corrected (a rough channel bit-error count).
    """

    octets: np.ndarray
    crc_ok: np.ndarray
    n_corrected: np.ndarray

    def __len__(self) -> int:
        return int(self.octets.shape[0])

    def frame(self, index: int) -> bytes | None:
        """Block ``index``'s 23 octets, or None when its parity failed."""
        return self.octets[index].tobytes() if bool(self.crc_ok[index]) else None

    def frames(self) -> list[bytes | None]:
        return [self.frame(i) for i in range(len(self))]


def xcch_uncoded_ubits(frames: bytes | np.ndarray | list | tuple) -> np.ndarray:
    """L2 frames → u(0..227) = d, inverted Fire parity, 4 zero tail bits (N, 228) uint8 (§4.1.1–4.1.2)."""
    octets = as_octet_array(frames, octets=L2_FRAME_OCTETS)
    d = octets_to_ubits(octets)
    p = XCCH_FIRE_CODE.parity(d)
    tail = np.zeros((d.shape[0], XCCH_TAIL_BITS), dtype=np.uint8)
    return np.concatenate((d, p, tail), axis=1)


def encode_xcch(frames: bytes | np.ndarray | list | tuple) -> XcchBursts:
    """Encode 23-octet L2 frames (one ``bytes``, a sequence of them, or an (N, 23) uint8 array)
    into N blocks of 4 bursts' data bits and stealing flags."""
    u = xcch_uncoded_ubits(frames)
    c = conv_encode(u, GSM_K5)
    data = interleave_xcch(c)
    stealing = np.broadcast_to(XCCH_STEALING_UBITS, data.shape[:-1] + (2,)).copy()
    return XcchBursts(data, stealing)


def decode_xcch(data_sbits: np.ndarray) -> XcchDecodeResult:
    """Decode N blocks of 4 bursts' soft data bits (N, 4, 114) (a single (4, 114) block is accepted).

    Soft bits follow ``sensor.coding.softbits``: positive → 0, negative → 1, 0 = erasure.
    """
    x = np.asarray(data_sbits)
    if x.ndim == 2:
        x = x[None]
    if x.shape[1:] != (XCCH_BURSTS, 114):
        raise ValueError(f"expected (N, 4, 114) soft bits, got shape {np.shape(data_sbits)}")
    coded = deinterleave_xcch(x)
    vit = viterbi_decode(coded, GSM_K5, terminated=True)
    d = vit.ubits[:, :XCCH_INFO_BITS]
    p = vit.ubits[:, XCCH_INFO_BITS : XCCH_INFO_BITS + XCCH_PARITY_BITS]
    crc_ok = XCCH_FIRE_CODE.check(d, p)
    return XcchDecodeResult(ubits_to_octets(d), crc_ok, vit.n_corrected)


def decode_xcch_bursts(bursts_sbits: np.ndarray) -> XcchDecodeResult:
    """Decode N blocks given as full soft bursts (N, 4, 148); the stealing flags are ignored."""
    data, _stealing = split_normal_bursts(np.asarray(bursts_sbits))
    return decode_xcch(data)
