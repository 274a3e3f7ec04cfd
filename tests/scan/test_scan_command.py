"""`fbs-sensor scan`: one pass with the virtual receiver; the contract's JSON; bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.resources import project_dir

PATROL = project_dir("recordings") / "scenes" / "patrol.toml"
ENV = {"XDG_CONFIG_HOME": "/nonexistent"}


def scan(*args: str):
    return CliRunner().invoke(cli, ["scan", *args], env=ENV)


def test_one_pass_finds_every_cell_of_the_patrol_scene_and_judges_them():
    r = scan("--device", f"sim:{PATROL}", "--bands", "gsm900", "--arfcns", "50-75", "--json")
    assert r.exit_code == 0, r.output
    objs = [json.loads(x) for x in r.stdout.splitlines()]
    cells = {(o["arfcn"], o["bsic"]): o for o in objs if o["type"] == "cell"}
    assert set(cells) == {(58, 12), (60, 40), (62, 13), (64, 17), (66, 14)}  # all five, no phantom
    assert cells[(64, 17)]["verdict"] == "fake"
    assert all(c["verdict"] == "normal" for k, c in cells.items() if k != (64, 17))
    assert all("3" in c["si"] for c in cells.values())  # the quick goal: SI3 of every cell
    (det,) = [o for o in objs if o["type"] == "detection"]
    summary = objs[-1]
    assert det["arfcn"] == 64 and summary["type"] == "summary" and summary["detections"] == 1
    assert summary["tunings"] >= 2 and summary["timed_out"] == 0 and 0 < summary["seconds"] < 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bands", "gsm901"], "unknown band 'gsm901'"),
        (["--bands", "dcs"], "out of reach"),  # the R820T ends at 1766 MHz
        (["--goal", "everything"], "Invalid value for '--goal'"),
    ],
)
def test_bad_input_one_line_exit_2(args, message):
    r = scan("--device", f"sim:{PATROL}", *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_a_calibration_file_of_another_device_is_refused(tmp_path, monkeypatch):
    from sensor.scan import calibration

    (tmp_path / "sim-patrol.toml").write_text(
        (project_dir("calibration") / ".." / "recordings" / "scenes" / "patrol.toml").read_text()[:0]
        + 'serial = "FBS0002"\ndriver = "rtlsdr"\nppm = 3.0\n'
        'spread_ppm = 0.01\nmeasured_utc = "2026-11-25T10:00:00Z"\n'
    )
    monkeypatch.setattr(calibration, "calibration_dir", lambda directory=None: tmp_path)
    r = scan("--device", f"sim:{PATROL}", "--arfcns", "60-64")
    assert r.exit_code == 2 and "FBS0002" in r.output and "Traceback" not in r.output
