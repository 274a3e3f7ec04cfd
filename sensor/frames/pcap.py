"""Classic libpcap files of GSMTAP packets that Wireshark and tshark dissect.

File format: the libpcap global header (magic 0xA1B2C3D4, version 2.4, microsecond time stamps,
little endian) and one record header per packet. Each packet is IPv4/UDP to port 4729 carrying
a GSMTAP v2 header and the L2 frame, either behind an Ethernet II header (link type 1,
LINKTYPE_ETHERNET) or bare (link type 228, LINKTYPE_IPV4).
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sensor.l3.errors import L3ParseError

from .gsmtap import GSMTAP_UDP_PORT, GsmtapHeader, gsmtap_packet

PCAP_MAGIC = 0xA1B2C3D4
_GLOBAL = struct.Struct("<IHHiIII")
_RECORD = struct.Struct("<IIII")
SNAPLEN = 65535
_LOOPBACK = bytes([127, 0, 0, 1])
_SRC_PORT = 4729  # gr-gsm and osmocom send from an ephemeral port; any value dissects alike


class LinkType(enum.IntEnum):
    ETHERNET = 1  # LINKTYPE_ETHERNET
    IPV4 = 228  # LINKTYPE_IPV4: raw IPv4, no link header


def _ipv4_checksum(header: bytes) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_udp(payload: bytes, *, dst_port: int = GSMTAP_UDP_PORT, src_port: int = _SRC_PORT, ident: int = 0) -> bytes:
    """An IPv4 datagram 127.0.0.1 → 127.0.0.1 carrying ``payload`` in UDP (checksum 0: none)."""
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload
    header = bytearray(
        struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident & 0xFFFF, 0x4000, 64, 17, 0, _LOOPBACK, _LOOPBACK)
    )
    header[10:12] = struct.pack("!H", _ipv4_checksum(bytes(header)))
    return bytes(header) + udp


def ethernet(ip_datagram: bytes) -> bytes:
    return bytes(6) + bytes(6) + b"\x08\x00" + ip_datagram


class PcapWriter:
    """Writes GSMTAP packets to a pcap file. Use as a context manager or call :meth:`close`."""

    def __init__(self, target: str | Path | BinaryIO, link_type: LinkType = LinkType.ETHERNET) -> None:
        if isinstance(target, (str, Path)):
            self._file: BinaryIO = open(target, "wb")  # noqa: SIM115 - closed in close()
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self.link_type = LinkType(link_type)
        self._count = 0
        self._file.write(_GLOBAL.pack(PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, int(self.link_type)))

    @property
    def count(self) -> int:
        return self._count

    def write_packet(self, ip_datagram: bytes, t_s: float) -> None:
        """One IPv4 datagram (wrapped in Ethernet when the link type is Ethernet) at POSIX time ``t_s``."""
        frame = ethernet(ip_datagram) if self.link_type is LinkType.ETHERNET else ip_datagram
        sec = int(t_s)
        usec = int(round((t_s - sec) * 1e6))
        if usec >= 1_000_000:
            sec, usec = sec + 1, usec - 1_000_000
        self._file.write(_RECORD.pack(sec, usec, len(frame), len(frame)) + frame)
        self._count += 1

    def write_gsmtap(self, l2: bytes, header: GsmtapHeader, t_s: float = 0.0) -> None:
        self.write_packet(ipv4_udp(gsmtap_packet(l2, header), ident=self._count), t_s)

    def close(self) -> None:
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_gsmtap_pcap(path: str | Path) -> Iterator[tuple[float, GsmtapHeader, bytes]]:
    """(time s, GSMTAP header, L2 frame) of every GSMTAP packet in a pcap file we (or others) wrote."""
    data = Path(path).read_bytes()
    if len(data) < _GLOBAL.size:
        raise L3ParseError("pcap file shorter than its global header")
    magic = struct.unpack_from("<I", data)[0]
    if magic == PCAP_MAGIC:
        endian = "<"
    elif magic == 0xD4C3B2A1:
        endian = ">"
    else:
        raise L3ParseError(f"not a microsecond libpcap file (magic {magic:#x})")
    link = struct.unpack_from(endian + "I", data, 20)[0]
    pos = _GLOBAL.size
    while pos + _RECORD.size <= len(data):
        sec, usec, incl, _ = struct.unpack_from(endian + "IIII", data, pos)
        frame = data[pos + _RECORD.size : pos + _RECORD.size + incl]
        pos += _RECORD.size + incl
        if len(frame) < incl:
            raise L3ParseError("pcap record runs past the end of the file")
        if link == LinkType.ETHERNET:
            if frame[12:14] != b"\x08\x00":
                continue
            frame = frame[14:]
        elif link != LinkType.IPV4:
            raise L3ParseError(f"unsupported pcap link type {link}")
        ihl = (frame[0] & 0x0F) * 4 if frame else 0
        if len(frame) < ihl + 8 or frame[9] != 17:
            continue
        dport = struct.unpack_from("!H", frame, ihl + 2)[0]
        if dport != GSMTAP_UDP_PORT:
            continue
        header, l2 = GsmtapHeader.from_bytes(frame[ihl + 8 :])
        yield sec + usec / 1e6, header, l2
