"""The acceptance run: the whole labelled scene library through the whole pipeline.

Prints the evaluation report into the test log (CI shows it) and requires recall 100 % of fake
stations and a false-alarm rate <= 1 % of legitimate cells, every alarm with readable reasons.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.evaluate import BEHAVIOUR_RULE
from sensor.resources import project_dir
from sensor.sim.fakes import BEHAVIOURS
from sensor.sim.scene import load_scene

LIBRARY = project_dir("recordings") / "scenes" / "eval"


def scenes() -> list[Path]:
    return sorted(p for p in LIBRARY.glob("*.toml") if not p.name.startswith("base-"))


def test_library_has_the_cases_the_issue_asks_for():
    fakes = legit = 0
    behaviours: set[str] = set()
    for p in scenes():
        s = load_scene(p)
        assert s.evaluation.description, f"{p.name}: say what the scene is"
        faked = [c for c in s.cells if c.fake]
        fakes += bool(faked)
        legit += not faked
        behaviours.update(b for c in faked for b in c.behaviours)
    assert fakes >= 12 and legit >= 8
    assert behaviours == set(BEHAVIOURS)  # every simulated behaviour appears in some scene
    assert set(BEHAVIOUR_RULE) == set(BEHAVIOURS)  # and maps to the rule that should catch it


@pytest.mark.slow
def test_evaluation_of_the_library(capsys):
    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", "--jobs", "2", "--json", *map(str, scenes())])
    assert res.exit_code == 0, res.output
    # the JSON lines are stdout's (a loaded machine may log a collector link's reconnect on stderr)
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    summary = lines[-1]
    cells = [x for x in lines if x["type"] == "evaluation_cell"]
    with capsys.disabled():
        print("\n== evaluation of the labelled scene library ==")
        for c in cells:
            if c["fake"] or c["verdict"] not in ("normal", "not heard"):
                print(
                    f"  {c['scene']:24s} {c['name']:10s} {'FAKE' if c['fake'] else 'legit':5s} {c['verdict']:10s} "
                    f"{c['score']:.2f}  " + "; ".join(r["detail"] for r in c["reasons"])
                )
        for r in summary["rules"]:
            print(
                f"  rule {r['rule']:22s} fires on {r['fires_on_fake']:2d} fake, "
                f"{r['fires_on_legitimate']:2d} legit cells"
            )
        print(f"  confusion: {summary['confusion']}")
        print(
            f"  precision {summary['precision']}, recall {summary['recall']}, "
            f"false-alarm rate {summary['false_alarm_rate']} ({summary['legitimate_cells']} legitimate cells)"
        )
    assert summary["recall"] == 1.0
    assert summary["false_alarm_rate"] <= 0.01
    assert summary["confusion"]["fake"]["not heard"] == 0
    phantoms = [c for c in cells if c["name"] == "phantom"]
    assert not phantoms, phantoms
    for c in cells:
        if c["verdict"] in ("suspicious", "fake"):
            assert c["reasons"] and all(r["detail"].strip() and r["rule"] for r in c["reasons"])


def test_evaluate_bad_input():
    r = CliRunner().invoke(cli, ["evaluate", "/nonexistent/scene.toml"])
    assert r.exit_code == 2 and "no such scene" in r.output
