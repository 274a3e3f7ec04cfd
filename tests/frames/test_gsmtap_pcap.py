"""GSMTAP v2 header layout, pcap files (Ethernet and raw IPv4), the UDP sender."""

from __future__ import annotations

import io
import socket
import struct

import pytest

from sensor.frames.gsmtap import GSMTAP_HEADER, GsmtapChannel, GsmtapHeader, GsmtapSender, channel_for, gsmtap_packet
from sensor.frames.pcap import LinkType, PcapWriter, ipv4_udp, read_gsmtap_pcap
from sensor.l3.errors import L3EncodeError, L3ParseError

SI3 = bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b900008020420b")


def test_header_layout():
    h = GsmtapHeader(arfcn=725, timeslot=3, frame_number=860933, sub_type=GsmtapChannel.CCCH,
                     signal_dbm=-61.4, snr_db=18.6, uplink=True, pcs=True, antenna=1, sub_slot=2)  # fmt: skip
    raw = h.to_bytes()
    assert len(raw) == 16 == GSMTAP_HEADER.size
    assert struct.unpack("!BBBBHbbIBBBB", raw) == (2, 4, 1, 3, 725 | 0x8000 | 0x4000, -61, 19, 860933, 2, 1, 2, 0)
    back, payload = GsmtapHeader.from_bytes(raw + SI3)
    assert payload == SI3 and back.arfcn == 725 and back.uplink and back.pcs and back.frame_number == 860933
    assert back.signal_dbm == -61 and back.snr_db == 19 and back.sub_type == GsmtapChannel.CCCH


def test_header_values_and_errors():
    assert GsmtapHeader(arfcn=1, signal_dbm=None, snr_db=-500).to_bytes()[6:8] == bytes(
        [0, 0x80]
    )  # unknown → 0, clamped
    assert GsmtapChannel.BCCH == 1 and GsmtapChannel.CCCH == 2 and GsmtapChannel.SDCCH == 6
    assert (
        channel_for("BCCH") == 1
        and channel_for("CCCH") == 2
        and channel_for("SDCCH") == 6
        and channel_for("SACCH") == 0x86
    )
    with pytest.raises(L3EncodeError):
        channel_for("PDTCH")
    with pytest.raises(L3EncodeError):
        GsmtapHeader(arfcn=0x4000).to_bytes()
    with pytest.raises(L3EncodeError):
        GsmtapHeader(arfcn=1, timeslot=8).to_bytes()
    with pytest.raises(L3ParseError):
        GsmtapHeader.from_bytes(b"\x02\x04")
    with pytest.raises(L3ParseError):
        GsmtapHeader.from_bytes(b"\x03" + bytes(15))


def test_ipv4_udp_datagram():
    dgram = ipv4_udp(b"abc")
    assert len(dgram) == 20 + 8 + 3 and dgram[9] == 17
    assert sum(struct.unpack("!10H", dgram[:20])) % 0xFFFF == 0  # header checksum verifies
    assert struct.unpack("!HHHH", dgram[20:28])[1:3] == (4729, 11)


@pytest.mark.parametrize("link", list(LinkType))
def test_pcap_round_trip(tmp_path, link):
    path = tmp_path / "x.pcap"
    headers = [
        GsmtapHeader(arfcn=a, frame_number=fn, timeslot=fn % 8, signal_dbm=-70, snr_db=12)
        for a, fn in [(93, 857108), (725, 1), (1023, 2**32 - 1)]
    ]
    with PcapWriter(path, link) as w:
        for i, h in enumerate(headers):
            w.write_gsmtap(SI3, h, 1700000000.25 + i)
        assert w.count == 3
    raw = path.read_bytes()
    assert struct.unpack("<IHHiIII", raw[:24]) == (0xA1B2C3D4, 2, 4, 0, 0, 65535, int(link))
    got = list(read_gsmtap_pcap(path))
    assert [h for _, h, _ in got] == headers
    assert all(l2 == SI3 for _, _, l2 in got)
    assert got[1][0] == pytest.approx(1700000001.25)


def test_pcap_to_a_stream():
    buf = io.BytesIO()
    w = PcapWriter(buf, LinkType.IPV4)
    w.write_gsmtap(SI3, GsmtapHeader(arfcn=1))
    w.close()
    assert len(buf.getvalue()) == 24 + 16 + 20 + 8 + 16 + 23


def test_udp_sender_delivers_gsmtap():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    try:
        with GsmtapSender("127.0.0.1", rx.getsockname()[1]) as tx:
            tx.send(SI3, GsmtapHeader(arfcn=93, frame_number=857108))
        data = rx.recv(100)
    finally:
        rx.close()
    assert data == gsmtap_packet(SI3, GsmtapHeader(arfcn=93, frame_number=857108))
