"""RR information elements of the CCCH assignments, paging and dedicated-channel messages (TS 44.018
§10.5.2), both directions; the BCCH ones are in :mod:`.ie`. Each ends as an :class:`IEType` that the
message codec (:mod:`.codec`) walks.

Example, the request reference and timing advance of an Immediate Assignment (TS 44.018 §10.5.2.30,
§10.5.2.40; built by the simulator for RA 0x2A at FN 12345, tests/l3/test_ccch.py)::

    2a          RA: the access burst's 8 bits
    48 75       T1' 9 (FN div 1326 mod 32) | T3 3 (FN mod 51, 3 + 3 bits) | T2 21 (FN mod 26)
                → FN mod 42432 = 51 × ((T3 - T2) mod 26) + T3 + 1326 × T1' = 12345
    00          Timing Advance 0 (bits 6-1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .elements import HALF_OCTET, OCTET, OCTETS, IEType
from .errors import L3EncodeError
from .ie import ChannelDescription
from .ts44018 import (
    CHANNEL_TYPES_2,
    CIPHER_ALGORITHM_RESERVED,
    CIPHER_SC_BIT,
    MOBILE_ALLOCATION_MAX_OCTETS,
    STARTING_TIME_PERIOD_FRAMES,
)

T1_FRAMES = 1326  # TS 45.002 §4.3.3: T1 = FN div (26 × 51)
T2_FRAMES = 26  # T2 = FN mod 26
T3_FRAMES = 51  # T3 = FN mod 51


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


def octet_ie(title: str, low: int = 0, high: int = 255) -> IEType:
    """A one-octet value part read as an int, checked to ``low..high`` when encoding."""

    def write(v: int) -> bytes:
        _check(isinstance(v, int) and low <= v <= high, f"{title} must be {low}..{high}, got {v!r}")
        return bytes([v])

    return IEType(title, OCTET.decode, write, octets=1)


def _half(title: str, high: int = 15) -> IEType:
    def write(v: int) -> int:
        _check(isinstance(v, int) and 0 <= v <= high, f"{title} must be 0..{high}, got {v!r}")
        return v

    return IEType(title, HALF_OCTET.decode, write, half=True)


# --------------------------------------------------------------------------- §10.5.2.38 Starting Time, §10.5.2.30


@dataclass(frozen=True, slots=True)
class StartingTime:
    """TS 44.018 §10.5.2.38 (2 octets): T1' (5 bits), T3 (6 bits, split 3 + 3), T2 (5 bits)."""

    t1_prime: int
    t3: int
    t2: int

    @property
    def fn_mod_42432(self) -> int | None:
        """The frame number modulo 42432 it names (§10.5.2.38), None when T3 > 50 or T2 > 25."""
        if self.t3 >= T3_FRAMES or self.t2 >= T2_FRAMES:
            return None
        return T3_FRAMES * ((self.t3 - self.t2) % T2_FRAMES) + self.t3 + T1_FRAMES * self.t1_prime

    @classmethod
    def from_fn(cls, fn: int) -> StartingTime:
        _check(isinstance(fn, int) and fn >= 0, f"frame number must be >= 0, got {fn!r}")
        return cls((fn // T1_FRAMES) % (STARTING_TIME_PERIOD_FRAMES // T1_FRAMES), fn % T3_FRAMES, fn % T2_FRAMES)

    @classmethod
    def from_bytes(cls, data: bytes) -> StartingTime:
        return cls(data[0] >> 3, (data[0] & 0x07) << 3 | data[1] >> 5, data[1] & 0x1F)

    def to_bytes(self) -> bytes:
        _check(
            0 <= self.t1_prime <= 31 and 0 <= self.t3 <= 63 and 0 <= self.t2 <= 31,
            f"T1' must be 0..31, T3 0..63, T2 0..31, got {self.t1_prime}, {self.t3}, {self.t2}",
        )
        return bytes([self.t1_prime << 3 | self.t3 >> 3, (self.t3 & 0x07) << 5 | self.t2])


@dataclass(frozen=True, slots=True)
class RequestReference:
    """TS 44.018 §10.5.2.30 (3 octets): the RA of the access burst answered and the time it was
    received (the starting time layout of §10.5.2.38)."""

    ra: int
    time: StartingTime

    @property
    def fn_mod_42432(self) -> int | None:
        return self.time.fn_mod_42432

    @classmethod
    def from_fn(cls, ra: int, fn: int) -> RequestReference:
        return cls(ra, StartingTime.from_fn(fn))

    @classmethod
    def from_bytes(cls, data: bytes) -> RequestReference:
        return cls(data[0], StartingTime.from_bytes(data[1:3]))

    def to_bytes(self) -> bytes:
        _check(isinstance(self.ra, int) and 0 <= self.ra <= 255, f"RA must be 0..255, got {self.ra!r}")
        return bytes([self.ra]) + self.time.to_bytes()


# --------------------------------------------------------------------------- §10.5.2.9 Cipher Mode Setting


@dataclass(frozen=True, slots=True)
class CipherModeSetting:
    """TS 44.018 §10.5.2.9 (half octet): SC (bit 1) and the algorithm identifier (bits 4-2)."""

    start_ciphering: bool
    algorithm_code: int  # n: A5/(n+1); 7 reserved

    @property
    def a5(self) -> int | None:
        """The A5 algorithm number 1..7 when ciphering starts, else None."""
        if not self.start_ciphering or self.algorithm_code == CIPHER_ALGORITHM_RESERVED:
            return None
        return self.algorithm_code + 1

    @classmethod
    def from_half(cls, v: int) -> CipherModeSetting:
        return cls(bool(v & CIPHER_SC_BIT), v >> 1)

    def to_half(self) -> int:
        _check(0 <= self.algorithm_code <= 7, f"cipher algorithm code must be 0..7, got {self.algorithm_code}")
        return self.algorithm_code << 1 | int(self.start_ciphering)


# --------------------------------------------------------------------------- §10.5.2.3 Cell Options (SACCH)

DTX_SACCH_HIGH_BIT = 0x80  # §10.5.2.3: bit 8 is the high bit of the 3-bit SACCH DTX field (bits 6-5 the rest)


@dataclass(frozen=True, slots=True)
class CellOptionsSacch:
    """TS 44.018 §10.5.2.3 Cell Options (SACCH), 1 octet: DTX (3 bits, Table 10.5.2.3.2), PWRC,
    RADIO-LINK-TIMEOUT."""

    pwrc: bool
    dtx: int  # 3-bit code of Table 10.5.2.3.2
    radio_link_timeout_blocks: int  # 4..64 step 4

    @classmethod
    def from_bytes(cls, data: bytes) -> CellOptionsSacch:
        o = data[0]
        return cls(bool(o & 0x40), (o >> 7) << 2 | (o >> 4) & 0x3, 4 * ((o & 0xF) + 1))

    def to_bytes(self) -> bytes:
        _check(0 <= self.dtx <= 7, f"DTX code must be 0..7, got {self.dtx}")
        rlt = self.radio_link_timeout_blocks
        _check(4 <= rlt <= 64 and rlt % 4 == 0, f"RADIO-LINK-TIMEOUT must be 4..64 blocks step 4, got {rlt}")
        return bytes([(self.dtx >> 2) << 7 | self.pwrc << 6 | (self.dtx & 0x3) << 4 | (rlt // 4 - 1)])


@dataclass(frozen=True, slots=True)
class ChannelDescription2(ChannelDescription):
    """TS 44.018 §10.5.2.5a Channel Description 2 (Assignment Command): the §10.5.2.5 layout with
    the channel types of Table 10.5.2.5a.1."""

    CHANNEL_TYPES: ClassVar[dict[int, tuple[str, int | None]]] = CHANNEL_TYPES_2


def _tmsi_from_bytes(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _tmsi_to_bytes(v: int) -> bytes:
    _check(isinstance(v, int) and 0 <= v <= 0xFFFFFFFF, f"TMSI must be 0..2**32-1, got {v!r}")
    return v.to_bytes(4, "big")


def _timing_advance_to_bytes(v: int) -> bytes:
    _check(isinstance(v, int) and 0 <= v <= 63, f"timing advance must be 0..63, got {v!r}")
    return bytes([v])


# --------------------------------------------------------------------------- the IEs as the message codec reads them

CHANNEL_DESCRIPTION = IEType(
    "Channel Description", ChannelDescription.from_bytes, ChannelDescription.to_bytes, octets=3
)  # §10.5.2.5 (or the Packet Channel Description of §10.5.2.25a when a TBF is assigned: same 3 octets)
CHANNEL_DESCRIPTION_2 = IEType(
    "Channel Description 2", ChannelDescription2.from_bytes, ChannelDescription2.to_bytes, octets=3
)  # §10.5.2.5a
REQUEST_REFERENCE = IEType(
    "Request Reference", RequestReference.from_bytes, RequestReference.to_bytes, octets=3
)  # §10.5.2.30
STARTING_TIME = IEType("Starting Time", StartingTime.from_bytes, StartingTime.to_bytes, octets=2)  # §10.5.2.38
TIMING_ADVANCE = IEType("Timing Advance", lambda b: b[0] & 0x3F, _timing_advance_to_bytes, octets=1)  # §10.5.2.40
WAIT_INDICATION = octet_ie("Wait Indication")  # §10.5.2.43: T3122 in seconds
RR_CAUSE = octet_ie("RR Cause")  # §10.5.2.31, names in ts44018.RR_CAUSE
POWER_COMMAND = octet_ie("Power Command")  # §10.5.2.28, kept as its octet
PAGE_MODE = _half("Page Mode", 3)  # §10.5.2.26, bits 2-1 (ts44018.PageMode)
CHANNEL_NEEDED = _half("Channel Needed")  # §10.5.2.8: first channel bits 2-1, second bits 4-3
DEDICATED_MODE_OR_TBF = _half("Dedicated mode or TBF")  # §10.5.2.25b
FEATURE_INDICATOR = _half("Feature Indicator")  # §10.5.2.76
CIPHER_MODE_SETTING = IEType(
    "Cipher Mode Setting", CipherModeSetting.from_half, CipherModeSetting.to_half, half=True
)  # §10.5.2.9
CIPHER_RESPONSE = _half("Cipher Response", 1)  # §10.5.2.10: bit 1 CR, 1 = include the IMEISV
SPARE_HALF_OCTET = _half("Spare Half Octet")  # §10.5.1.8: sent as 0, kept as received
MOBILE_ALLOCATION = IEType(
    "Mobile Allocation", bytes, bytes, max_octets=MOBILE_ALLOCATION_MAX_OCTETS
)  # §10.5.2.21, octets kept
TMSI = IEType("TMSI/P-TMSI", _tmsi_from_bytes, _tmsi_to_bytes, octets=4)  # §10.5.2.42
CELL_OPTIONS_SACCH = IEType(
    "Cell Options (SACCH)", CellOptionsSacch.from_bytes, CellOptionsSacch.to_bytes, octets=1
)  # §10.5.2.3
IE_OCTETS = OCTETS  # an IE whose value part is kept as octets
