"""Grouped cross-validation on the train split (``fbs-sensor evaluate --sms --cv``): folds of whole
split groups, every train text scored once by a method fitted without its fold, no held-out text read;
and the ``rules>model`` hybrid's reasons."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.intel import classify_eval
from sensor.intel.classify_cv import FOLDS, cross_validate, folds
from sensor.intel.corpus import Entry, by_split, load, split_group


@pytest.fixture(scope="module")
def train() -> list[Entry]:
    return by_split(load(), "train")


def test_folds_keep_each_group_whole_and_are_even(train):
    parts = folds(train)
    assert len(parts) == FOLDS
    assert sorted(e.id for p in parts for e in p) == sorted(e.id for e in train)
    where = {}
    for i, p in enumerate(parts):
        for e in p:
            assert where.setdefault(split_group(e), i) == i  # a campaign's copies never straddle folds
    sizes = [len(p) for p in parts]
    biggest_group = max(Counter(split_group(e) for e in train).values())
    assert max(sizes) - min(sizes) <= biggest_group
    again = folds(list(reversed(train)))  # the file's order does not matter
    assert [{e.id for e in p} for p in again] == [{e.id for e in p} for p in parts]


def test_cross_validation_reads_only_train_texts(train):
    entries = load()
    held = {e.id for e in by_split(entries, "heldout")}
    report = cross_validate("rules", entries)
    assert report.part == "train-cv"
    assert {o.id for o in report.outcomes} == {e.id for e in train}
    assert not held & {o.id for o in report.outcomes}


def test_the_rules_figures_in_cross_validation_as_measured():
    # the rules need no fit, so these are the rules on the train texts (optimistic: the tables were
    # written from these texts' errors); 349 texts, 35 wrong (phishing 20 / 22: sms-469's masked account
    # number xx.xxxx.xxx is no link since the extraction knows x-masked figures, it was 20 / 23)
    s = cross_validate("rules").summary()
    assert (s["part"], s["heldout"]) == ("train-cv", 349)
    assert len(s["mistakes"]) == 35
    assert s["macro_precision"] == pytest.approx((33 / 38 + 18 / 18 + 24 / 24 + 19 / 22 + 20 / 22) / 5)
    assert s["macro_recall"] == pytest.approx((33 / 36 + 18 / 19 + 24 / 24 + 19 / 21 + 20 / 21) / 5)


def test_the_hybrid_says_why_the_model_overrode_the_rules():
    pytest.importorskip("sklearn")
    train = [
        Entry(f"t{i}", text, label, f"http://s/{i}", "news", "train")
        for i, (text, label) in enumerate(
            [
                ("紫罗兰到了，品质上乘，欢迎品鉴", "prostitution"),  # a made-up slang no rule knows
                ("紫罗兰到货，约吗", "prostitution"),
                ("紫罗兰新到，懂的来", "prostitution"),
                ("今晚一起吃饭吗", "other"),
                ("明天开会，记得带材料", "other"),
                ("周末去爬山吗", "other"),
            ]
        )
    ]
    judge = classify_eval.classifier("rules>model", train, min_p=0.3)
    verdict, reasons = judge("紫罗兰到了")
    assert verdict == "prostitution"
    assert [r["rule"] for r in reasons] == ["model", "model_over_rules"]
    assert "most from" in reasons[0]["detail"] and "紫罗" in reasons[0]["detail"]
    assert reasons[1]["detail"].startswith("the rules said other")
    # where the rules are sure, they stand
    assert judge("澳门赌场直营，百家乐真人荷官，注册送彩金")[0] == "gambling"


def test_the_cli_cross_validates_on_request():
    res = CliRunner().invoke(cli, ["evaluate", "--sms", "--cv", "--json"])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output.splitlines()[0])
    assert s["part"] == "train-cv" and s["heldout"] == 349
    res = CliRunner().invoke(cli, ["evaluate", "--sms", "--cv"])
    assert "349 train texts, each scored by the folds" in res.output
