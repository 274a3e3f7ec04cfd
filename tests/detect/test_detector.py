"""Scoring, the detector's robustness, and the rules config."""

from __future__ import annotations

import logging
import time

import pytest

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.detector import Detector, detection_object
from sensor.detect.evidence import Evidence, Rule
from sensor.detect.scoring import Scoring, combine
from sensor.errors import ConfigError


def ev(w: float, strong: bool = False) -> Evidence:
    return Evidence("r", w, "because", strong)


def test_noisy_or_and_verdicts():
    assert combine([]).verdict == "normal" and combine([]).score == 0.0
    j = combine([ev(0.4, True), ev(0.5)])
    assert j.score == pytest.approx(0.7) and j.verdict == "suspicious"
    assert combine([ev(0.5, True), ev(0.5)]).verdict == "fake"  # 0.75: strong evidence with corroboration
    assert combine([ev(0.65, True), ev(0.5), ev(0.45)]).verdict == "fake"
    assert combine([ev(0.4)]).verdict == "normal"
    assert [r["weight"] for r in combine([ev(0.1), ev(0.3)]).reasons] == [0.3, 0.1]  # strongest reason first


def test_weak_evidence_alone_never_makes_fake():
    j = combine([ev(0.45), ev(0.45), ev(0.45), ev(0.45)])
    assert j.verdict == "suspicious" and j.score < 0.75
    assert combine([ev(0.45, True), ev(0.45), ev(0.45), ev(0.45)]).verdict == "fake"


def test_scoring_thresholds_are_configurable_and_checked():
    assert combine([ev(0.45, True)], Scoring(suspicious_at=0.4, fake_at=0.9)).verdict == "suspicious"
    assert combine([ev(0.45, True)]).verdict == "normal"
    with pytest.raises(ConfigError):
        Scoring(suspicious_at=0.9, fake_at=0.5)


class Broken(Rule):
    id = "broken"
    title = "raises"
    weight = 0.5

    def evaluate(self, cell, ctx):
        raise ZeroDivisionError("oops")


class Slow(Rule):
    id = "slow"
    title = "sleeps"
    weight = 0.9
    strong = True

    def evaluate(self, cell, ctx):
        end = time.thread_time() + 0.02  # busy: CPU time, which is what the budget counts
        while time.thread_time() < end:
            pass
        return self.evidence("slow evidence")


class Fine(Rule):
    id = "fine"
    title = "fires"
    weight = 0.6
    strong = True

    def evaluate(self, cell, ctx):
        return self.evidence("fine evidence")


def test_failing_and_slow_rules_are_logged_skipped_then_switched_off(caplog):
    d = Detector([Broken(), Slow(), Fine()], slow_rule_s=0.005, max_failures=2)
    c = CellFacts(arfcn=1, bsic=1)
    ctx = DetectContext([c])
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            j = d.judge(c, ctx)
            assert [e.rule for e in j.evidence] == ["fine"]
    assert d.health["broken"].disabled and d.health["slow"].disabled and not d.health["fine"].disabled
    assert d.health["broken"].failures == 2  # not called again once switched off
    text = caplog.text
    assert "rule broken failed" in text and "rule slow took" in text and "switched off" in text


def test_rules_config_overrides_and_errors():
    d = Detector.from_config(
        {
            "rules": {"short_t3212": {"weight": 0.9, "strong_below_min": 12}, "power_anomaly": {"enabled": False}},
            "scoring": {"suspicious_at": 0.4},
        }
    )
    ids = [r.id for r in d.rules]
    assert "power_anomaly" not in ids and d.scoring.suspicious_at == 0.4
    rule = next(r for r in d.rules if r.id == "short_t3212")
    assert rule.w == 0.9 and rule.t["strong_below_min"] == 12
    for bad, msg in (
        ({"rules": {"nope": {}}}, "no such rule"),
        ({"rules": {"short_t3212": {"x": 1}}}, "unknown setting"),
        ({"rules": {"short_t3212": {"weight": 2}}}, "from 0 to 1"),
        ({"extra": {}}, "unknown section"),
        ({"scoring": {"fake_at": "high"}}, "must be a number"),
    ):
        with pytest.raises(ConfigError, match=msg):
            Detector.from_config(bad)


def test_bad_rules_file_names_the_file(tmp_path):
    p = tmp_path / "rules.toml"
    p.write_text("[rules.nope]\nweight = 0.1\n")
    with pytest.raises(ConfigError, match=f"{p}: rules.nope: no such rule"):
        Detector.from_file(p)


def test_detection_object_carries_the_contract_fields():
    cell = {
        "type": "cell",
        "schema": 1,
        "arfcn": 64,
        "bsic": 17,
        "mcc": "460",
        "mnc": "00",
        "lac": 1,
        "cell_id": 2,
        "verdict": "fake",
        "score": 0.9,
        "reasons": [{"rule": "x", "weight": 0.9, "detail": "d"}],
        "position": None,
        "last_t_s": 3.5,
    }
    d = detection_object(cell)
    assert d["type"] == "detection" and d["t_s"] == 3.5 and d["reasons"] == cell["reasons"]
    assert set(d) == {
        "type",
        "schema",
        "arfcn",
        "bsic",
        "mcc",
        "mnc",
        "lac",
        "cell_id",
        "verdict",
        "score",
        "reasons",
        "position",
        "t_s",
    }


def test_rules_command_prints_a_config_that_loads_back_to_the_defaults(tmp_path):
    from click.testing import CliRunner

    from sensor.cli import cli
    from sensor.detect.registry import RULES

    r = CliRunner().invoke(cli, ["rules", "--toml"])
    assert r.exit_code == 0
    p = tmp_path / "rules.toml"
    p.write_text(r.output)
    d = Detector.from_file(p)
    assert [x.id for x in d.rules] == list(RULES)
    for rule in d.rules:
        assert rule.w == RULES[rule.id].weight and rule.t == RULES[rule.id].thresholds
    assert d.scoring == Scoring()
    listing = CliRunner().invoke(cli, ["rules"])
    assert listing.exit_code == 0 and all(rid in listing.output for rid in RULES)
