"""tshark (Wireshark's LAPDm and GSMTAP dissectors) reads the frames our encoder makes as we made them.

A short conversation on SDCCH/8 sub-channel 1 (GSMTAP sub-type SDCCH8 0x08), and a SACCH block
(sub-type 0x08 | 0x80, the ACCH flag): the network's UA echoing a Paging Response, a 30-octet
message in two I-frame segments, RR, DISC, the phone's UA (GSMTAP uplink), a B4 SI5 with its L1
header. Per packet, tshark's address, control and length fields equal ours; it reassembles the two
segments into one message; it takes the SACCH UI frame as format B4 (no length field) and reads the
L1 header's power level, FPC and timing advance. One capture holds one link (DESIGN.md: tshark's
reassembly does not restart on a new link).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sensor.frames.gsmtap import GSMTAP_CHANNEL_ACCH, GsmtapChannel, GsmtapHeader
from sensor.frames.pcap import PcapWriter, read_gsmtap_pcap
from sensor.l2.frame import Block, Frame, decode_block, encode_block
from sensor.l2.l1header import SacchL1Header
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import CR_MS_RESPONSE, Channel, FrameFormat, FrameType

TSHARK = shutil.which("tshark")
pytestmark = [pytest.mark.interop, pytest.mark.skipif(TSHARK is None, reason="tshark not installed")]

PAGING_RESPONSE = bytes.fromhex("062700035018a005f4015c5703")
LONG_MESSAGE = bytes.fromhex("0635") + bytes(range(28))  # RR Ciphering Mode Command type, 30 octets
SI5 = bytes.fromhex("49061d9f6d1810800000000000000000000000")
FIELDS = (
    "lapdm.address_field", "lapdm.sapi", "lapdm.cr", "lapdm.control_field", "lapdm.control.n_s",
    "lapdm.control.n_r", "lapdm.length", "lapdm.m", "lapdm.length_field", "lapdm.reassembled.length",
    "gsm_a.dtap.msg_rr_type", "gsmtap.sacch_l1.power_lev", "gsmtap.sacch_l1.fpc", "gsmtap.sacch_l1.ta",
)  # fmt: skip


def _conversation() -> list[tuple[bytes, GsmtapHeader]]:
    sdcch = DownlinkLink(Channel.SDCCH)
    down = [sdcch.ua(PAGING_RESPONSE), *sdcch.send(LONG_MESSAGE), sdcch.ack(), sdcch.disc()]
    header = GsmtapHeader(arfcn=725, timeslot=1, sub_type=GsmtapChannel.SDCCH8, sub_slot=1)
    packets = [(sdcch.block(f), GsmtapHeader(**{**_h(header), "frame_number": 51 * i})) for i, f in enumerate(down)]
    phone_ua = Frame(FrameType.UA, c_r=CR_MS_RESPONSE, p_f=True)
    up = encode_block(Block(Channel.SDCCH, phone_ua, uplink=True))
    packets.append((up, GsmtapHeader(**{**_h(header), "frame_number": 51 * len(down) + 15, "uplink": True})))
    sacch = DownlinkLink(Channel.SACCH)
    si5 = sacch.block(sacch.ui(SI5), SacchL1Header(ms_power_level=5, timing_advance_symbols=7, fpc_epc=True))
    acch = GsmtapChannel.SDCCH8 | GSMTAP_CHANNEL_ACCH
    packets.append((si5, GsmtapHeader(**{**_h(header), "frame_number": 51 * 8 + 36, "sub_type": acch})))
    return packets


def _h(header: GsmtapHeader) -> dict:
    return {name: getattr(header, name) for name in GsmtapHeader.__dataclass_fields__}


def _tshark_fields(pcap) -> list[dict[str, str]]:
    args = [TSHARK, "-n", "-r", str(pcap), "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"]
    for name in FIELDS:
        args += ["-e", name]
    out = subprocess.run(args, capture_output=True, check=True, text=True, timeout=120).stdout
    return [dict(zip(FIELDS, line.split("|"), strict=True)) for line in out.splitlines()]


def test_tshark_dissects_our_lapdm_as_we_encoded_it(tmp_path):
    pcap = tmp_path / "lapdm.pcap"
    with PcapWriter(pcap) as writer:
        for octets, header in _conversation():
            writer.write_gsmtap(octets, header)
    rows = _tshark_fields(pcap)
    ours = [
        decode_block(l2, Channel.SACCH if h.sub_type & GSMTAP_CHANNEL_ACCH else Channel.SDCCH, uplink=h.uplink)
        for _, h, l2 in read_gsmtap_pcap(pcap)
    ]
    assert len(rows) == len(ours) == 7
    for row, block in zip(rows, ours, strict=True):
        frame = block.frame
        offset = 2 if block.l1_header else 0
        l2 = encode_block(block)[offset:]
        assert int(row["lapdm.address_field"], 16) == l2[0]
        assert (int(row["lapdm.sapi"]), int(row["lapdm.cr"])) == (frame.sapi, frame.c_r)
        assert int(row["lapdm.control_field"], 16) == l2[1]
        if frame.ns is not None:
            assert int(row["lapdm.control.n_s"]) == frame.ns
        if frame.nr is not None:
            assert int(row["lapdm.control.n_r"]) == frame.nr
        if block.fmt is FrameFormat.B4:
            assert row["lapdm.length_field"] == ""  # tshark agrees: no length indicator
        else:
            assert (int(row["lapdm.length"]), int(row["lapdm.m"])) == (frame.length, int(frame.m))
    ua, first, second, rr, disc, phone_ua, si5 = rows
    assert ua["gsm_a.dtap.msg_rr_type"] == "0x27"  # the echoed Paging Response
    assert first["lapdm.reassembled.length"] == "" and int(second["lapdm.reassembled.length"]) == len(LONG_MESSAGE)
    assert second["gsm_a.dtap.msg_rr_type"] == "0x35"
    assert (int(si5["gsmtap.sacch_l1.power_lev"]), int(si5["gsmtap.sacch_l1.ta"])) == (5, 7)
    assert si5["gsmtap.sacch_l1.fpc"] in ("1", "True")
    assert si5["gsm_a.dtap.msg_rr_type"] == "0x1d"  # SI5 through its L2 pseudo length
