"""tshark (Wireshark's GSM dissectors) reads the L3 messages of a whole fake-station conversation
as we decode them.

One capture holds one phone's session (DESIGN.md: tshark's LAPDm reassembly does not reset on a new
SABM, so each session gets its own file): the Immediate Assignment on the CCCH (Bbis), then on the
SDCCH the phone's SABM with its LU Request and the UA echoing it, Identity Request (IMSI) and
Response, Ciphering Mode Command (A5/3, IMEISV asked) and Complete, SI5/SI6 on the SACCH (L1
header + B4 frame), a SAPI 3 link carrying CP-DATA/RP-DATA with an SMS-DELIVER TPDU (segmented over
two I frames, M bit), the phone's CP-ACK and CP-DATA/RP-ACK, the network's CP-ACK, LU Reject cause
13 and Channel Release. The LAPDm framing (address, control, length octet (L << 2) | M << 1 | 1,
TS 44.006 §3) is built here, in the test only.

What tshark 4.0 agreed with, field by field: every message type (RR, MM, CP, RP), the request
reference (RA, T1'/T3/T2 and the FN they name), the assigned channel, timing advance, N(SD), LU
type, mobile identity types, the IMSI and IMEISV digits, identity type asked for, cipher
SC/algorithm/response, TI flag/value, RP message reference and originator address (TON, NPI,
digits), the TPDU carried intact (TP-OA and text), the SI5 neighbour list, SI6 cell identity and
LAI, reject cause, RR cause.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from typing import Any

import pytest

from sensor.frames.gsmtap import GSMTAP_CHANNEL_ACCH, GsmtapChannel, GsmtapHeader
from sensor.frames.pcap import PcapWriter
from sensor.l3.cp import CPAck, CPData
from sensor.l3.dispatch import decode_l3, message_key_of
from sensor.l3.freqlist import FreqListFormat, ListIE, decode_frequency_list, encode_frequency_list
from sensor.l3.ie import ChannelDescription, LocationAreaIdentification
from sensor.l3.ie_mm import LocationUpdatingType, MobileIdentity, MobileStationClassmark1
from sensor.l3.ie_rr import CellOptionsSacch, CipherModeSetting, RequestReference
from sensor.l3.mm import IdentityRequest, IdentityResponse, LocationUpdatingReject, LocationUpdatingRequest
from sensor.l3.rp import RPAckToNetwork, RPAddress, RPDataToMS, decode_rp
from sensor.l3.rr_ccch import ImmediateAssignment
from sensor.l3.rr_dedicated import ChannelRelease, CipheringModeCommand, CipheringModeComplete
from sensor.l3.si_sacch import SystemInformation5, SystemInformation6
from sensor.l3.ts24008 import IdentityType, MobileIdentityType
from tests.tshark import pdml

TSHARK = shutil.which("tshark")
FILL = b"\x2b"
SDCCH_INFO_OCTETS = 20  # TS 44.006 §5.8.3: N201 for format B on the SDCCH
LAI = LocationAreaIdentification("460", "00", 0x1234)
IMSI = "460001234567890"
# SMS-DELIVER (TS 23.040 §9.2.2.1): MTI 00 + MMS, TP-OA "95588" national, PID 0, DCS 0, SCTS
# 2026-11-03 09:12:40 +08:00, UDL 5, "hello" in the 7-bit default alphabet
TPDU = bytes.fromhex("0405a15985f800006211309021042305e8329bfd06")


def _lapdm(address: int, control: int, info: bytes = b"", more: bool = False) -> bytes:
    """A LAPDm A/B frame on the SDCCH (TS 44.006 §2.3, §3.2-3.6), filled to 23 octets."""
    return (bytes([address, control, len(info) << 2 | (0x02 if more else 0) | 0x01]) + info).ljust(23, FILL)


def _i_frames(address: int, ns: int, nr: int, info: bytes) -> list[bytes]:
    """``info`` in I frames of N201 octets from N(S) ``ns``, M bit on all but the last (§5.8.3)."""
    parts = [info[i : i + SDCCH_INFO_OCTETS] for i in range(0, len(info), SDCCH_INFO_OCTETS)]
    return [
        _lapdm(address, nr << 5 | ((ns + i) % 8) << 1, part, more=i < len(parts) - 1) for i, part in enumerate(parts)
    ]


def _neighbours() -> Any:
    octets = encode_frequency_list(
        [730, 733, 734, 741, 746], ListIE.NEIGHBOUR, FreqListFormat.VARIABLE_BITMAP, ba_ind=1
    )
    return decode_frequency_list(octets, ListIE.NEIGHBOUR)


def _conversation() -> list[tuple[bytes, bool, int, Any]]:
    """(L2 block, uplink, GSMTAP sub-type, the message tshark shows on it or None)."""
    sd, sacch, ccch = GsmtapChannel.SDCCH, GsmtapChannel.SDCCH | GSMTAP_CHANNEL_ACCH, GsmtapChannel.CCCH
    ia = ImmediateAssignment(
        ChannelDescription(0b01010, 1, 3, arfcn=64), RequestReference.from_fn(0x13, 123456), timing_advance=2
    )
    lu = LocationUpdatingRequest(
        LocationUpdatingType(0), LAI, MobileStationClassmark1(1, True, True, 3), MobileIdentity.of_tmsi(0xCAFE0001),
        send_sequence_number=0,
    )  # fmt: skip
    id_req = IdentityRequest(IdentityType.IMSI)
    id_resp = IdentityResponse(MobileIdentity.imsi(IMSI), send_sequence_number=1)
    cipher = CipheringModeCommand(CipherModeSetting(True, 2), cipher_response=1)  # A5/3, send the IMEISV
    cipher_done = CipheringModeComplete(MobileIdentity(MobileIdentityType.IMEISV, digits="3534560123456701"))
    si5 = SystemInformation5(_neighbours())
    si6 = SystemInformation6(0x2BD9, LAI, CellOptionsSacch(True, 1, 24), (0, 1, 2, 3))
    rp_data = RPDataToMS(42, RPAddress(1, 1, "8613800250"), TPDU)
    cp_data = CPData(rp_data.to_l2())
    cp_ack_up = CPAck(ti_flag=1)
    cp_rp_ack = CPData(RPAckToNetwork(42).to_l2(), ti_flag=1)
    cp_ack_down = CPAck()
    reject = LocationUpdatingReject(13)
    release = ChannelRelease(0)
    blocks: list[tuple[bytes, bool, int, Any]] = [
        (ia.to_l2(), False, ccch, ia),
        (_lapdm(0x01, 0x3F, lu.to_l2()), True, sd, lu),  # SABM, P=1, with the LU Request
        (_lapdm(0x01, 0x73, lu.to_l2()), False, sd, lu),  # UA, F=1, echoing it (TS 44.006 §8.4.1.1)
        *((b, False, sd, id_req) for b in _i_frames(0x03, 0, 0, id_req.to_l2())),
        *((b, True, sd, id_resp) for b in _i_frames(0x01, 0, 1, id_resp.to_l2())),
        *((b, False, sd, cipher) for b in _i_frames(0x03, 1, 1, cipher.to_l2())),
        *((b, True, sd, cipher_done) for b in _i_frames(0x01, 1, 2, cipher_done.to_l2())),
        (bytes([0, 2]) + bytes([0x03, 0x03]) + si5.to_l2(), False, sacch, si5),  # L1 header, B4 UI, SI5
        (bytes([0, 2]) + bytes([0x03, 0x03]) + si6.to_l2(), False, sacch, si6),
        (_lapdm(0x0F, 0x3F), False, sd, None),  # SABM on SAPI 3 for the SMS
        (_lapdm(0x0D, 0x73), True, sd, None),  # UA
    ]
    segments = _i_frames(0x0F, 0, 0, cp_data.to_l2())
    assert len(segments) == 2
    blocks += [(b, False, sd, None) for b in segments[:-1]] + [(segments[-1], False, sd, cp_data)]
    blocks += [(b, True, sd, cp_ack_up) for b in _i_frames(0x0D, 0, 2, cp_ack_up.to_l2())]
    blocks += [(b, True, sd, cp_rp_ack) for b in _i_frames(0x0D, 1, 2, cp_rp_ack.to_l2())]
    blocks += [(b, False, sd, cp_ack_down) for b in _i_frames(0x0F, 2, 2, cp_ack_down.to_l2())]
    blocks += [(b, False, sd, reject) for b in _i_frames(0x03, 2, 2, reject.to_l2())]
    blocks += [(b, False, sd, release) for b in _i_frames(0x03, 3, 2, release.to_l2())]
    return blocks


def _int(fields, name: str) -> int:
    assert fields.get(name), f"tshark did not dissect {name}"
    return int(fields[name][0], 0)


AGREED: dict[str, int] = defaultdict(int)


def _eq(what: str, ours, theirs) -> None:
    assert ours == theirs, f"{what}: ours {ours!r}, tshark {theirs!r}"
    AGREED[what] += 1


def _compare(msg: Any, octets: bytes, fields) -> None:
    pd, message_type = message_key_of(octets, 1 if isinstance(msg, (ImmediateAssignment, SystemInformation5,
                                                                       SystemInformation6)) else 0)  # fmt: skip
    type_field = {6: "gsm_a.dtap.msg_rr_type", 5: "gsm_a.dtap.msg_mm_type", 9: "gsm_a.dtap.msg_sms_type"}[pd]
    _eq("message type", message_type, _int(fields, type_field))
    if isinstance(msg, ImmediateAssignment):
        ref, cd = msg.request_reference, msg.channel_description
        _eq("ra", ref.ra, _int(fields, "gsm_a.rr.ra"))
        _eq("t1'/t3/t2", (ref.time.t1_prime, ref.time.t3, ref.time.t2),
            tuple(_int(fields, f"gsm_a.rr.{n}") for n in ("T1prim", "T3", "T2")))  # fmt: skip
        _eq("fn mod 42432", ref.fn_mod_42432, _int(fields, "gsm_a.rr.rfn"))
        _eq("channel", (cd.channel, cd.sub_channel), ("SDCCH/8", _int(fields, "gsm_a.rr.tch_facch_sacchm")))
        names = ("timeslot", "training_sequence", "single_channel_arfcn")
        _eq("tn/tsc/arfcn", (cd.tn, cd.tsc, cd.arfcn), tuple(_int(fields, f"gsm_a.rr.{n}") for n in names))
        _eq("timing advance", msg.timing_advance, _int(fields, "gsm_a.rr.timing_adv"))
    elif isinstance(msg, LocationUpdatingRequest):
        _eq("N(SD)", msg.send_sequence_number, _int(fields, "gsm_a.dtap.seq_no"))
        _eq("LU type", msg.location_updating_type.type, _int(fields, "gsm_a.dtap.updating_type"))
        _eq("lac", msg.lai.lac, _int(fields, "gsm_a.lac"))
        _eq("mobile identity type", int(msg.mobile_identity.type), _int(fields, "gsm_a.ie.mobileid.type"))
    elif isinstance(msg, IdentityRequest):
        _eq("identity type asked", msg.identity_type, _int(fields, "gsm_a.dtap.type_of_identity"))
    elif isinstance(msg, IdentityResponse):
        _eq("N(SD)", msg.send_sequence_number, _int(fields, "gsm_a.dtap.seq_no"))
        _eq("mobile identity type", int(msg.mobile_identity.type), _int(fields, "gsm_a.ie.mobileid.type"))
        _eq("imsi", msg.mobile_identity.digits, fields["e212.imsi"][0])
    elif isinstance(msg, SystemInformation5):
        _eq("sacch neighbours", " ".join(map(str, msg.neighbours)), _show_tail(fields, "gsm_a.rr.arfcn_list"))
        _eq("sacch ba_ind", msg.neighbour_cell_description.ba_ind, _int(fields, "gsm_a.rr.ba_ind"))
    elif isinstance(msg, SystemInformation6):
        _eq("si6 cell id", msg.cell_id, _int(fields, "gsm_a.bssmap.cell_ci"))
        _eq("si6 lac", msg.lac, _int(fields, "gsm_a.lac"))
        _eq("si6 mcc", int(msg.mcc), _int(fields, "e212.lai.mcc"))
    elif isinstance(msg, (CPData, CPAck)):
        _eq("ti flag/value", (msg.ti_flag, msg.ti_value), (_flag(fields), _int(fields, "gsm_a.dtap.tio")))
        if isinstance(msg, CPData):
            rp = decode_rp(msg.user_data)
            _eq("rp message type", rp.SPEC.fields[0].const, _int(fields, "gsm_a.rp.msg_type"))
            _eq("rp message reference", rp.message_reference, _int(fields, "gsm_a.rp.rp_message_reference"))
            if isinstance(rp, RPDataToMS):
                oa = rp.originator_address
                _eq("rp originator digits", oa.digits, fields["gsm_a.dtap.cld_party_bcd_num"][0])
                ton_npi = (_int(fields, "gsm_a.dtap.type_of_number"), _int(fields, "gsm_a.dtap.numbering_plan_id"))
                _eq("rp originator ton/npi", (oa.ton, oa.npi), ton_npi)
                _eq(
                    "tpdu carried intact",
                    ("95588", "hello"),
                    (fields["gsm_sms.tp-oa"][0], fields["gsm_sms.sms_text"][0]),
                )
    elif isinstance(msg, CipheringModeCommand):
        cms = msg.cipher_mode_setting
        _eq("cipher SC", int(cms.start_ciphering), _int(fields, "gsm_a.rr.SC"))
        _eq("cipher algorithm A5/n", cms.a5, _int(fields, "gsm_a.rr.algorithm_identifier") + 1)
        _eq("cipher response", msg.cipher_response, _int(fields, "gsm_a.rr.CR"))
    elif isinstance(msg, CipheringModeComplete):
        ident = msg.mobile_equipment_identity
        _eq("mobile identity type", int(ident.type), _int(fields, "gsm_a.ie.mobileid.type"))
        _eq("imeisv", ident.digits, fields["gsm_a.imeisv"][0])
    elif isinstance(msg, LocationUpdatingReject):
        _eq("reject cause", msg.reject_cause, _int(fields, "gsm_a.dtap.rej_cause"))
    elif isinstance(msg, ChannelRelease):
        _eq("rr cause", msg.rr_cause, _int(fields, "gsm_a.rr.RRcause"))


def _flag(fields) -> int:
    value = fields["gsm_a.dtap.ti_flag"][0]
    return int(value, 0) if value[:1].isdigit() else int(value == "True")


def _show_tail(fields, name: str) -> str:
    """The value part of a field tshark only labels (``List of ARFCNs = 730 733 ...``)."""
    assert fields.get(name), f"tshark did not dissect {name}"
    return fields["showname:" + name][0].split("=", 1)[1].strip()


def _information(block: bytes, channel: int) -> bytes:
    if channel == GsmtapChannel.CCCH:
        return block
    if channel & GSMTAP_CHANNEL_ACCH:
        return block[4:]
    return block[3 : 3 + (block[2] >> 2)]


@pytest.mark.interop
@pytest.mark.skipif(TSHARK is None, reason="tshark is not on PATH")
def test_tshark_reads_a_fake_station_conversation(tmp_path):
    blocks = _conversation()
    pcap = tmp_path / "session.pcap"
    with PcapWriter(pcap) as w:
        for i, (block, uplink, channel, _) in enumerate(blocks):
            header = GsmtapHeader(
                arfcn=64, timeslot=0 if channel == GsmtapChannel.CCCH else 1, frame_number=1000 + 51 * i,
                sub_type=channel, uplink=uplink, sub_slot=0 if channel == GsmtapChannel.CCCH else 2,
            )  # fmt: skip
            w.write_gsmtap(block, header, 1_700_000_000 + i * 0.05)
    packets = pdml(pcap)
    assert len(packets) == len(blocks)
    AGREED.clear()
    reassembled = b""
    for i, ((block, _, channel, msg), fields) in enumerate(zip(blocks, packets)):
        assert "_ws.malformed" not in fields, f"packet {i + 1} malformed for tshark"
        info = _information(block, channel)
        reassembled += info
        if msg is None:
            continue
        pseudo = channel == GsmtapChannel.CCCH or bool(channel & GSMTAP_CHANNEL_ACCH)
        octets = reassembled if not pseudo else info
        reassembled = b""
        decoded = decode_l3(octets, pseudo_length=pseudo)
        assert type(decoded) is type(msg) and decoded.to_l2() == msg.to_l2()
        try:
            _compare(decoded, octets, fields)
        except AssertionError as exc:
            raise AssertionError(f"packet {i + 1} ({type(msg).__name__}, {octets.hex()}): {exc}") from None
    assert AGREED["message type"] == sum(m is not None for *_, m in blocks)
    assert AGREED["rp originator digits"] == 1 and AGREED["reject cause"] == 1 and AGREED["imsi"] == 1
    print("\nfields agreed:", dict(sorted(AGREED.items())))
