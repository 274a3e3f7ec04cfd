"""tshark (Wireshark's GSM SMS dissectors) reads our SMS-DELIVER TPDUs as we encoded them.

Each TPDU travels as a network would send it on an SDCCH: RP-DATA (network → MS, TS 24.011
§7.3.1.1: message type 0x01, message reference, RP-OA with the SC number, an empty RP-DA, RP-User
data with the TPDU) inside CP-DATA (§7.2.1: PD 9 with TI flag 0, type 0x01, CP-User data as LV),
cut into LAPDm I frames of format B on SAPI 3 (TS 44.006 §3.2: address octet SAPI 3, C/R 1 for a
network command (§3.3.2) → 0x0F; control N(S) counting; length octet with the M bit on all but the
last segment; 20 octets a frame on the SDCCH, §5.8.3; fill 0x2B), each frame a GSMTAP SDCCH packet.
Every part goes in a capture of its own (DESIGN.md's tshark quirk: LAPDm reassembly does not
restart with a new link), and tshark's TP-OA, TP-PID, TP-DCS, TP-SCTS, concatenation IE and
decoded text are compared with what we encoded: UCS2 Chinese, GSM 7 bit with escape characters,
national, international and alphanumeric senders, flash and silent, 8- and 16-bit references.
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sensor.frames.gsmtap import GsmtapChannel, GsmtapHeader
from sensor.frames.pcap import PcapWriter
from sensor.l2.ts44006 import FILL_OCTET, FRAME_OCTETS, N201, ChannelGroup, FrameFormat
from sensor.l3.ts24007 import ProtocolDiscriminator
from sensor.sms.compose import compose_deliver
from sensor.sms.tpdu import SmsDeliver
from sensor.sms.ts23040 import TypeOfNumber

TSHARK = shutil.which("tshark")
WHEN = datetime(2026, 11, 3, 9, 12, 40, tzinfo=timezone(timedelta(hours=8)))
CP_DATA = 0x01  # TS 24.011 §8.1.3 Table 8.1
RP_DATA_NETWORK = 0x01  # TS 24.011 §8.2.2 Table 8.3: RP-DATA network → MS
SAPI_SMS = 3
SC_NUMBER = bytes([0x91, 0x68, 0x31, 0x08, 0x20, 0x05, 0x05, 0xF0])  # +8613800250500, TS 24.008 §10.5.4.7 BCD
PHISHING = "【工商银行】尊敬的客户：您的积分即将清零，请登录 http://icbc-jf.example/ 兑换。"

CASES = [
    dict(text=PHISHING * 2, sender="95588", reference=0x5A),
    dict(text="Your parcel [ref 42] is held: pay €1.99 at {x}~\\^| now", sender="ICBC", flash=True),
    dict(
        text="10086 提醒：您的话费余额不足 😀，请及时充值。" * 4,
        sender="+8613800138000",
        reference=0x1234,
        reference_bits=16,
    ),
    dict(text="Ping", sender="10086", silent=True),
    dict(text="x" * 170, sender="1065", reference=7),
]


def cp_rp_data(tpdu: bytes, message_reference: int) -> bytes:
    rp = bytes([RP_DATA_NETWORK, message_reference, len(SC_NUMBER)]) + SC_NUMBER + b"\x00" + bytes([len(tpdu)]) + tpdu
    return bytes([ProtocolDiscriminator.SMS, CP_DATA, len(rp)]) + rp


def lapdm_i_frames(l3: bytes) -> list[bytes]:
    n201 = N201[(FrameFormat.B, ChannelGroup.DCCH)]
    segments = [l3[i : i + n201] for i in range(0, len(l3), n201)]
    frames = []
    for ns, seg in enumerate(segments):
        more = ns < len(segments) - 1
        address = (SAPI_SMS << 2) | (1 << 1) | 1  # SAPI 3, C/R 1 (network command), EA 1
        control = (ns % 8) << 1  # I frame: N(R) 0, P 0, N(S)
        length = (len(seg) << 2) | (int(more) << 1) | 1
        frame = bytes([address, control, length]) + seg
        frames.append(frame + bytes([FILL_OCTET]) * (FRAME_OCTETS - len(frame)))
    return frames


def _tshark_fields(pcap: Path) -> dict[str, list[str]]:
    out = subprocess.run([TSHARK, "-n", "-r", str(pcap), "-T", "pdml"], capture_output=True, check=True, timeout=120)
    fields: dict[str, list[str]] = defaultdict(list)
    for f in ET.fromstring(out.stdout).iter("field"):
        name = f.get("name") or ""
        if name.startswith("gsm_sms"):
            fields[name].append(f.get("show", ""))
    return fields


def _compare(sms: SmsDeliver, fields: dict[str, list[str]]) -> None:
    def one(name: str) -> str:
        assert len(fields.get(name, [])) == 1, (name, fields.get(name))
        return fields[name][0]

    assert int(one("gsm_sms.tp-mti")) == 0
    oa = sms.originating_address
    assert int(one("gsm_sms.dis_field_addr.num_type")) == oa.ton
    assert one("gsm_sms.tp-oa") == oa.value, ("TP-OA", oa)
    assert int(one("gsm_sms.tp-pid")) == sms.pid
    assert int(one("gsm_sms.tp-dcs")) == sms.dcs
    stamp = [int(one(f"gsm_sms.scts.{k}")) for k in ("year", "month", "day", "hour", "minutes", "seconds")]
    assert stamp == [WHEN.year % 100, WHEN.month, WHEN.day, WHEN.hour, WHEN.minute, WHEN.second]
    assert int(one("gsm_sms.scts.timezone")) == 32  # quarter hours, GMT+8
    concat = sms.concat
    if concat is None:
        assert "gsm_sms.udh.mm.msg_id" not in fields
    else:
        assert int(one("gsm_sms.udh.mm.msg_id")) == concat.reference
        assert int(one("gsm_sms.udh.mm.msg_parts")) == concat.total
        assert int(one("gsm_sms.udh.mm.msg_part")) == concat.number
    assert one("gsm_sms.sms_text") == sms.text


@pytest.mark.interop
@pytest.mark.skipif(TSHARK is None, reason="tshark is not on PATH")
@pytest.mark.parametrize("case", CASES, ids=[c["sender"] for c in CASES])
def test_tshark_reads_our_sms_deliver(tmp_path, case):
    parts = compose_deliver(scts=WHEN, **case)
    assert (len(parts) > 1) == ("reference" in case)
    for number, sms in enumerate(parts, 1):
        pcap = tmp_path / f"part{number}.pcap"
        frames = lapdm_i_frames(cp_rp_data(sms.to_bytes(), message_reference=number))
        with PcapWriter(pcap) as w:
            for i, frame in enumerate(frames):
                header = GsmtapHeader(arfcn=64, sub_type=GsmtapChannel.SDCCH, frame_number=1000 + 51 * i)
                w.write_gsmtap(frame, header, 1_700_000_000 + 0.235 * i)
        try:
            _compare(sms, _tshark_fields(pcap))
        except AssertionError as exc:
            raise AssertionError(f"part {number} of {case['sender']} ({sms.to_bytes().hex()}): {exc}") from None
    if parts[0].originating_address.ton is TypeOfNumber.ALPHANUMERIC:
        assert parts[0].originating_address.value == case["sender"]
