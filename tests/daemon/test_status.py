"""Honest status: a run says how much of the band and of the time it received, never an all-clear
for what it did not scan, fails when it received nothing, and the simulated drive's end is an end."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.collector.dashboard import Dashboard
from sensor.collector.sqlite_store import SqliteStore
from sensor.daemon.coverage import Coverage
from sensor.daemon.runner import Daemon, DaemonConfig
from sensor.resources import project_dir
from sensor.scan.plan import Channel, ScanPlan, Tuning
from tests.fakes import radio

PATROL = project_dir("recordings") / "scenes" / "patrol.toml"
ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}


@pytest.fixture
def fake_radio(monkeypatch):
    return radio.install(monkeypatch)


def test_no_receiver_attached_says_nothing_was_scanned_and_exits_2(fake_radio, tmp_path):
    fake_radio.ABSENT = True
    r = CliRunner().invoke(cli, ["run", "--device", "hackrf", "--duration", "1", "--state-dir", str(tmp_path)], env=ENV)
    assert r.exit_code == 2, r.output
    last = [line for line in r.stderr.splitlines() if line.strip()][-1]
    assert last.startswith("fbs-sensor: error: nothing was received") and "no such receiver attached" in last
    assert "no suspicious or fake cell heard" not in r.output  # never an all-clear for what was not scanned
    assert "RECEIVER LOST" not in r.stderr  # it was never there: not lost
    assert "NO RECEIVER, nothing scanned yet" in r.stderr and "nothing received in" in r.stderr
    assert "Traceback" not in r.output
    # the collector was told too: the last status message says the run ended having received nothing
    with SqliteStore(tmp_path / "collector.sqlite") as store:
        states = [m["body"] for m in store.messages(kind="status")]
        shown = Dashboard(store, "127.0.0.1", 0).api_sensors()["sensors"]  # and its dashboard says so
    assert [s["state"] for s in states] == ["no_receiver", "ended"]
    assert len(shown) == 1 and shown[0]["state"] == "ended" and shown[0]["summary"].startswith("nothing received")
    assert states[-1]["coverage"]["received_s"] == 0 and states[-1]["summary"].startswith("nothing received")


def test_a_run_that_received_states_its_coverage_in_the_all_clear(fake_radio, tmp_path):
    """The fake radio delivers a tone and no cell: the all-clear is of what was scanned, with figures."""
    r = CliRunner().invoke(
        cli,
        ["run", "--device", "rtlsdr", "--arfcns", "1-20", "--gps", "none", "--duration", "1.5",
         "--state-dir", str(tmp_path)],
        env=ENV,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    m = re.search(
        r"^no suspicious or fake cell heard in what was scanned "
        r"\(scanned (\d+) of (\d+) ARFCNs, (\d+) s received in (\d+) s\)$",
        r.stdout,
        re.M,
    )
    assert m, r.stdout
    assert int(m[2]) == 20 and 1 <= int(m[1]) <= 20
    assert re.search(r"\| scanned \d+ of 20 ARFCNs, \d+ s received in \d+ s, pass \d+/\d+ tunings", r.stderr)
    assert "RECEIVER LOST" not in r.stderr and "the run's 1.5 s are over" in r.stderr
    with SqliteStore(tmp_path / "collector.sqlite") as store:
        last = store.messages(kind="status")[-1]["body"]
    assert last["state"] == "ended" and last["coverage"]["arfcns_planned"] == 20
    assert last["coverage"]["arfcns_received"] == int(m[1]) and last["coverage"]["received_s"] > 0


def test_json_run_ends_with_a_coverage_object(fake_radio, tmp_path):
    r = CliRunner().invoke(
        cli,
        ["run", "--device", "rtlsdr", "--arfcns", "1-5", "--gps", "none", "--duration", "1", "--json",
         "--state-dir", str(tmp_path)],
        env=ENV,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    cov = json.loads(r.stdout.splitlines()[-1])
    assert cov["type"] == "coverage" and cov["schema"] == 1 and cov["arfcns_planned"] == 5
    assert cov["received_s"] > 0 and cov["ended"] == "the run's 1 s are over"


def test_the_simulated_drive_ends_as_a_drive_not_as_a_lost_receiver(tmp_path):
    lines: list[str] = []
    d = Daemon(
        DaemonConfig(device=f"sim:{PATROL}", arfcns="58-66", gps="none", state_dir=tmp_path, duration_s=4.0),
        status=lines.append,
    )
    try:
        d.run()
    finally:
        d.close()
    assert d.ended == "the simulated drive ended"
    assert lines[-1].endswith("| the simulated drive ended") and "RECEIVER LOST" not in "".join(lines)
    assert re.search(r"scanned 9 of 9 ARFCNs, \d+ s received in \d+ s", lines[-1]), lines[-1]


def _plan() -> ScanPlan:
    chans = [Channel("GSM900", a, 935_000_000 + 200_000 * a) for a in range(1, 7)]
    tunings = (Tuning(935.4e6, tuple(chans[:3])), Tuning(936.0e6, tuple(chans[3:5])))
    return ScanPlan("test", 2.4e6, None, tunings, left_out=(chans[5],))  # type: ignore[arg-type]


def test_coverage_counts_only_tunings_that_delivered_samples():
    cov = Coverage(started_mono=100.0)
    assert cov.words(now_mono=110.0) == "nothing received in 10 s" and not cov.anything
    plan = _plan()
    cov.plan(plan)
    cov.start_pass()
    cov.visited(plan.tunings[0], 1.5)
    cov.visited(plan.tunings[1], 0.0)  # tuned but no sample delivered: not received
    assert cov.pass_words() == "pass 2/2 tunings"
    cov.end_pass()
    assert cov.words(now_mono=104.0) == ("scanned 3 of 6 ARFCNs (1 out of this receiver's reach), 2 s received in 4 s")
    d = cov.as_dict(now_mono=104.0)
    assert d["arfcns_received"] == 3 and d["arfcns_reachable"] == 5 and d["last_pass_tunings"] == [2, 2]
