"""The receiver follows the simulator's fake station onto its dedicated channels: every SDCCH/SACCH
block the scene's truth lists after the first assignment heard is replayed with the same fn, tn,
sub and octets (SDCCH/8 on TS1, and SDCCH/4 on a combined TS0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.l3.ie_mm import MobileIdentity
from sensor.sessions.pseudonym import Pseudonymizer
from sensor.sessions.rewrite import rewrite_block
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic

SCENES = Path(__file__).resolve().parents[2] / "recordings" / "scenes"
FAKE_HZ = 947.8e6  # ARFCN 64


@pytest.mark.parametrize(("scene", "tn"), [("fake-street-sdcch8", 1), ("fake-street-sdcch4", 0)])
def test_every_dedicated_block_of_the_truth_is_replayed(tmp_path, scene, tn):
    path = SCENES / f"{scene}.toml"
    runner = CliRunner()
    sim = runner.invoke(
        cli,
        ["simulate", str(path), "--out", str(tmp_path), "--center", str(FAKE_HZ), "--rate", "1e6", "--duration", "12"],
    )
    assert sim.exit_code == 0, sim.output
    key = tmp_path / "identity.key"
    rep = runner.invoke(
        cli,
        ["replay", "--json", "--blocks", str(tmp_path / f"{scene}.sigmf-meta")],
        env={"FBS_SENSOR_IDENTITY_KEY": str(key)},
    )
    assert rep.exit_code == 0, rep.output
    names = Pseudonymizer(path=key)  # the replay's own key: frames carry its pseudonyms
    blocks = [o for o in map(json.loads, rep.stdout.splitlines()) if o["type"] == "block" and o["arfcn"] == 64]
    heard = min(b["fn"] for b in blocks if b["channel"] == "CCCH" and b["crc_ok"] and b["l2"][4:6] in ("3f", "39"))
    last = max(b["fn"] for b in blocks)
    truth = [
        b
        for b in scene_traffic(load_scene(path)).traffic["FAKE-street"].between(heard, last - heard)
        if b.channel in ("SDCCH", "SACCH") and b.session is not None and not b.ciphered
    ]
    assert len(truth) > 100 and {b.tn for b in truth} == {tn}
    got = {(b["fn"], b["tn"], b.get("sub"), b["l2"]) for b in blocks}
    missing = [
        (b.first_fn, b.tn, b.sub, b.channel)
        for b in truth
        if (b.first_fn, b.tn, b.sub, rewrite_block(b.octets, b.channel, names).hex()) not in got
    ]
    assert missing == []
    # no phone's identity leaves raw: the UA echoes carry same-length pseudonyms
    sessions = scene_traffic(load_scene(path)).truth["FAKE-street"]["sessions"]
    raw = [MobileIdentity.imsi(s["imsi"]).to_bytes().hex() for s in sessions]
    raw += [MobileIdentity.of_tmsi(s["tmsi"]).to_bytes().hex() for s in sessions if s["tmsi"] is not None]
    assert not [r for r in raw if r in rep.stdout]
    assert any(b.octets != rewrite_block(b.octets, b.channel, names) for b in truth)  # there were some
    assert all(b["sub"] is not None for b in blocks if b["channel"] in ("SDCCH", "SACCH"))


def test_a_following_carrier_is_channelized_around_its_timeslots_only(tmp_path, monkeypatch):
    """Once it follows SDCCH/8 sub-channels on TS1, a tracked carrier's stream is made around
    timeslots 0 and 1 only (``tracked_spans`` with its slots), not whole: no window that holds TS1
    needs the whole stream, and their TS1 blocks decode."""
    import sensor.receiver.wideband as wideband
    from sensor.receiver.stream import StreamReceiver
    from sensor.sources.open import open_recording

    path = SCENES / "fake-street-sdcch8.toml"
    sim = CliRunner().invoke(
        cli,
        ["simulate", str(path), "--out", str(tmp_path), "--center", str(FAKE_HZ), "--rate", "1e6", "--duration", "6"],
    )
    assert sim.exit_code == 0, sim.output
    windows = []
    receive = wideband.receive_channel

    def recorded(y, *, whole=None, slots=None, **kw):
        w = {"slots": slots, "whole_calls": 0}
        windows.append(w)

        def counted():
            w["whole_calls"] += 1
            return whole()

        r = receive(y, whole=None if whole is None else counted, slots=slots, **kw)
        w["ts1_ok"] = sum(b.crc_ok for b in r.blocks if b.tn == 1)
        return r

    monkeypatch.setattr(wideband, "receive_channel", recorded)
    src = open_recording(tmp_path / "fake-street-sdcch8.sigmf-meta")
    blocks = list(StreamReceiver().process(src.blocks(block_samples=1 << 18)))
    held = [w for w in windows if w["slots"] is not None and 1 in w["slots"]]
    assert len(held) >= 3
    assert all(w["whole_calls"] == 0 for w in held)
    assert all(w["ts1_ok"] > 0 for w in held)
    assert sum(b.tn == 1 and b.crc_ok for b in blocks) >= sum(w["ts1_ok"] for w in held) // 2
