"""Phones' identities replaced inside raw frames by their same-length pseudonyms (:mod:`.pseudonym`),
so that what the sensor writes as GSMTAP, pcap or ``--blocks`` still dissects in Wireshark while no
IMSI, TMSI or IMEI leaves the receiver.

Which messages: every decodable L3 message with a Mobile Identity IE or a TMSI field — Paging
Request 1/2/3 on the CCCH, Paging Response, Ciphering Mode Complete (IMEISV), and the MM messages
(LU Request/Accept, Identity Response, TMSI Reallocation Command, CM Service Request, IMSI Detach).
How: decode with :func:`~sensor.l3.decode_l3`, replace each identity by its pseudonym (same type
and digit count, so the same encoded length), encode with ``to_l2()``; when the unmodified message
re-encodes to exactly its original octets the re-encoded message is spliced in, else the identity
IE's own octets are replaced where they occur exactly once.

Choice for what cannot be rewritten: a message that does not decode, or whose identity cannot be
found again, is BLANKED when it may carry an identity (PD MM or GMM, or one of the RR messages
above; MM only its identity-bearing types): everything after its message type becomes fill ``2b``,
so Wireshark still names the message and shows it malformed, and no identity leaks. Anything else
(SAPI 3 SMS frames, Ciphering Mode Command, System Information, garbage that is no LAPDm frame) is
left alone: it holds no identity and may be evidence. Frames are rewritten one by one: an identity
in a later segment of a segmented message cannot be recognised, but every identity-bearing message
of TS 24.008 fits one SDCCH frame (N201 = 20).

Example, the real UA of vf_call6 (FN 862261) ``01 73 35 | 06 27 00 03 50 18 a0 05 f4 01 5c 57 03 |
2b…``: the LAPDm header and the Paging Response header stay, ``01 5c 57 03`` (the TMSI) becomes
four other octets, and decoding the new block gives the pseudonym TMSI.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sensor.errors import DecodeError
from sensor.l2.frame import HEADER_OCTETS, decode_block, layout
from sensor.l2.ts44006 import FILL_OCTET, SAPI_SMS, Channel
from sensor.l3 import decode_l3
from sensor.l3.dispatch import UnknownMessage, message_key_of
from sensor.l3.errors import L3EncodeError
from sensor.l3.ie_mm import MobileIdentity
from sensor.l3.ts24007 import ProtocolDiscriminator
from sensor.l3.ts24008 import MMMessageType
from sensor.l3.ts44018 import RRMessageType

from .pseudonym import Pseudonymizer

# TS 24.008 §9.2: the MM messages with a Mobile Identity (CM Re-establishment Request is not decoded)
IDENTITY_MM_TYPES = frozenset(
    {
        MMMessageType.LOCATION_UPDATING_REQUEST,
        MMMessageType.LOCATION_UPDATING_ACCEPT,
        MMMessageType.IDENTITY_RESPONSE,
        MMMessageType.TMSI_REALLOCATION_COMMAND,
        MMMessageType.CM_SERVICE_REQUEST,
        MMMessageType.CM_REESTABLISHMENT_REQUEST,
        MMMessageType.IMSI_DETACH_INDICATION,
    }
)
# TS 44.018 §9.1: the RR messages with a Mobile Identity or TMSI
IDENTITY_RR_TYPES = frozenset(
    {
        RRMessageType.PAGING_REQUEST_1,
        RRMessageType.PAGING_REQUEST_2,
        RRMessageType.PAGING_REQUEST_3,
        RRMessageType.PAGING_RESPONSE,
        RRMessageType.CIPHERING_MODE_COMPLETE,
    }
)
# §9.1.23, §9.1.24: the TMSIs of Paging Request Type 2/3 are bare 4-octet fields
TMSI_FIELDS = ("tmsi_1", "tmsi_2", "tmsi_3", "tmsi_4")
# the L2 block channels of sensor.model.L2Block → the LAPDm channel (BCCH/CCCH: Bbis, all L3)
LAPDM_CHANNELS = {"SDCCH": Channel.SDCCH, "SACCH": Channel.SACCH}


def may_carry_identity(octets: bytes, offset: int = 0) -> bool:
    """True when the L3 header at ``offset`` names a message that may hold a phone's identity."""
    try:
        pd, message_type = message_key_of(octets, offset)
    except DecodeError:
        return False  # no message type: too short to hold an identity
    return (
        pd == ProtocolDiscriminator.GMM  # GPRS MM (TS 24.008 §9.4), not decoded: any may hold one
        or (pd == ProtocolDiscriminator.MM and message_type in IDENTITY_MM_TYPES)
        or (pd == ProtocolDiscriminator.RR and message_type in IDENTITY_RR_TYPES)
    )


def _pseudonymized(message: Any, names: Pseudonymizer) -> tuple[Any, list[tuple[bytes, bytes]]]:
    """The message with its identities replaced, and (old IE octets, new IE octets) of each."""
    changes: dict[str, Any] = {}
    swaps: list[tuple[bytes, bytes]] = []
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        if isinstance(value, MobileIdentity):
            new = names.identity(value)
            if new != value:
                changes[f.name] = new
                swaps.append((value.to_bytes(), new.to_bytes()))
        elif f.name in TMSI_FIELDS and isinstance(value, int):
            new_tmsi = names.tmsi(value)
            changes[f.name] = new_tmsi
            swaps.append((value.to_bytes(4, "big"), new_tmsi.to_bytes(4, "big")))
    return (dataclasses.replace(message, **changes) if changes else message), swaps


def _blanked(octets: bytes, offset: int) -> bytes:
    """The message's header (PD/TI and type) kept, everything after it fill."""
    keep = min(len(octets), offset + 2)
    return octets[:keep] + bytes([FILL_OCTET]) * (len(octets) - keep)


def rewrite_l3(octets: bytes, names: Pseudonymizer, *, pseudo_length: bool = False) -> bytes:
    """``octets`` (an L3 message, or with ``pseudo_length`` a 23-octet Bbis block) with every phone
    identity replaced by its pseudonym, same length; blanked when that cannot be done and it may
    hold one; unchanged when it holds none (or ``names.keep_raw``)."""
    data = bytes(octets)
    if names.keep_raw or not data:
        return data
    offset = 1 if pseudo_length else 0
    try:
        message = decode_l3(data, pseudo_length=pseudo_length)
    except DecodeError:
        return _blanked(data, offset) if may_carry_identity(data, offset) else data
    if isinstance(message, UnknownMessage):
        return _blanked(data, offset) if may_carry_identity(data, offset) else data
    new, swaps = _pseudonymized(message, names)
    if not swaps:
        return data
    try:
        original, rewritten = message.to_l2(), new.to_l2()
    except (L3EncodeError, DecodeError):
        original = rewritten = b""
    if original and original == data[: len(original)] and len(rewritten) == len(original):
        return rewritten + data[len(rewritten) :]
    out = data
    for old, new_octets in swaps:
        if len(old) != len(new_octets) or out.count(old) != 1:
            return _blanked(data, offset)
        out = out.replace(old, new_octets)
    return out


def rewrite_block(octets: bytes, channel: str, names: Pseudonymizer) -> bytes:
    """A 23-octet L2 block of ``channel`` ("BCCH", "CCCH", "SDCCH", "SACCH") with its identities
    replaced (see :func:`rewrite_l3`); a block that is no LAPDm frame is returned unchanged."""
    data = bytes(octets)
    if names.keep_raw:
        return data
    if channel in ("BCCH", "CCCH"):
        return rewrite_l3(data, names, pseudo_length=True)
    lapdm = LAPDM_CHANNELS.get(channel)
    if lapdm is None:
        return data
    try:
        block = decode_block(data, lapdm)
    except DecodeError:
        return data
    info = block.frame.info
    lay = layout(lapdm)
    if not info or block.frame.sapi == SAPI_SMS or lay is None or block.fmt not in HEADER_OCTETS:
        return data
    start = lay.l1_header_octets + HEADER_OCTETS[block.fmt]
    new_info = rewrite_l3(info, names, pseudo_length=block.fmt.name == "B4")
    return data[:start] + new_info + data[start + len(info) :]
