"""``fbs-sensor replay`` reports what the simulator's fake station did to phones: one ``session`` per
phone with the identities it asked for and the reject cause, one ``sms`` per message with its exact
sender and text, the cell's ``activity``; phones only as keyed hashes unless ``--keep-identities``.
A real network's sessions are ciphered: nothing is read from them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from sensor.cli import cli
from sensor.commands.tables import print_activity
from sensor.gsm.tdma import FRAME_DURATION_S
from sensor.intel.corpus import CATEGORIES
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic
from tests.identities import raw_identities

SCENES = Path(__file__).resolve().parents[1] / "recordings" / "scenes"
DURATION_S = 12.0
FAKE_ARFCN, FAKE_HZ = 64, 947.8e6
NANJING_ARFCN, NANJING_HZ = 60, 947.4e6
WARNING = "warning: --keep-identities"


def _simulate(out: Path, scene: str, center_hz: float) -> Path:
    r = CliRunner().invoke(
        cli,
        [
            "simulate",
            str(SCENES / f"{scene}.toml"),
            "--out",
            str(out),
            "--center",
            str(center_hz),
            "--rate",
            "1e6",
            "--duration",
            str(DURATION_S),
        ],
    )
    assert r.exit_code == 0, r.output
    return out / f"{scene}.sigmf-meta"


def _replay(recording: Path, key: Path, *args: str):  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(cli, ["replay", "--json", *args, str(recording)], env={"FBS_SENSOR_IDENTITY_KEY": str(key)})
    assert r.exit_code == 0, r.output
    return r, [json.loads(line) for line in r.stdout.splitlines()]


@pytest.fixture(scope="module")
def street(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sdcch8 street scene centred on the fake, replayed with keyed and with raw identities."""
    tmp = tmp_path_factory.mktemp("street")
    recording = _simulate(tmp, "fake-street-sdcch8", FAKE_HZ)
    key = tmp / "identity.key"
    keyed = _replay(recording, key, "--blocks")
    raw = _replay(recording, key, "--keep-identities")
    truth = scene_traffic(load_scene(SCENES / "fake-street-sdcch8.toml")).truth["FAKE-street"]
    return keyed, raw, truth


def _complete_truth(truth: dict, objs: list[dict]) -> list[dict]:
    """The truth's sessions whose Immediate Assignment the receiver decoded and that ended inside the recording."""
    assignments = {
        o["fn"]
        for o in objs
        if o["type"] == "block" and o["channel"] == "CCCH" and o["crc_ok"] and o["l2"][4:6] in ("3f", "39")
    }
    return [s for s in truth["sessions"] if s["assignment_fn"] in assignments and s["end_t_s"] <= DURATION_S]


def _match(objs: list[dict], t: dict) -> dict:
    """Our session of the truth's session ``t``: same channel, started at the same time."""
    found = [
        o
        for o in objs
        if o["type"] == "session" and (o["tn"], o["sub"]) == (t["tn"], t["sub"]) and abs(o["t_s"] - t["t_s"]) < 0.01
    ]
    assert len(found) == 1, t
    return found[0]


def test_complete_sessions_and_their_sms_are_reported_with_keyed_phones(street):
    (_, objs), _, truth = street
    complete = _complete_truth(truth, objs)
    assert len(complete) >= 2
    sessions = [o for o in objs if o["type"] == "session"]
    types = [o["type"] for o in objs if o["type"] != "block"]
    assert types == sorted(types, key=["cell", "detection", "location", "session", "sms", "summary"].index)
    assert [s["t_s"] for s in sessions] == sorted(s["t_s"] for s in sessions)
    for t in complete:
        got = _match(objs, t)
        assert (got["arfcn"], got["channel"], got["procedure"]) == (FAKE_ARFCN, t["channel"], t["procedure"])
        assert got["identity_requests"] == t["identity_requests"] == ["imsi", "imei"]
        assert (got["result"], got["cause"], got["complete"], got["ciphered"]) == ("lu_reject", 13, True, False)
        assert got["identity_type"] == t["identity_type"]
        assert got["phone"].startswith("k1:") and len(got["phone"]) == 19
        want = [(m["sender"], m["text"]) for m in truth["sms"] if m["session"] == t["session"]]
        assert got["sms"] == len(want) >= 1
        sms = [(m["sender"], m["text"]) for m in objs if m["type"] == "sms" and m["session"] == got["id"]]
        assert sms == want
        assert all(m["phone"] == got["phone"] for m in objs if m["type"] == "sms" and m["session"] == got["id"])
    phones = [o["phone"] for o in sessions if o["phone"] is not None]
    assert all(p.startswith("k1:") for p in phones)
    cell = next(o for o in objs if o["type"] == "cell" and o["arfcn"] == FAKE_ARFCN)
    activity = cell["activity"]
    assert activity["sessions"] == len(sessions) and activity["phones"] == len(set(phones))
    assert activity["lu_rejects"]["13"] >= len(complete)
    summary = objs[-1]
    assert summary["type"] == "summary" and summary["identities"] == "keyed"
    assert summary["sessions"] == len(sessions)
    assert summary["sms"] == sum(o["type"] == "sms" for o in objs) >= len(complete)


def test_no_raw_identity_leaves_without_keep_identities(street):
    (result, _), _, truth = street
    assert WARNING not in result.stderr
    assert [r for r in raw_identities(truth) if r in result.stdout] == []


def test_keep_identities_is_warned_about_and_said_in_the_output(street):
    (_, keyed), (result, objs), truth = street
    assert WARNING in result.stderr
    assert objs[-1]["identities"] == "raw"
    imsis = {f"imsi:{s['imsi']}" for s in truth["sessions"]}
    complete = _complete_truth(truth, keyed)
    for t in complete:
        got = _match(objs, t)
        assert got["phone"] == f"{t['identity_type']}:" + (
            t["imsi"] if t["identity_type"] == "imsi" else f"{t['tmsi']:08x}"
        )
    assert any(o["phone"] in imsis for o in objs if o["type"] in ("session", "sms"))
    assert any(s["imsi"] in result.stdout for s in truth["sessions"])


def test_human_table_lists_the_activity_and_the_sms_texts(tmp_path):
    recording = _simulate(tmp_path, "fake-street-sdcch8", FAKE_HZ)
    r = CliRunner().invoke(
        cli, ["replay", str(recording)], env={"FBS_SENSOR_IDENTITY_KEY": str(tmp_path / "identity.key")}
    )
    assert r.exit_code == 0, r.output
    assert f"ARFCN {FAKE_ARFCN} BSIC" in r.stdout and "SMS pushed" in r.stdout and "cause 13" in r.stdout
    assert "from 10086: Dear customer" in r.stdout


def test_a_real_network_s_sessions_are_ciphered_and_carry_no_sms(tmp_path):
    recording = _simulate(tmp_path, "fake-among-ciphering", NANJING_HZ)
    _, objs = _replay(recording, tmp_path / "identity.key")
    sessions = [o for o in objs if o["type"] == "session" and o["arfcn"] == NANJING_ARFCN]
    followed = [o for o in sessions if o["followed"]]
    # ciphered, or cut by the end of the recording before the Ciphering Mode Command: never read
    assert followed and all(o["ciphered"] or o["result"] == "incomplete" for o in followed)
    assert all(o["sms"] == 0 and o["identity_requests"] == [] and o["cause"] is None for o in sessions)
    truth = scene_traffic(load_scene(SCENES / "fake-among-ciphering.toml")).truth["CM-Nanjing"]["sessions"]
    ciphered = [  # ciphering started inside the recording (its command came a little before)
        t
        for t in truth
        if not t["hopping"] and t["t_s"] + (t["ciphering_fn"] - t["assignment_fn"]) * FRAME_DURATION_S < DURATION_S
    ]
    assert ciphered and all(_match(sessions, t)["ciphered"] for t in ciphered)
    assert not [o for o in objs if o["type"] == "sms" and o["arfcn"] == NANJING_ARFCN]
    cell = next(o for o in objs if o["type"] == "cell" and o["arfcn"] == NANJING_ARFCN)
    assert cell["activity"]["sms"] == 0
    assert cell["activity"]["ciphered_sessions"] == sum(o["ciphered"] for o in followed) >= len(ciphered)


def test_sms_text_is_shown_never_interpreted():
    console = Console(file=io.StringIO(), width=200)
    sms = {"arfcn": 64, "sender": "[link=http://x.example]95588[/link]", "text": "[bold red]pay[/]\x1b[2J\nnow\u202e"}
    print_activity(console, [], [sms])
    shown = console.file.getvalue()
    assert "[link=http://x.example]95588[/link]" in shown and "[bold red]pay[/]" in shown
    assert "\x1b[2J" not in shown and "\\x1b[2J" in shown and "\\nnow\\u202e" in shown


def test_sms_objects_carry_their_links_numbers_and_sender_reasons(street):
    (_, objs), _, _ = street
    sms = [o for o in objs if o["type"] == "sms"]
    assert sms
    whole = [m for m in sms if m["text"] is not None and (m["of"] is None or m["parts"] == list(range(1, m["of"] + 1)))]
    for m in sms:
        assert (m["campaign"] is None) == (
            m["text"] is None
        )  # every text in a campaign (tests/intel/test_campaign_scene.py)
        assert m["campaign"] is None or (m["campaign"].startswith("cmp:") and "{" in m["campaign_template"])
        assert (m["category"] is None) == (m["text"] is None)  # every text classified, with its reasons
        assert m["category"] is None or (m["category"] in CATEGORIES and m["reasons"])
        assert isinstance(m["urls"], list) and isinstance(m["numbers"], list) and isinstance(m["reasons"], list)
        assert m["urls"] == [f["raw"] for f in m["findings"] if f["kind"] == "url"]
        assert all(m["text"][f["span"][0] : f["span"][1]] == f["raw"] for f in m["findings"])
    linked = [m for m in whole if "http://" in m["text"]]
    assert linked  # the scene's campaigns link to .example hosts (RFC 2606 names)
    for m in linked:
        assert m["domains"] and all(d.endswith(".example") for d in m["domains"]), m["text"]
        assert all(u in m["text"] for u in m["urls"])
    for m in whole:
        if m["sender"] == "10086":  # "... or call 95xxx."
            assert [n for n in m["numbers"] if n.startswith("95") and len(n) == 5], m["text"]
