"""The real phone session of vf_call6 (captures/README.md): the Immediate Assignment on TS0 at FN
862212 and gr-gsm's SDCCH/8 blocks of TS1 give one session, a paging response that became ciphered
at the Ciphering Mode Command, its TMSI only as a keyed hash."""

from __future__ import annotations

import json

from sensor.gsm import multiframe, tdma
from sensor.model import L2Block
from sensor.sessions import Pseudonymizer, SessionTracker, activity, session_object

IA = bytes.fromhex("2d063f004902d52654c70100").ljust(23, b"\x2b")
IA_FN = 862212
KEY = bytes(range(32))


def _blocks(captures) -> list[L2Block]:
    out = [L2Block(arfcn=725, fn=IA_FN, tn=0, channel="CCCH", octets=IA, crc_ok=True, t_s=0.0, bsic=None)]
    path = captures / "expected" / "vf_call6_arfcn725.grgsm_sdcch8_ts1.txt"
    for line in path.read_text().splitlines():
        head, octets = line.split(":", 1)
        fn = int(head.split()[0])
        use = multiframe.sdcch8_frame_use(fn % tdma.FRAMES_PER_51_MULTIFRAME)
        sacch = use.channel is multiframe.Channel.SACCH
        sub = multiframe.sacch_c8_subchannel(fn) if sacch else use.block.index
        out.append(
            L2Block(
                arfcn=725, fn=fn, tn=1, channel="SACCH" if sacch else "SDCCH",
                octets=bytes.fromhex(octets.replace(" ", "")), crc_ok=True,
                t_s=(fn - IA_FN) * tdma.FRAME_DURATION_S, bsic=None, sub=sub,
            )
        )  # fmt: skip
    return sorted(out, key=lambda b: b.fn)


def test_one_ciphered_paging_response(captures):
    tracker = SessionTracker(725, None, Pseudonymizer(KEY))
    si = []
    for block in _blocks(captures):
        si += tracker.add(block)
    sessions, sms = tracker.finish()
    assert len(sessions) == 1 and sms == []
    s = session_object(sessions[0])
    assert (s["channel"], s["tn"], s["sub"], s["hopping"], s["followed"]) == ("SDCCH/8", 1, 1, False, True)
    assert s["procedure"] == "paging_response" and s["identity_type"] == "tmsi"
    assert s["phone"] == Pseudonymizer(KEY).hash("tmsi", "015c5703")
    assert s["ciphered"] is True and s["auth"] is False and s["sms"] == 0
    assert s["timing_advance"] == 1 and s["result"] is None and s["complete"] is False
    assert "015c5703" not in json.dumps(s) and str(0x015C5703) not in json.dumps(s)
    assert [type(m).__name__ for m in si] == ["SystemInformation5"]
    assert activity(tracker)["ciphered_sessions"] == 1 and activity(tracker)["phones"] == 1


def test_the_repeated_assignment_is_one_session(captures):
    tracker = SessionTracker(725, None, Pseudonymizer(KEY))
    repeat = L2Block(arfcn=725, fn=862218, tn=0, channel="CCCH", octets=IA, crc_ok=True, t_s=0.03)
    blocks = _blocks(captures)
    for block in sorted([*blocks, repeat], key=lambda b: b.fn):
        tracker.add(block)
    sessions, _ = tracker.finish()
    assert len(sessions) == 1 and activity(tracker)["assignments"] == 1


def test_a_break_between_recordings_starts_afresh(captures):
    """finish() at the end of a recording: the same assignment heard in the next one is a new session,
    and no link state (sequence numbers, half messages) carries over the break."""
    tracker = SessionTracker(725, None, Pseudonymizer(KEY))
    for block in _blocks(captures):
        tracker.add(block)
    first, _ = tracker.finish()
    for block in _blocks(captures):
        tracker.add(block)
    second, _ = tracker.finish()
    assert len(first) == len(second) == 1 and activity(tracker)["assignments"] == 2
    assert session_object(second[0])["procedure"] == "paging_response"  # the UA echo read again
