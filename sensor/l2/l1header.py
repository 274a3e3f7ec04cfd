"""The SACCH L1 header (TS 44.004 §7.2 downlink, §7.3 uplink): 2 octets before every SACCH frame.

Real vector: gr-gsm's SACCH block at FN 862242 of ``vf_call6_arfcn725.grgsm_sdcch8_ts1.txt``
starts ``00 01``::

    00   0 spare | 0 SRO | 0 FPC/EPC | 00000 ordered MS power level 0
    01   00 spare | 000001 ordered timing advance 1 bit period (about 550 m)

Decoding is total: any two octets are a header (spare bits are kept, so every header round-trips).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ts44004 as c
from .errors import Discard, L2DecodeError, L2EncodeError


@dataclass(frozen=True, slots=True)
class SacchL1Header:
    """Ordered (downlink) or actual (uplink) MS power level and timing advance."""

    ms_power_level: int  # 0..31, a TS 45.005 power control level code
    timing_advance_symbols: int  # 0..63 bit periods
    fpc_epc: bool = False  # fast / enhanced power control in use
    sro_srr: bool = False  # SACCH repetition order (downlink) or request (uplink)
    spare: int = 0  # bit 8 of octet 1 (0..1)
    ta_spare: int = 0  # bits 8-7 of octet 2 (0..3)


def decode_l1_header(octets: bytes) -> SacchL1Header:
    """The L1 header in the first two octets of a SACCH block."""
    if len(octets) < c.SACCH_L1_HEADER_OCTETS:
        raise L2DecodeError(Discard.BLOCK_LENGTH, f"{len(octets)} octets, no room for the SACCH L1 header")
    first, second = octets[0], octets[1]
    return SacchL1Header(
        ms_power_level=first & c.POWER_LEVEL_MASK,
        timing_advance_symbols=second & c.TIMING_ADVANCE_MASK,
        fpc_epc=bool(first & c.FPC_EPC),
        sro_srr=bool(first & c.SRO_SRR),
        spare=int(bool(first & c.OCTET1_SPARE)),
        ta_spare=(second >> c.OCTET2_SPARE_SHIFT) & c.OCTET2_SPARE_MASK,
    )


def encode_l1_header(header: SacchL1Header) -> bytes:
    limits = (
        ("ms_power_level", header.ms_power_level, c.POWER_LEVEL_MASK),
        ("timing_advance_symbols", header.timing_advance_symbols, c.TIMING_ADVANCE_MASK),
        ("spare", header.spare, 1),
        ("ta_spare", header.ta_spare, c.OCTET2_SPARE_MASK),
    )
    for name, value, most in limits:
        if not 0 <= value <= most:
            raise L2EncodeError(f"SACCH L1 header {name} must be 0..{most}, got {value}")
    first = (
        header.ms_power_level
        | (c.FPC_EPC if header.fpc_epc else 0)
        | (c.SRO_SRR if header.sro_srr else 0)
        | (c.OCTET1_SPARE if header.spare else 0)
    )
    return bytes([first, header.timing_advance_symbols | header.ta_spare << c.OCTET2_SPARE_SHIFT])
