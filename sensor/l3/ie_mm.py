"""Information elements of TS 24.008 §10.5.1 (common) and §10.5.3 (MM), both directions: Mobile
Identity, Location Updating Type, CKSN, Mobile Station Classmark 1, Identity Type, Reject Cause,
CM Service Type, authentication parameters. Each ends as an :class:`IEType` of :mod:`.codec`.

Identities are personal data: these decoders return them (the sensor hashes them right after);
nothing here logs them. Example, the Mobile Identity of the real Paging Response of vf_call6
(captures/expected/vf_call6_arfcn725.grgsm_sdcch8_ts1.txt, FN 1331351)::

    05              length 5
    f4              bits 8-5 1111, bit 4 odd/even 0, bits 3-1 type 100: TMSI/P-TMSI
    01 5c 57 03     the TMSI (kept only as a keyed hash downstream)

and an IMSI of 15 digits ``262021234567890`` (TS 24.008 §10.5.1.4 Figure 10.5.4)::

    08 29 26 20 21 43 65 87 09    length 8 | digit 1 2, odd 1, type 001 | digits 2-3 (6 2: low half
                                  first) | 0 2 | 1 2 | 3 4 | 5 6 | 7 8 | 9 0
"""

from __future__ import annotations

from dataclasses import dataclass

from .elements import HALF_OCTET, OCTET, OCTETS, IEType
from .errors import L3EncodeError, L3ParseError
from .ts24008 import (
    AUTN_OCTETS,
    BCD_FILLER,
    CLASSMARK_2_OCTETS,
    LUT_FOLLOW_ON_REQUEST_BIT,
    LUT_MASK,
    MI_ODD_BIT,
    RAND_OCTETS,
    SRES_OCTETS,
    TMSI_OCTETS,
    MobileIdentityType,
)

# §10.5.1.4: the identity types written as BCD digits, and how many digits each may have
_DIGIT_TYPES: dict[MobileIdentityType, tuple[int, int]] = {
    MobileIdentityType.IMSI: (1, 15),
    MobileIdentityType.IMEI: (1, 15),
    MobileIdentityType.IMEISV: (1, 16),
}
MOBILE_IDENTITY_MAX_OCTETS = 9  # §10.5.1.4: an IMEISV, 16 digits + filler, is the longest


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise L3EncodeError(message)


@dataclass(frozen=True, slots=True)
class MobileIdentity:
    """TS 24.008 §10.5.1.4: ``digits`` for an IMSI/IMEI/IMEISV, ``tmsi`` for a TMSI/P-TMSI, neither
    for "no identity"."""

    type: MobileIdentityType
    digits: str | None = None
    tmsi: int | None = None

    @classmethod
    def imsi(cls, digits: str) -> MobileIdentity:
        return cls(MobileIdentityType.IMSI, digits=digits)

    @classmethod
    def of_tmsi(cls, tmsi: int) -> MobileIdentity:
        return cls(MobileIdentityType.TMSI, tmsi=tmsi)

    @classmethod
    def none(cls) -> MobileIdentity:
        return cls(MobileIdentityType.NONE)

    @classmethod
    def from_bytes(cls, data: bytes) -> MobileIdentity:
        if not data:
            raise L3ParseError("Mobile Identity is empty")
        code = data[0] & 0x07
        try:
            kind = MobileIdentityType(code)
        except ValueError:
            raise L3ParseError(f"Mobile Identity type {code:03b} is reserved") from None
        if kind is MobileIdentityType.NONE:
            return cls(kind)
        if kind is MobileIdentityType.TMSI:
            if len(data) != 1 + TMSI_OCTETS:
                raise L3ParseError(f"TMSI Mobile Identity of {len(data)} octets, expected {1 + TMSI_OCTETS}")
            return cls(kind, tmsi=int.from_bytes(data[1:], "big"))
        if kind not in _DIGIT_TYPES:
            raise L3ParseError(f"Mobile Identity type {kind.name} is not decoded")
        nibbles = [data[0] >> 4] + [n for o in data[1:] for n in (o & 0x0F, o >> 4)]
        odd = bool(data[0] & MI_ODD_BIT)
        if not odd:
            if nibbles[-1] != BCD_FILLER:
                raise L3ParseError("Mobile Identity with an even number of digits lacks its 1111 filler")
            nibbles = nibbles[:-1]
        if any(n > 9 for n in nibbles):
            raise L3ParseError(f"Mobile Identity {kind.name} holds a non-decimal digit")
        return cls(kind, digits="".join(map(str, nibbles)))

    def to_bytes(self) -> bytes:
        kind = self.type
        if kind is MobileIdentityType.NONE:
            return bytes([BCD_FILLER << 4 | kind])
        if kind is MobileIdentityType.TMSI:
            _check(
                isinstance(self.tmsi, int) and 0 <= self.tmsi <= 0xFFFFFFFF, f"TMSI must be 32 bits, got {self.tmsi!r}"
            )
            assert self.tmsi is not None
            return bytes([BCD_FILLER << 4 | kind]) + self.tmsi.to_bytes(TMSI_OCTETS, "big")
        _check(kind in _DIGIT_TYPES, f"Mobile Identity type {kind!r} cannot be encoded")
        least, most = _DIGIT_TYPES[kind]
        d = self.digits
        _check(
            isinstance(d, str) and d.isascii() and d.isdigit() and least <= len(d) <= most,
            f"{kind.name} must be {least}..{most} decimal digits",
        )
        assert d is not None
        nibbles = [int(c) for c in d] + ([] if len(d) % 2 else [BCD_FILLER])
        first = nibbles[0] << 4 | (MI_ODD_BIT if len(d) % 2 else 0) | kind
        return bytes([first] + [nibbles[i] | nibbles[i + 1] << 4 for i in range(1, len(nibbles), 2)])


# --------------------------------------------------------------------------- half-octet IEs


@dataclass(frozen=True, slots=True)
class LocationUpdatingType:
    """TS 24.008 §10.5.3.5 (half octet): LUT (bits 2-1, ts24008.LocationUpdatingType) and FOR (bit 4)."""

    type: int
    follow_on_request: bool = False

    @classmethod
    def from_half(cls, v: int) -> LocationUpdatingType:
        return cls(v & LUT_MASK, bool(v & LUT_FOLLOW_ON_REQUEST_BIT))

    def to_half(self) -> int:
        _check(0 <= self.type <= LUT_MASK, f"location updating type must be 0..3, got {self.type}")
        return self.type | (LUT_FOLLOW_ON_REQUEST_BIT if self.follow_on_request else 0)


def _bits(title: str, mask: int) -> IEType:
    """A half-octet IE of which bits ``mask`` carry the value (the others spare, read as 0)."""

    def write(v: int) -> int:
        _check(isinstance(v, int) and 0 <= v <= mask, f"{title} must be 0..{mask}, got {v!r}")
        return v

    return IEType(title, lambda v: v & mask, write, half=True)


# --------------------------------------------------------------------------- §10.5.1.5 MS Classmark 1


@dataclass(frozen=True, slots=True)
class MobileStationClassmark1:
    """TS 24.008 §10.5.1.5 (1 octet): revision level, ES IND, A5/1 availability, RF power capability."""

    revision_level: int  # 0 phase 1, 1 phase 2, 2 R99 onwards
    es_ind: bool  # early classmark sending implemented
    a5_1: bool  # A5/1 available (the bit is 0 when it is)
    rf_power_capability: int  # class - 1 (GSM 900: 0 class 1 ... 4 class 5)

    @classmethod
    def from_bytes(cls, data: bytes) -> MobileStationClassmark1:
        o = data[0]
        return cls((o >> 5) & 0x3, bool(o & 0x10), not o & 0x08, o & 0x07)

    def to_bytes(self) -> bytes:
        _check(
            0 <= self.revision_level <= 3 and 0 <= self.rf_power_capability <= 7,
            f"revision level 0..3 and RF power capability 0..7, got {self.revision_level}, {self.rf_power_capability}",
        )
        return bytes([self.revision_level << 5 | self.es_ind << 4 | (not self.a5_1) << 3 | self.rf_power_capability])


def _fixed(title: str, octets: int) -> IEType:
    def write(v: bytes) -> bytes:
        _check(isinstance(v, (bytes, bytearray)) and len(v) == octets, f"{title} must be {octets} octets")
        return bytes(v)

    return IEType(title, bytes, write, octets=octets)


def _reject_cause_to_bytes(v: int) -> bytes:
    _check(isinstance(v, int) and 0 <= v <= 255, f"reject cause must be 0..255, got {v!r}")
    return bytes([v])


# --------------------------------------------------------------------------- the IEs as the message codec reads them

MOBILE_IDENTITY = IEType(
    "Mobile Identity", MobileIdentity.from_bytes, MobileIdentity.to_bytes, max_octets=MOBILE_IDENTITY_MAX_OCTETS
)  # §10.5.1.4
LOCATION_UPDATING_TYPE = IEType(
    "Location Updating Type", LocationUpdatingType.from_half, LocationUpdatingType.to_half, half=True
)  # §10.5.3.5
CKSN = _bits("Ciphering Key Sequence Number", 0x7)  # §10.5.1.2: 0..6, 7 = no key (ts24008.CKSN_NO_KEY)
IDENTITY_TYPE = _bits("Identity Type", 0x7)  # §10.5.3.4 (ts24008.IdentityType)
CM_SERVICE_TYPE = IEType("CM Service Type", HALF_OCTET.decode, HALF_OCTET.encode, half=True)  # §10.5.3.3
MS_CLASSMARK_1 = IEType(
    "Mobile Station Classmark 1", MobileStationClassmark1.from_bytes, MobileStationClassmark1.to_bytes, octets=1
)  # §10.5.1.5
MS_CLASSMARK_2 = IEType("Mobile Station Classmark 2", bytes, bytes, max_octets=CLASSMARK_2_OCTETS)  # §10.5.1.6, octets
MS_CLASSMARK_3 = IEType("Mobile Station Classmark 3", bytes, bytes, max_octets=32)  # §10.5.1.7, octets
REJECT_CAUSE = IEType(
    "Reject Cause", OCTET.decode, _reject_cause_to_bytes, octets=1
)  # §10.5.3.6 (ts24008.REJECT_CAUSE)
RAND = _fixed("Authentication parameter RAND", RAND_OCTETS)  # §10.5.3.1
SRES = _fixed("Authentication Response parameter", SRES_OCTETS)  # §10.5.3.2
AUTN = IEType("Authentication parameter AUTN", bytes, bytes, max_octets=AUTN_OCTETS)  # §10.5.3.1.1
IE_OCTETS = OCTETS
