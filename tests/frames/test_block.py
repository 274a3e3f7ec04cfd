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
