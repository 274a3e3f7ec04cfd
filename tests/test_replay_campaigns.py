"""Issue 23's campaign acceptance: the ``fake-campaigns`` scene (four campaigns with names, links,
numbers, amounts and QQ ids filled in per phone) replayed whole (``fbs-sensor replay --json``): every
campaign recovered with its template (the truth's, each placeholder named by its kind), the SMS and
phone counts of the truth inside the evidence's stated interval; at 2 dB Es/N0, where SMS parts and
sessions are lost, still inside, and every text still in its own campaign.
``bench/bench_campaigns.py`` sweeps Es/N0."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.sim import levels
from sensor.sim.output import write_sigmf
from sensor.sim.scene import load_scene
from tests.intel.campaign_truth import campaigns_against_truth, evidence_against_truth
from tests.sessions.against_truth import truth_of

SCENE = Path(__file__).resolve().parents[1] / "recordings" / "scenes" / "fake-campaigns.toml"
FAKE, FAKE_HZ, RATE_HZ, ARFCN = "FAKE-street", 947.8e6, 1e6, 64


def _replayed(tmp: Path, es_n0: float, seconds: float):  # type: ignore[no-untyped-def]
    scene = load_scene(SCENE)
    assert scene.route is not None
    parked = dataclasses.replace(scene.route, points=scene.route.points[:1])
    scene = levels.with_es_n0(
        dataclasses.replace(scene, duration_s=seconds, route=parked), FAKE, es_n0, sample_rate_hz=RATE_HZ
    )
    write_sigmf(scene, tmp / "rec", center_hz=FAKE_HZ, sample_rate_hz=RATE_HZ)
    meta = tmp / "rec.sigmf-meta"
    r = CliRunner().invoke(
        cli, ["replay", "--json", str(meta)], env={"FBS_SENSOR_IDENTITY_KEY": str(tmp / "identity.key")}
    )
    assert r.exit_code == 0, r.output
    specs = next(c for c in scene.cells if c.name == FAKE).works.campaigns
    return [json.loads(line) for line in r.stdout.splitlines()], truth_of(meta, FAKE), specs


@pytest.mark.slow
def test_every_campaign_is_recovered_with_its_template_and_the_counts_lie_in_their_interval(tmp_path):
    seconds = 40.0
    objs, truth, specs = _replayed(tmp_path, 10.0, seconds)
    rows = campaigns_against_truth(objs, truth, specs, arfcn=ARFCN)
    assert len(rows) == 4 and all(r["ok"] for r in rows), rows
    assert len({r["ids"][0] for r in rows}) == 4
    got = evidence_against_truth(objs, truth, arfcn=ARFCN, seconds=seconds)
    assert got["inside"], got
    e = got["evidence"]
    assert e["sms"]["interval"][0] == got["truth_sms"] >= 20, got  # nothing lost at 10 dB: exact
    assert e["phones"]["interval"][0] == got["truth_phones"], got
    assert e["serious"]["status"] == "not reached" and e["serious"]["shown"].endswith(" of 5,000")
    assert sum(e["by_category"].values()) == e["sms"]["seen"]


@pytest.mark.slow
def test_at_2_db_lost_parts_and_sessions_stay_inside_the_interval(tmp_path):
    seconds = 40.0
    objs, truth, specs = _replayed(tmp_path, 2.0, seconds)
    got = evidence_against_truth(objs, truth, arfcn=ARFCN, seconds=seconds)
    e = got["evidence"]
    assert e["sms"]["in_part"] + e["sessions"]["in_part"] >= 1, got  # something was lost
    assert got["inside"], got
    rows = campaigns_against_truth(objs, truth, specs, arfcn=ARFCN)
    for r in rows:  # each campaign's whole texts under one id, no other's; its fragments with it
        assert len(r["ids"]) <= 1 and r["partial_wrong"] == 0, r
    assert len({r["ids"][0] for r in rows if r["ids"]}) == sum(1 for r in rows if r["ids"])
    # a template needs two texts that differ (every filled text does): those campaigns are exact
    varied = [r for r in rows if r["sms"] >= 2]
    assert len(varied) >= 3 and all(r["ok"] for r in varied), rows
