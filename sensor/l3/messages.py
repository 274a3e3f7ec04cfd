"""BCCH System Information messages (TS 44.018 §9.1.31-9.1.43): typed objects, parser, encoders.

An L2 frame on the BCCH is 23 octets (TS 44.006 §8.1.4 / TS 44.018 §9.1.31): the L2 pseudo
length octet (§10.5.2.19: value << 2 | 0b01, the number of octets that follow it excluding the
rest octets), the RR protocol discriminator 0x06 with skip indicator 0 (§10.2, §10.3.1), the
message type (§10.4) and the information elements, padded to 23 octets with 0x2B.

:func:`parse_si` turns 23 octets into one of the ``SystemInformation*`` classes, raising only
:class:`L3ParseError` (subclass of :class:`sensor.errors.DecodeError`) for anything it cannot
parse. Each class encodes itself back with ``to_l2()``; ``params()`` gives the flat, JSON-ready
dictionary of CONTRACT.md's ``cell.params``; ``as_dict()`` the full nested form.

The classes live in ``si_lists`` (SI1, SI2, SI2bis, SI2ter, SI2quater) and ``si_cell`` (SI3, SI4,
SI7, SI8, SI13), what they share in ``si_common``; this module is the entry point and names them all.
Each declares its layout once as a ``SPEC`` that the generic codec of :mod:`.codec` walks;
:data:`MESSAGE_CLASSES` maps the message type to the class.

Example, a real SI3 (captures/README.md, vf_call6 ARFCN 725, MCC 262 MNC 02, as gr-gsm decoded it)::

    49                 L2 pseudo length 18 (18 << 2 | 01)
    06                 skip indicator 0, protocol discriminator 6 (RR)
    1b                 message type: System Information Type 3
    2b d9              Cell Identity 11225
    62 f2 20 01 3e     LAI: MCC 262, MNC 02, LAC 318
    c8 07 0a           Control Channel Description: MSCR, ATT, BS_AG_BLKS_RES 1, CCCH_CONF 0,
                       BS_PA_MFRMS 9, T3212 10 (60 min)
    15                 Cell Options (BCCH): DTX 1, RADIO-LINK-TIMEOUT 24 blocks
    60 09              Cell Selection Parameters: hysteresis 6 dB, MS_TXPWR_MAX_CCH 0, RXLEV_ACCESS_MIN 9 (-101 dBm)
    b9 00 00           RACH Control Parameters: MAX RETRANS 4, TX-INTEGER 32 slots, no class barred
    e8 1f 46 1b        SI 3 Rest Octets: selection parameters (CBQ 1, CRO 80 dB, PENALTY_TIME 31),
                       SI2ter and SI2quater broadcast, GPRS indicator (RA COLOUR 6)
"""

from __future__ import annotations

from typing import Any, get_args

from sensor.l2.ts44006 import FRAME_OCTETS

from .codec import decode
from .errors import L3ParseError, NotSystemInformation, TruncatedMessage
from .si_cell import (
    SystemInformation3,
    SystemInformation4,
    SystemInformation7,
    SystemInformation8,
    SystemInformation13,
)
from .si_lists import (
    SystemInformation1,
    SystemInformation2,
    SystemInformation2bis,
    SystemInformation2quater,
    SystemInformation2ter,
)
from .ts24007 import PD_RR
from .ts44018 import L2_PSEUDO_LENGTH_BITS, SI_TYPE_OF_MESSAGE_TYPE, SIType

SystemInformation = (
    SystemInformation1
    | SystemInformation2
    | SystemInformation2bis
    | SystemInformation2ter
    | SystemInformation2quater
    | SystemInformation3
    | SystemInformation4
    | SystemInformation7
    | SystemInformation8
    | SystemInformation13
)

# TS 44.018 §10.4: message type → the class that declares the message
MESSAGE_CLASSES: dict[int, Any] = {cls.SPEC.fields[3].const: cls for cls in get_args(SystemInformation)}


# --------------------------------------------------------------------------- entry points


def si_type_of(l2: bytes) -> SIType | None:
    """The SI type of an L2 frame with an RR pseudo-length header, or None (cheap, never raises)."""
    if len(l2) < 3 or l2[0] & 0x03 != L2_PSEUDO_LENGTH_BITS or l2[1] != PD_RR:
        return None
    return SI_TYPE_OF_MESSAGE_TYPE.get(l2[2])


def parse_si(l2: bytes, *, strict: bool = True) -> SystemInformation:
    """Parse one 23-octet BCCH L2 frame into its ``SystemInformation*`` object.

    Raises :class:`TruncatedMessage` for fewer than 23 octets, :class:`NotSystemInformation` for
    a valid RR header of another message type, and :class:`L3ParseError` for anything malformed.
    With ``strict=False`` malformed rest octets do not fail the message: ``rest_octets`` is None
    and ``rest_octets_error`` says why.
    """
    try:
        frame = bytes(l2)
    except (TypeError, ValueError) as exc:
        raise L3ParseError(f"not an octet string: {exc}") from None
    if len(frame) < FRAME_OCTETS:
        raise TruncatedMessage(f"BCCH L2 frame of {len(frame)} octets, expected {FRAME_OCTETS}")
    if len(frame) > FRAME_OCTETS:
        raise L3ParseError(f"BCCH L2 frame of {len(frame)} octets, expected {FRAME_OCTETS}")
    if frame[0] & 0x03 != L2_PSEUDO_LENGTH_BITS:
        raise L3ParseError(f"octet 1 {frame[0]:#04x} is not an L2 pseudo length (bits 2-1 must be 01)")
    if frame[1] & 0x0F != PD_RR:
        raise NotSystemInformation(f"protocol discriminator {frame[1] & 0x0F} is not RR (6)")
    if frame[1] >> 4:
        raise L3ParseError(f"skip indicator {frame[1] >> 4} is not 0: the message must be ignored")
    cls = MESSAGE_CLASSES.get(frame[2])
    if cls is None:
        raise NotSystemInformation(f"RR message type {frame[2]:#04x} is not a System Information type we parse")
    try:
        return decode(cls, frame, strict=strict)
    except L3ParseError:
        raise
    except (IndexError, ValueError, KeyError) as exc:  # defensive: keep the typed-error promise
        raise L3ParseError(f"SI{cls.si_type.value} could not be parsed: {exc}") from exc


__all__ = [
    "MESSAGE_CLASSES",
    "SIType",
    "SystemInformation",
    "SystemInformation1",
    "SystemInformation2",
    "SystemInformation2bis",
    "SystemInformation2quater",
    "SystemInformation2ter",
    "SystemInformation3",
    "SystemInformation4",
    "SystemInformation7",
    "SystemInformation8",
    "SystemInformation13",
    "parse_si",
    "si_type_of",
]
