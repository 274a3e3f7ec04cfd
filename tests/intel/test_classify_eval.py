"""``fbs-sensor evaluate --sms``: the classifier on the corpus's held-out part. The corpus and the split
are fixed, so the figures are too; they are asserted as measured (the issue's target of 0.9 macro
precision and recall over the legal categories is not reached: see the corpus README)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.intel import classify_eval
from sensor.intel.classify import METHOD
from sensor.intel.classify_eval import evaluate_sms
from sensor.intel.corpus import Entry


def test_rules_on_the_held_out_part():
    s = evaluate_sms("rules").summary()
    assert (s["train"], s["heldout"]) == (349, 209)
    assert s["accuracy"] == pytest.approx(165 / 209)
    assert s["macro_over"] == ["fraud", "gambling", "prostitution", "malware", "phishing"]
    # phishing 11 / 16: sms-470's masked rate x.xxx% is no link since the extraction knows x-masked
    # figures (it was 11 / 17, 0.762)
    assert s["macro_precision"] == pytest.approx((12 / 18 + 14 / 15 + 5 / 6 + 8 / 11 + 11 / 16) / 5)  # 0.770
    assert s["macro_recall"] == pytest.approx((12 / 17 + 14 / 16 + 5 / 9 + 8 / 14 + 1) / 5)  # 0.742
    assert {m["id"]: m["verdict"] for m in s["mistakes"]} == {
        "sms-010": "other",
        "sms-024": "other",
        "sms-090": "other",
        "sms-091": "other",
        "sms-117": "fraud",
        "sms-121": "other",
        "sms-131": "advertising",
        "sms-138": "advertising",
        "sms-141": "advertising",
        "sms-143": "advertising",
        "sms-144": "phishing",
        "sms-145": "fraud",
        "sms-146": "fraud",
        "sms-147": "gambling",
        "sms-169": "other",
        "sms-173": "other",
        "sms-184": "other",
        "sms-187": "other",
        "sms-226": "fraud",
        "sms-249": "other",
        "sms-254": "other",
        "sms-260": "other",
        "sms-281": "other",
        "sms-292": "fraud",
        "sms-293": "other",
        "sms-300": "fraud",
        "sms-318": "malware",
        "sms-332": "phishing",
        "sms-336": "other",
        "sms-346": "prostitution",
        "sms-362": "malware",
        "sms-394": "other",
        "sms-470": "other",
        "sms-481": "other",
        "sms-490": "other",
        "sms-494": "other",
        "sms-497": "malware",
        "sms-501": "other",
        "sms-508": "phishing",
        "sms-518": "other",
        "sms-522": "phishing",
        "sms-526": "phishing",
        "sms-535": "other",
        "sms-538": "other",
    }


def test_the_model_does_not_help_so_the_rules_decide():
    # chosen by grouped cross-validation on train (classify_cv), where the hybrids tie the rules within
    # one text; on the held-out part the model alone is far worse, the fallback costs precision (75.8 %:
    # sms-481, a masked card number the rules leave unmarked, becomes "gambling") for no recall, and
    # the rules>model hybrid trades recall for precision (78.4 % / 73.6 %)
    rules = evaluate_sms("rules").summary()
    model = evaluate_sms("model").summary()
    both = evaluate_sms("rules+model").summary()
    over = evaluate_sms("rules>model").summary()
    assert model["macro_precision"] < rules["macro_precision"]
    assert model["macro_recall"] < rules["macro_recall"]
    assert both["macro_precision"] < rules["macro_precision"] and both["macro_recall"] == rules["macro_recall"]
    assert over["macro_precision"] > rules["macro_precision"] and over["macro_recall"] < rules["macro_recall"]
    assert over["accuracy"] == pytest.approx(182 / 209)
    assert METHOD == "rules"


def test_the_report_lists_every_mistake_escaped(monkeypatch):
    hostile = "[red]点我[/red]\x1b[2J\u202e中奖了，请到栏目组领奖 " + "长" * 100
    entries = [
        Entry("t1", "今晚一起吃饭吗", "other", "http://x", "news", "train"),
        Entry("h1", hostile, "gambling", "http://y", "news", "heldout"),
        Entry("h2", "【某银行】验证码:123456，请勿泄露。", "other", "http://z", "news", "heldout"),
    ]
    monkeypatch.setattr(classify_eval, "load", lambda: entries)
    res = CliRunner().invoke(cli, ["evaluate", "--sms"])
    assert res.exit_code == 0, res.output
    assert "misclassified (1)" in res.output
    assert "h1" in res.output and "[red]点我[/red]" in res.output  # markup shown, not applied
    assert "\x1b" not in res.output and "\u202e" not in res.output
    assert "\\x1b" in res.output and "…" in res.output  # escaped and shortened
    res = CliRunner().invoke(cli, ["evaluate", "--sms", "--json", "--require-recall", "0.5"])
    assert res.exit_code == 1
    s = json.loads(res.stdout.splitlines()[0])
    assert s["mistakes"][0]["text"] == hostile  # JSON keeps the text whole; json escapes it
    assert "macro recall 0.0 % is below 50.0 %" in res.stderr


def test_sms_mode_takes_no_scenes():
    res = CliRunner().invoke(cli, ["evaluate", "--sms", "recordings"])
    assert res.exit_code == 2
    assert "--sms takes no scenes" in res.output


def test_classifying_imports_no_scikit_learn():
    code = (
        "import sys, sensor.intel.classify, sensor.intel.classify_eval, sensor.commands.evaluate;"
        "sensor.intel.classify.classify('中奖');"
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.xfail(
    strict=True,
    reason="issue 23's target (macro precision and recall >= 0.9 over the legal categories on the held-out "
    "part) is not reached: 77.0 % / 74.2 % on 209 held-out texts (bench README, SMS extraction)",
)
def test_the_issues_target_on_the_held_out_part():
    # the same evaluation CI prints; when it reaches the target this passes, the strict xfail fails,
    # and the marker goes
    p, r, over = evaluate_sms(METHOD).macro()
    assert over == ["fraud", "gambling", "prostitution", "malware", "phishing"]
    assert p >= 0.9 and r >= 0.9
