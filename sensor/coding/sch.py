"""SCH channel coding (TS 45.003 §4.7), encoder and decoder, batched.

Information (TS 44.018 §9.1.30, TS 45.002 §3.3.2.2): BSIC (6 bits: NCC then BCC) and the reduced
frame number T1 (11 bits), T2 (5 bits), T3' (3 bits), packed into four octets

    octet 1: BSIC (bits 8..3), T1 bits 10..9 (bits 2..1)
    octet 2: T1 bits 8..1
    octet 3: T1 bit 0 (bit 8), T2 (bits 7..3), T3' bits 2..1 (bits 2..1)
    octet 4: T3' bit 0 (bit 1)

and delivered least significant bit of each octet first as d(0..24) (``softbits``). Then 10
inverted parity bits p(0..9) of g(D) = D^10 + D^8 + D^6 + D^5 + D^4 + D^2 + 1, 4 zero tail bits,
the rate-1/2 K=5 code of §4.1.3 → 78 coded bits, placed on the synchronization burst as
e(0..38) = BN3..41 and e(39..77) = BN106..144 (``sensor.gsm.burst``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..gsm import tdma
from ..gsm.burst import assemble_sch_bursts, sch_burst_data
from .convolutional import GSM_K5, conv_encode, viterbi_decode
from .parity import SCH_PARITY_CODE
from .softbits import octets_to_ubits

SCH_INFO_BITS = 25
SCH_PARITY_BITS = 10
SCH_TAIL_BITS = 4
SCH_UNCODED_BITS = 39
SCH_CODED_BITS = 78

IntLike = int | np.ndarray  # a scalar or an integer array (broadcast together)


@dataclass(frozen=True, slots=True)
class SchInfo:
    """One decoded SCH: BSIC and the frame number of the SCH burst that carried it."""

    bsic: int
    fn: int
    t1: int
    t2: int
    t3_prime: int

    @property
    def ncc(self) -> int:
        return self.bsic >> 3

    @property
    def bcc(self) -> int:
        return self.bsic & 7


@dataclass(frozen=True, slots=True, eq=False)
class SchDecodeResult:
    """Decoded SCH bursts, arrays of shape (N,). Fields are meaningless where ``crc_ok`` is False;
    ``fn`` is the frame number of the SCH burst itself (T3 = 10·T3' + 1)."""

    bsic: np.ndarray
    t1: np.ndarray
    t2: np.ndarray
    t3_prime: np.ndarray
    fn: np.ndarray
    crc_ok: np.ndarray
    n_corrected: np.ndarray

    def __len__(self) -> int:
        return int(self.crc_ok.shape[0])

    @property
    def in_range(self) -> np.ndarray:
        """crc_ok and T2 ≤ 25, T3' ≤ 4 (a passing parity with impossible fields is still garbage)."""
        return self.crc_ok & (self.t2 < 26) & (self.t3_prime <= 4)

    def info(self, index: int) -> SchInfo | None:
        """Block ``index`` as an ``SchInfo``, or None when it failed the parity or range check."""
        if not bool(self.in_range[index]):
            return None
        return SchInfo(
            int(self.bsic[index]),
            int(self.fn[index]),
            int(self.t1[index]),
            int(self.t2[index]),
            int(self.t3_prime[index]),
        )

    def infos(self) -> list[SchInfo | None]:
        return [self.info(i) for i in range(len(self))]


def sch_info_ubits(bsic: IntLike, t1: IntLike, t2: IntLike, t3_prime: IntLike) -> np.ndarray:
    """The 25 information bits d(0..24) (N, 25) for BSIC, T1, T2, T3' (ints or arrays, broadcast)."""
    bsic, t1, t2, t3p = (np.atleast_1d(np.asarray(v, dtype=np.int64)) for v in (bsic, t1, t2, t3_prime))
    bsic, t1, t2, t3p = np.broadcast_arrays(bsic, t1, t2, t3p)
    for name, val, hi in (("BSIC", bsic, 63), ("T1", t1, 2047), ("T2", t2, 25), ("T3'", t3p, 4)):
        if np.any(val < 0) or np.any(val > hi):
            raise ValueError(f"{name} must be 0..{hi}")
    octets = np.stack(
        (
            (bsic << 2) | (t1 >> 9),
            (t1 >> 1) & 0xFF,
            ((t1 & 1) << 7) | (t2 << 2) | (t3p >> 1),
            t3p & 1,
        ),
        axis=-1,
    ).astype(np.uint8)
    return octets_to_ubits(octets)[..., :SCH_INFO_BITS].reshape(-1, SCH_INFO_BITS)


def _fields_from_info_ubits(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    padded = np.zeros((d.shape[0], 32), dtype=np.uint8)
    padded[:, :SCH_INFO_BITS] = d
    o = np.packbits(padded, axis=1, bitorder="little").astype(np.int64)
    bsic = o[:, 0] >> 2
    t1 = ((o[:, 0] & 3) << 9) | (o[:, 1] << 1) | (o[:, 2] >> 7)
    t2 = (o[:, 2] >> 2) & 0x1F
    t3p = ((o[:, 2] & 3) << 1) | (o[:, 3] & 1)
    return bsic, t1, t2, t3p


def encode_sch(bsic: IntLike, fn: IntLike) -> np.ndarray:
    """(BSIC, FN of an SCH frame) → the 78 coded bits (N, 78) uint8. ``fn`` must have T3 ∈ {1, 11, 21, 31, 41}."""
    fn_arr = np.atleast_1d(np.asarray(fn, dtype=np.int64))
    if np.any(fn_arr < 0) or np.any(fn_arr > tdma.FN_MAX):
        raise ValueError(f"FN must be 0..{tdma.FN_MAX}")
    if not np.all(tdma.is_sch_frame(fn_arr)):
        raise ValueError("the SCH is only sent in frames with FN mod 51 in (1, 11, 21, 31, 41)")
    d = sch_info_ubits(bsic, tdma.t1(fn_arr), tdma.t2(fn_arr), tdma.t3_prime(tdma.t3(fn_arr)))
    p = SCH_PARITY_CODE.parity(d)
    u = np.concatenate((d, p, np.zeros((d.shape[0], SCH_TAIL_BITS), dtype=np.uint8)), axis=1)
    return conv_encode(u, GSM_K5)


def encode_sch_bursts(bsic: IntLike, fn: IntLike) -> np.ndarray:
    """(BSIC, FN) → complete 148-bit synchronization bursts (N, 148) uint8."""
    return assemble_sch_bursts(encode_sch(bsic, fn))


def decode_sch(sbits: np.ndarray) -> SchDecodeResult:
    """Decode soft SCH coded bits (N, 78) (or one (78,) block); soft-bit convention of ``softbits``."""
    x = np.asarray(sbits)
    if x.ndim == 1:
        x = x[None]
    if x.ndim != 2 or x.shape[1] != SCH_CODED_BITS:
        raise ValueError(f"expected (N, {SCH_CODED_BITS}) soft bits, got shape {np.shape(sbits)}")
    vit = viterbi_decode(x, GSM_K5, terminated=True)
    d = vit.ubits[:, :SCH_INFO_BITS]
    p = vit.ubits[:, SCH_INFO_BITS : SCH_INFO_BITS + SCH_PARITY_BITS]
    crc_ok = SCH_PARITY_CODE.check(d, p)
    bsic, t1, t2, t3p = _fields_from_info_ubits(d)
    fn = tdma.fn_from_sch(t1, t2, t3p)
    return SchDecodeResult(bsic, t1, t2, t3p, fn, crc_ok, vit.n_corrected)


def decode_sch_bursts(bursts_sbits: np.ndarray) -> SchDecodeResult:
    """Decode full soft synchronization bursts (N, 148)."""
    return decode_sch(sch_burst_data(np.asarray(bursts_sbits)))
