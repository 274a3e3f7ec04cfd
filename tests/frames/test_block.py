"""Block outputs: the contract's JSON object, and GSMTAP that tshark dissects."""

import json
import shutil
import subprocess

import numpy as np
import pytest

from sensor.coding.softbits import ubits_to_sbits
from sensor.frames.block import block_object, gsmtap_header
from sensor.frames.pcap import PcapWriter
from sensor.l2.ts44006 import FILL_OCTET, FRAME_OCTETS
from sensor.model import L2Block
from sensor.receiver.blocks import BlockAssembler
from tests.coding.capture import SUBTYPE_NORMAL, load_bursts

CONTRACT_KEYS = [
    "type",
    "schema",
    "arfcn",
    "fn",
    "tn",
    "channel",
    "l2",
    "crc_ok",
    "snr_db",
    "rssi_dbfs",
    "freq_offset_hz",
    "t_s",
]


def test_block_object_matches_the_contract():
    b = L2Block(
        arfcn=93,
        fn=857108,
        tn=0,
        channel="BCCH",
        octets=bytes.fromhex("49061b3b2d72f2203aa8d0033c546506b900008020420b"),
        crc_ok=True,
        snr_db=18.234,
        rssi_dbfs=-23.11,
        freq_offset_hz=8702.04,
        t_s=0.04718,
    )
    obj = block_object(b)
    assert list(obj) == CONTRACT_KEYS
    assert obj["l2"] == "49061b3b2d72f2203aa8d0033c546506b900008020420b" and obj["snr_db"] == 18.2
    assert json.loads(json.dumps(obj)) == obj
    unknown = block_object(
        L2Block(arfcn=1, fn=2, tn=0, channel="CCCH", octets=bytes([FILL_OCTET]) * FRAME_OCTETS, crc_ok=False)
    )
    assert unknown["snr_db"] is None and unknown["t_s"] is None and "t_utc" not in unknown
    assert (
        block_object(
            L2Block(
                arfcn=1,
                fn=2,
                tn=0,
                channel="CCCH",
                octets=bytes([FILL_OCTET]) * FRAME_OCTETS,
                crc_ok=True,
                time_utc_s=1767225600.5,
            )
        )["t_utc"]
        == "2026-01-01T00:00:00.500000Z"
    )


@pytest.mark.interop
def test_tshark_dissects_our_gsmtap_of_real_blocks(tmp_path):
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    bursts = load_bursts()
    asm = BlockAssembler(arfcn=725, band="DCS1800")
    ts0 = np.flatnonzero((bursts.timeslot == 0) & (bursts.subtype == SUBTYPE_NORMAL))[:400]
    for k, i in enumerate(ts0):
        asm.add(int(bursts.fn[i]), ubits_to_sbits(bursts.ubits[i]))
    blocks = [b for b in asm.decode_ready() if b.crc_ok]
    assert len(blocks) > 50
    pcap = tmp_path / "blocks.pcap"
    with PcapWriter(pcap) as w:
        for k, b in enumerate(blocks):
            w.write_gsmtap(b.octets, gsmtap_header(b), t_s=k * 0.01)
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(pcap),
            "-T",
            "fields",
            "-e",
            "gsmtap.arfcn",
            "-e",
            "gsmtap.frame_nr",
            "-e",
            "gsmtap.chan_type",
            "-e",
            "gsm_a.dtap.msg_rr_type",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.splitlines()
    assert len(out) == len(blocks)
    for line, b in zip(out, blocks):
        arfcn, fn, chan, msg = (line.split("\t") + [""] * 4)[:4]
        assert int(arfcn) == 725 and int(fn) == b.fn
        assert int(chan) == (1 if b.channel == "BCCH" else 2)
        assert msg and int(msg, 0) == b.octets[2]  # tshark read the RR message type we decoded


def test_sdcch_and_sacch_blocks_carry_tn_and_sub_and_gr_gsm_s_gsmtap_sub_types():
    ua = bytes.fromhex("017335062700035018a005f4015c57032b2b2b2b2b2b2b")  # real TS1 sub 1 (vf_call6)
    sdcch8 = L2Block(arfcn=725, fn=862261, tn=1, channel="SDCCH", octets=ua, crc_ok=True, sub=1)
    obj = block_object(sdcch8)
    assert list(obj) == [*CONTRACT_KEYS, "sub"] and obj["tn"] == 1 and obj["sub"] == 1
    h = gsmtap_header(sdcch8)
    assert (h.sub_type, h.sub_slot, h.timeslot) == (0x08, 1, 1)  # SDCCH8
    sacch8 = L2Block(arfcn=725, fn=862242, tn=1, channel="SACCH", octets=ua, crc_ok=True, sub=1)
    assert (gsmtap_header(sacch8).sub_type, gsmtap_header(sacch8).sub_slot) == (0x88, 1)  # SDCCH8 | ACCH
    sacch4 = L2Block(arfcn=64, fn=42, tn=0, channel="SACCH", octets=ua, crc_ok=False, sub=2)
    assert (gsmtap_header(sacch4).sub_type, gsmtap_header(sacch4).sub_slot) == (0x87, 2)  # SDCCH4 | ACCH
    assert block_object(sacch4)["crc_ok"] is False


@pytest.mark.interop
def test_tshark_shows_sdcch8_blocks_as_gr_gsm_sends_them(tmp_path):
    if shutil.which("tshark") is None:
        pytest.skip("tshark is not installed")
    ua = bytes.fromhex("017335062700035018a005f4015c57032b2b2b2b2b2b2b")
    pcap = tmp_path / "sdcch8.pcap"
    with PcapWriter(pcap) as w:
        b = L2Block(arfcn=725, fn=862261, tn=1, channel="SDCCH", octets=ua, crc_ok=True, sub=1)
        w.write_gsmtap(b.octets, gsmtap_header(b), t_s=0.0)
    out = subprocess.run(
        ["tshark", "-r", str(pcap), "-T", "fields", "-e", "gsmtap.ts", "-e", "gsmtap.chan_type",
         "-e", "gsmtap.sub_slot", "-e", "gsm_a.dtap.msg_rr_type"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.split("\t")  # fmt: skip
    assert [x.strip() for x in out] == ["1", "8", "1", "0x27"]  # SDCCH/8, sub-slot 1, Paging Response
