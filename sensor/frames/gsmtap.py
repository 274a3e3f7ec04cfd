"""GSMTAP version 2 headers (Wireshark's convention for GSM frames over UDP port 4729) and a sender.

Header layout (16 octets, network order, ``!BBBBHbbIBBBB``): version 2, header length in 32-bit
words (4), payload type (1 = Um), timeslot, ARFCN (flags 0x8000 PCS band, 0x4000 uplink), signal
level dBm (signed), SNR dB (signed), TDMA frame number, channel sub-type, antenna number,
sub-slot, reserved. The payload of a Um frame is the 23-octet L2 frame.
"""

from __future__ import annotations

import enum
import socket
import struct
from dataclasses import dataclass

from sensor.l3.errors import L3EncodeError, L3ParseError

GSMTAP_VERSION = 2
GSMTAP_HEADER = struct.Struct("!BBBBHbbIBBBB")
GSMTAP_HEADER_WORDS = GSMTAP_HEADER.size // 4
GSMTAP_UDP_PORT = 4729
GSMTAP_TYPE_UM = 0x01
ARFCN_FLAG_PCS = 0x8000
ARFCN_FLAG_UPLINK = 0x4000
ARFCN_MASK = 0x3FFF


class GsmtapChannel(enum.IntEnum):
    """GSMTAP Um channel sub-types (libosmocore gsmtap.h, as dissected by Wireshark)."""

    UNKNOWN = 0x00
    BCCH = 0x01
    CCCH = 0x02
    RACH = 0x03
    AGCH = 0x04
    PCH = 0x05
    SDCCH = 0x06
    SDCCH4 = 0x07
    SDCCH8 = 0x08
    TCH_F = 0x09
    TCH_H = 0x0A


GSMTAP_CHANNEL_ACCH = 0x80  # OR-ed into the sub-type for the SACCH of a channel

_CHANNEL_BY_NAME = {"BCCH": GsmtapChannel.BCCH, "CCCH": GsmtapChannel.CCCH, "SDCCH": GsmtapChannel.SDCCH}


def channel_for(name: str) -> int:
    """GSMTAP sub-type of a CONTRACT.md block ``channel`` name (BCCH, CCCH, SDCCH, SACCH)."""
    if name == "SACCH":
        return GsmtapChannel.SDCCH | GSMTAP_CHANNEL_ACCH
    try:
        return int(_CHANNEL_BY_NAME[name])
    except KeyError:
        raise L3EncodeError(f"no GSMTAP sub-type for channel {name!r}") from None


def _clamp_s8(value: float | None) -> int:
    if value is None:
        return 0  # the header has no "unknown"; 0 is what gr-gsm writes when it does not know
    return max(-128, min(127, int(round(value))))


@dataclass(frozen=True, slots=True)
class GsmtapHeader:
    arfcn: int
    timeslot: int = 0
    frame_number: int = 0
    sub_type: int = GsmtapChannel.BCCH
    signal_dbm: float | None = None
    snr_db: float | None = None
    uplink: bool = False
    pcs: bool = False
    antenna: int = 0
    sub_slot: int = 0

    def to_bytes(self) -> bytes:
        if not 0 <= self.arfcn <= ARFCN_MASK:
            raise L3EncodeError(f"GSMTAP ARFCN must be 0..{ARFCN_MASK}, got {self.arfcn}")
        if not 0 <= self.timeslot <= 7 or not 0 <= self.frame_number < 1 << 32:
            raise L3EncodeError(f"bad timeslot {self.timeslot} or frame number {self.frame_number}")
        arfcn = self.arfcn | (ARFCN_FLAG_PCS if self.pcs else 0) | (ARFCN_FLAG_UPLINK if self.uplink else 0)
        return GSMTAP_HEADER.pack(
            GSMTAP_VERSION,
            GSMTAP_HEADER_WORDS,
            GSMTAP_TYPE_UM,
            self.timeslot,
            arfcn,
            _clamp_s8(self.signal_dbm),
            _clamp_s8(self.snr_db),
            self.frame_number,
            int(self.sub_type),
            self.antenna,
            self.sub_slot,
            0,
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> tuple[GsmtapHeader, bytes]:
        """(header, payload) of a GSMTAP v2 Um packet."""
        if len(data) < GSMTAP_HEADER.size:
            raise L3ParseError(f"GSMTAP packet of {len(data)} octets is shorter than its header")
        version, words, ptype, ts, arfcn, sig, snr, fn, sub, ant, ss, _ = GSMTAP_HEADER.unpack_from(data)
        if version != GSMTAP_VERSION or words * 4 < GSMTAP_HEADER.size or ptype != GSMTAP_TYPE_UM:
            raise L3ParseError(f"not a GSMTAP v2 Um packet (version {version}, type {ptype})")
        header = cls(
            arfcn=arfcn & ARFCN_MASK,
            timeslot=ts,
            frame_number=fn,
            sub_type=sub,
            signal_dbm=sig,
            snr_db=snr,
            uplink=bool(arfcn & ARFCN_FLAG_UPLINK),
            pcs=bool(arfcn & ARFCN_FLAG_PCS),
            antenna=ant,
            sub_slot=ss,
        )
        return header, bytes(data[words * 4 :])


def gsmtap_packet(l2: bytes, header: GsmtapHeader) -> bytes:
    """A GSMTAP v2 UDP payload: header + L2 frame."""
    return header.to_bytes() + bytes(l2)


class GsmtapSender:
    """Sends GSMTAP packets over UDP (default 127.0.0.1:4729). Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = GSMTAP_UDP_PORT) -> None:
        self.address = (host, port)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_DGRAM)

    def send(self, l2: bytes, header: GsmtapHeader) -> None:
        self._sock.sendto(gsmtap_packet(l2, header), self.address)

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> GsmtapSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
