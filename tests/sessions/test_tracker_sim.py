"""The session tracker against the simulator's ground truth (its scheduled blocks as a receiver
would deliver them): every session, phone, identity request, SMS, cause and TA of the fake
stations; the real cells' sessions all ciphered with nothing read; damaged blocks give incomplete
sessions and missing parts, never a crash; no raw identity anywhere in the outputs."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.sessions.simblocks import TEST_KEY, cell_of, damaged, l2_blocks, run, run_cell, scene

FAKE_SCENES = ("fake-street-sdcch4", "fake-street-sdcch8", "fake-among-ciphering")
REAL_CELLS = ("CM-Nanjing", "CM-Renmin")


@pytest.mark.parametrize("name", FAKE_SCENES)
def test_fake_station_sessions_match_the_truth(name):
    _, st = scene(name)
    truth = st.truth["FAKE-street"]
    sessions, sms, activity, _ = run_cell(name, "FAKE-street")
    assert len(sessions) == len(truth["sessions"])
    for got, want in zip(sessions, truth["sessions"], strict=True):
        assert got["t_s"] == pytest.approx(want["t_s"], abs=1e-6)
        assert got["end_t_s"] == pytest.approx(want["end_t_s"], abs=1e-6)
        assert (got["channel"], got["tn"], got["sub"]) == (want["channel"], want["tn"], want["sub"])
        assert got["followed"] and not got["hopping"]
        assert got["procedure"] == want["procedure"] and got["identity_type"] == want["identity_type"]
        assert got["phone"].startswith("k1:")
        assert got["identity_requests"] == want["identity_requests"]
        assert (got["auth"], got["ciphered"], got["sms"]) == (want["auth"], want["ciphered"], want["sms"])
        assert (got["result"], got["cause"], got["timing_advance"]) == (
            want["result"], want["cause"], want["timing_advance"],
        )  # fmt: skip
        assert got["complete"] is True
    # every SMS with its exact sender and text, in its session
    by_id = {s["id"]: i for i, s in enumerate(sessions)}
    assert len(sms) == len(truth["sms"])
    for got, want in zip(sorted(sms, key=lambda m: by_id[m["session"]]), truth["sms"], strict=True):
        assert (got["sender"], got["text"]) == (want["sender"], want["text"])
        assert by_id[got["session"]] == want["session"]
        assert got["flash"] == want["flash"] and got["silent"] == want["silent"]
        assert (got["of"], got["parts"]) == (
            (want["parts"], list(range(1, want["parts"] + 1))) if want["parts"] > 1 else (None, None)
        )
        assert got["sc_timestamp"].endswith("+08:00")
        assert got["urls"] is None and got["category"] is None and got["campaign"] is None
    n = len(truth["sessions"])
    assert activity["sessions"] == activity["assignments"] == n
    assert activity["phones"] == len({s["phone"] for s in truth["sessions"]})
    assert activity["sms"] == len(truth["sms"])
    assert activity["identity_requests"] == dict.fromkeys(("imsi", "imei"), n)
    assert activity["lu_rejects"] == {"13": n}
    assert activity["ciphered_sessions"] == 0 and activity["sessions_in_part"] == 0
    assert activity["assignment_rejects"] == len({(r["fn"], r["ra"]) for r in truth["assignment_rejects"]})


@pytest.mark.parametrize("cell", REAL_CELLS)
def test_real_cells_are_ciphered_and_unread(cell):
    _, st = scene("fake-among-ciphering")
    truth = st.truth[cell]["sessions"]
    sessions, sms, activity, _ = run_cell("fake-among-ciphering", cell)
    assert len(sessions) == len(truth) and sms == []
    for got, want in zip(sessions, truth, strict=True):
        if want["hopping"]:
            assert (got["followed"], got["hopping"], got["channel"]) == (False, True, "TCH/F")
            assert got["phone"] is None and got["result"] is None
            continue
        assert got["followed"] and got["ciphered"] and got["auth"]
        assert got["procedure"] == want["procedure"] and (got["tn"], got["sub"]) == (want["tn"], want["sub"])
        assert got["identity_requests"] == [] and got["sms"] == 0 and got["result"] is None
        assert got["complete"] is False and got["phone"].startswith("k1:")
    assert activity["sms"] == 0 and activity["ciphered_sessions"] == sum(not s["hopping"] for s in truth)


def test_ciphering_judged_from_crc_failures_when_the_command_is_missed():
    """Drop every Ciphering Mode Command: the blocks after it fail while the CCCH decodes."""
    sc, st = scene("fake-among-ciphering")
    spec = cell_of(sc, "CM-Nanjing")
    ciphering = {s["ciphering_fn"] for s in st.truth["CM-Nanjing"]["sessions"] if not s["hopping"]}
    blocks = [b for b in l2_blocks("fake-among-ciphering", "CM-Nanjing") if b.fn not in ciphering]
    sessions, sms, _, _ = run(blocks, arfcn=spec.arfcn, bsic=spec.bsic)
    followed = [s for s in sessions if s["followed"]]
    assert followed and all(s["ciphered"] and s["result"] is None for s in followed) and sms == []


def test_fill_before_the_ua_and_noise_after_the_release_change_nothing():
    """What a follow hands over besides the session's own frames: the sub-channel's blocks before the
    phone's SABM (the network sends fill: they fail here) and after its release (idle: they fail) do
    not make a session "seen in part" nor move its end."""
    sc, st = scene("fake-street-sdcch8")
    spec = cell_of(sc, "FAKE-street")
    truth = st.truth["FAKE-street"]["sessions"]
    blocks = l2_blocks("fake-street-sdcch8", "FAKE-street")
    noise = bytes(range(23))
    extra = []
    for t in truth:
        tmpl = next(b for b in blocks if (b.tn, b.sub, b.channel) == (t["tn"], t["sub"], "SDCCH"))
        for fn, dt in ((t["assignment_fn"] - 4, -4), (t["end_fn"] + 51, 51)):
            at = dataclasses.replace(tmpl, fn=fn, octets=noise, crc_ok=False)
            extra.append(dataclasses.replace(at, t_s=(fn - spec.start_fn) * 0.120 / 26))
    # the release's last frame (the UA to the phone's DISC) lost: the session stays open past it
    last = {(t["tn"], t["sub"], t["end_fn"]) for t in truth}
    kept = [b for b in blocks if (b.tn, b.sub, b.fn + 3) not in last and (b.tn, b.sub, b.fn) not in last]
    sessions, _, activity, _ = run(sorted(kept + extra, key=lambda b: b.t_s), arfcn=spec.arfcn, bsic=spec.bsic)
    assert len(sessions) == len(truth)
    for got, want in zip(sessions, truth, strict=True):
        assert got["result"] == want["result"] and got["complete"]  # every step to the release was read
        assert want["end_t_s"] - 0.5 < got["end_t_s"] < want["end_t_s"]  # the release's block, not the noise after
    assert activity["sessions_in_part"] == 0


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name,cell", [("fake-street-sdcch4", "FAKE-street"), ("fake-among-ciphering", "FAKE-street"),
                                       ("fake-among-ciphering", "CM-Nanjing")])  # fmt: skip
def test_damaged_blocks_give_incomplete_sessions_never_a_crash(name, cell, seed):
    sc, st = scene(name)
    truth = st.truth[cell]
    spec = cell_of(sc, cell)
    blocks = damaged(l2_blocks(name, cell), 0.05, seed=seed)
    sessions, sms, activity, _ = run(blocks, arfcn=spec.arfcn, bsic=spec.bsic)
    n = len(truth["sessions"])
    assert abs(len(sessions) - n) <= max(1, 0.02 * n)  # an assignment lost: the UA opens the session
    assert activity["phones"] <= n and len(sms) <= len(truth["sms"])
    texts = {m["text"] for m in truth["sms"]}
    for m in sms:
        if m["of"] is not None and m["parts"] != list(range(1, m["of"] + 1)):
            assert len(m["parts"]) < m["of"]  # parts missing, reported as such
        else:
            assert m["text"] in texts  # never a wrong text
    damaged_sessions = [s for s in sessions if s["followed"] and not s["ciphered"] and not s["complete"]]
    assert activity["sessions_in_part"] == len(damaged_sessions)
    for s in damaged_sessions:
        assert s["result"] in ("incomplete", "released", "lu_reject", "lu_accept")


@pytest.mark.parametrize("name", FAKE_SCENES)
def test_no_raw_identity_in_any_output(name):
    _, st = scene(name)
    outputs = []
    for cell in st.traffic:
        sessions, sms, activity, tracker = run_cell(name, cell)
        outputs.append(json.dumps([sessions, sms, activity], ensure_ascii=False))
        outputs.append(repr(tracker.take()))
    text = "\n".join(outputs).lower()
    raw = set()
    for cell_truth in st.truth.values():
        for s in cell_truth["sessions"]:
            for key in ("imsi", "imei"):
                if s.get(key):
                    raw.add(s[key])
            for key in ("tmsi", "new_tmsi"):
                if s.get(key) is not None:
                    raw |= {f"{s[key]:08x}", str(s[key])}
    assert raw
    assert not [r for r in raw if r.lower() in text]


def test_keep_identities_shows_raw_values():
    sessions, _, _, _ = run_cell("fake-street-sdcch4", "FAKE-street", keep_raw=True)
    _, st = scene("fake-street-sdcch4")
    first = st.truth["FAKE-street"]["sessions"][0]
    want = f"imsi:{first['imsi']}" if first["tmsi"] is None else f"tmsi:{first['tmsi']:08x}"
    assert sessions[0]["phone"] == want


def test_another_key_gives_other_hashes():
    a, _, _, _ = run_cell("fake-street-sdcch4", "FAKE-street")
    b, _, _, _ = run_cell("fake-street-sdcch4", "FAKE-street", key=bytes(reversed(TEST_KEY)))
    assert {s["phone"] for s in a}.isdisjoint({s["phone"] for s in b})


def _sms_frames(blocks, scene_name: str, cell: str):  # type: ignore[no-untyped-def]
    """(block, frame) of the SAPI 3 I frames the cell sends on its SDCCH."""
    from sensor.l2.frame import decode_block
    from sensor.l2.ts44006 import SAPI_SMS, Channel, FrameType

    out = []
    for b in blocks:
        if b.channel != "SDCCH" or not b.crc_ok:
            continue
        frame = decode_block(b.octets, Channel.SDCCH).frame
        if frame.frame_type is FrameType.I and frame.sapi == SAPI_SMS:
            out.append((b, frame))
    return out


def _failed(b):  # type: ignore[no-untyped-def]
    return dataclasses.replace(b, octets=bytes(23), crc_ok=False)


def test_a_lost_cp_ack_does_not_lose_the_sms_after_it():
    """The network's one-frame CP-ACK (to the phone's RP-ACK) lost in a fade leaves a LAPDm sequence gap
    before the next SMS part; its CP-DATA arrives whole and proves so (CP, RP and TPDU lengths agree):
    every SMS is still reported with its exact sender and text."""
    sc, st = scene("fake-street-sdcch8")
    spec, truth = cell_of(sc, "FAKE-street"), st.truth["FAKE-street"]
    blocks = l2_blocks("fake-street-sdcch8", "FAKE-street")
    acks = {id(b) for b, f in _sms_frames(blocks, "fake-street-sdcch8", "FAKE-street") if f.info[1:2] == b"\x04"}
    assert len(acks) >= 10
    _, sms, _, _ = run([_failed(b) if id(b) in acks else b for b in blocks], arfcn=spec.arfcn, bsic=spec.bsic)
    assert sorted((m["sender"], m["text"]) for m in sms) == sorted((m["sender"], m["text"]) for m in truth["sms"])


def test_a_lost_first_segment_never_makes_a_tail_into_an_sms():
    """Every CP-DATA's first segment lost: what follows each gap is a message's tail and is dropped, so
    no SMS is reported whole (a concatenated one only with its parts missing), none with a wrong text."""
    sc, st = scene("fake-street-sdcch8")
    spec, truth = cell_of(sc, "FAKE-street"), st.truth["FAKE-street"]
    blocks = l2_blocks("fake-street-sdcch8", "FAKE-street")
    firsts = {
        id(b) for b, f in _sms_frames(blocks, "fake-street-sdcch8", "FAKE-street") if f.m and f.info[1:2] == b"\x01"
    }
    assert len(firsts) >= 10
    _, sms, _, _ = run([_failed(b) if id(b) in firsts else b for b in blocks], arfcn=spec.arfcn, bsic=spec.bsic)
    texts = {m["text"] for m in truth["sms"]}
    for m in sms:
        assert m["of"] is not None and len(m["parts"] or []) < m["of"] and m["text"] not in texts


def test_a_carriers_repeated_ccch_blocks_are_decoded_once_and_judged_alike(monkeypatch):
    from sensor.sessions import tracker as tracker_module

    blocks = l2_blocks("fake-street-sdcch8", "FAKE-street")
    spec = cell_of(scene("fake-street-sdcch8")[0], "FAKE-street")
    want = run(blocks, arfcn=spec.arfcn, bsic=spec.bsic)
    decoded = []
    real = tracker_module.decode_l3
    monkeypatch.setattr(tracker_module, "decode_l3", lambda o, **kw: decoded.append(bytes(o)) or real(o, **kw))
    ccch = {b.octets for b in blocks if b.channel == "CCCH" and b.crc_ok}
    tracker = want[3]  # the recording again, on the same carrier's tracker: its CCCH blocks are known
    for block in blocks:
        tracker.add(block)
    assert ccch and not [o for o in decoded if o in ccch]
    assert tracker.assignments == 2 * want[2]["assignments"] and tracker.ccch_ok == 2 * len(ccch)
    # octets that are not bytes (no key for the map) are decoded each time, with the same result
    as_bytearray = [dataclasses.replace(b, octets=bytearray(b.octets)) if b.channel == "CCCH" else b for b in blocks]
    assert run(as_bytearray, arfcn=spec.arfcn, bsic=spec.bsic)[:3] == want[:3]
    assert sorted(o for o in decoded if o in ccch) == sorted(ccch)
