"""Identities inside raw frames replaced by same-length pseudonyms: the frames still decode (and
tshark still dissects them), the identity they show is the pseudonym, nothing else changes."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.l2.frame import decode_block
from sensor.l2.sender import DownlinkLink
from sensor.l2.ts44006 import SAPI_SMS, Channel
from sensor.l3 import decode_l3
from sensor.l3.ie import LocationAreaIdentification
from sensor.l3.ie_mm import LocationUpdatingType, MobileIdentity, MobileStationClassmark1
from sensor.l3.mm import LocationUpdatingAccept, LocationUpdatingRequest
from sensor.l3.ts24008 import MobileIdentityType
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.rewrite import rewrite_block, rewrite_l3

NAMES = Pseudonymizer(bytes(range(32)))
REAL_UA = bytes.fromhex("017335062700035018a005f4015c57032b2b2b2b2b2b2b")  # vf_call6 FN 862261
REAL_CMC = bytes.fromhex("03200d0635112b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b")
IMSI = "262021234567890"
LAI = LocationAreaIdentification("262", "02", 318)


def _lu(identity: MobileIdentity) -> bytes:
    return LocationUpdatingRequest(
        location_updating_type=LocationUpdatingType(0), lai=LAI,
        ms_classmark_1=MobileStationClassmark1(2, True, True, 4), mobile_identity=identity,
    ).to_l2()  # fmt: skip


def test_real_paging_response_echo():
    out = rewrite_block(REAL_UA, "SDCCH", NAMES)
    assert len(out) == 23 and out[:12] == REAL_UA[:12] and out[16:] == REAL_UA[16:]
    message = decode_l3(decode_block(out, Channel.SDCCH).frame.info)
    assert message.mobile_identity == MobileIdentity.of_tmsi(NAMES.tmsi(0x015C5703))
    assert bytes.fromhex("015c5703") not in out
    assert rewrite_block(REAL_UA, "SDCCH", NAMES) == out  # the same phone keeps its pseudonym
    assert rewrite_block(REAL_UA, "SDCCH", Pseudonymizer(keep_raw=True)) == REAL_UA


def test_frames_without_identities_are_untouched():
    assert rewrite_block(REAL_CMC, "SDCCH", NAMES) == REAL_CMC
    sapi3 = DownlinkLink(Channel.SDCCH, sapi=SAPI_SMS)
    cp = [sapi3.block(f) for f in sapi3.send(bytes.fromhex("0901") + bytes([40]) + bytes(range(5, 45)))]
    assert [rewrite_block(b, "SDCCH", NAMES) for b in cp] == cp
    garbage = bytes(range(23))
    assert rewrite_block(garbage, "SACCH", NAMES) == garbage


def test_real_paging_requests_of_vf_call6(captures):
    lines = (captures / "expected" / "vf_call6_arfcn725.grgsm_bcch_ts0.txt").read_text().splitlines()
    pages = 0
    for line in lines:
        block = bytes.fromhex(line.split(":", 1)[1].replace(" ", ""))
        out = rewrite_block(block, "CCCH", NAMES)
        assert len(out) == 23
        message = decode_l3(block, pseudo_length=True)
        if type(message).__name__.startswith("PagingRequest"):
            pages += 1
            new = decode_l3(out, pseudo_length=True)
            assert type(new) is type(message) and new.page_mode == message.page_mode
            for name in ("mobile_identity_1", "mobile_identity_2", "mobile_identity_3"):
                old_mi = getattr(message, name, None)
                if old_mi is not None and old_mi.type is not MobileIdentityType.NONE:
                    assert getattr(new, name) == NAMES.identity(old_mi)
            for name in ("tmsi_1", "tmsi_2", "tmsi_3", "tmsi_4"):
                if hasattr(message, name):
                    assert getattr(new, name) == NAMES.tmsi(getattr(message, name))
        else:
            assert out == block
    assert pages > 10


def test_lu_request_imsi_and_lu_accept_tmsi():
    lu = _lu(MobileIdentity.imsi(IMSI))
    out = rewrite_l3(lu, NAMES)
    assert len(out) == len(lu)
    assert decode_l3(out).mobile_identity == MobileIdentity.imsi(NAMES.digits("imsi", IMSI))
    accept = LocationUpdatingAccept(lai=LAI, mobile_identity=MobileIdentity.of_tmsi(0xDEADBEEF)).to_l2()
    assert decode_l3(rewrite_l3(accept, NAMES)).mobile_identity.tmsi == NAMES.tmsi(0xDEADBEEF)


def test_undecodable_identity_message_is_blanked():
    lu = _lu(MobileIdentity.imsi(IMSI))
    broken = lu[:-2] + bytes([0xFF, 0xFF])  # a non-decimal digit in the IMSI
    out = rewrite_l3(broken, NAMES)
    assert out[:2] == broken[:2] and set(out[2:]) == {0x2B} and len(out) == len(broken)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=30), st.sampled_from(["BCCH", "CCCH", "SDCCH", "SACCH", "TCH"]))
def test_random_octets_never_raise_and_keep_length(octets, channel):
    out = rewrite_block(octets, channel, NAMES)
    assert len(out) == len(octets)


@pytest.mark.interop
@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")
def test_tshark_dissects_the_pseudonym(tmp_path):
    from sensor.frames.gsmtap import GsmtapChannel, GsmtapHeader
    from sensor.frames.pcap import PcapWriter

    out = rewrite_block(REAL_UA, "SDCCH", NAMES)
    pcap = tmp_path / "ua.pcap"
    with PcapWriter(pcap) as writer:
        writer.write_gsmtap(out, GsmtapHeader(arfcn=725, timeslot=1, sub_type=GsmtapChannel.SDCCH8, sub_slot=1))
    text = subprocess.run(
        ["tshark", "-n", "-r", str(pcap), "-V"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "Paging Response" in text
    assert f"Mobile Identity - TMSI/P-TMSI (0x{NAMES.tmsi(0x015C5703):08x})" in text
    assert "0x015c5703" not in text
