"""The daemon's stakeouts and --watch, and --keep-identities on the live commands (run, scan)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.daemon.runner import Daemon, DaemonConfig
from sensor.resources import project_dir
from sensor.scan.scheduler import StakeoutPolicy

SCENES = project_dir("recordings") / "scenes"
SDCCH8 = SCENES / "fake-street-sdcch8.toml"
PATROL = SCENES / "patrol.toml"
WARNING = "warning: --keep-identities"


def invoke(*args: str, tmp_path):
    env = {"XDG_CONFIG_HOME": "/nonexistent", "FBS_SENSOR_IDENTITY_KEY": str(tmp_path / "identity.key")}
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.mark.slow
def test_the_daemon_stakes_out_the_fake_once_judged_and_says_so(tmp_path):
    lines: list[str] = []
    cfg = DaemonConfig(
        device=f"sim:{SDCCH8}",
        arfcns="56-70",
        state_dir=tmp_path,
        duration_s=14.0,
        status_every_s=0.0,
        stakeout=StakeoutPolicy(max_s=8.0, min_s=4.0),
    )
    d = Daemon(cfg, status=lines.append)
    try:
        d.run()
    finally:
        d.close()
    shown = [x for x in lines if "stakeout ARFCN 64" in x]
    assert shown, lines[-5:]
    assert "identities" not in " ".join(lines)  # keyed: nothing to say
    m = d.metrics.values
    assert m["fbs_stakeouts_total"] >= 1 and 4.0 <= m["fbs_stakeout_seconds_total"] <= 8.5 * m["fbs_stakeouts_total"]
    assert d.alerts and d.link.heartbeat_extra is not None and d.link.heartbeat_extra() == {"identities": "keyed"}


def test_run_watch_of_a_normal_carrier_stakes_it_out_and_keep_identities_is_recorded(tmp_path):
    r = invoke(
        "run", "--device", f"sim:{PATROL}", "--arfcns", "58-66", "--watch", "62", "--duration", "2",
        "--stakeout-max", "3", "--keep-identities", "--state-dir", str(tmp_path / "state"),
        "--metrics", str(tmp_path / "m.prom"), tmp_path=tmp_path,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    err = r.stderr
    assert err.startswith(WARNING)  # warned at start, before anything else
    assert re.search(r"MHz, stakeout ARFCN 62 \(\d+ s\) \|.*\| identities RAW", err), err
    prom = (tmp_path / "m.prom").read_text()
    assert float(re.search(r"fbs_stakeout_seconds_total\{[^}]*\} (\S+)", prom)[1]) > 0


def test_the_daemon_keeps_identities_raw_only_when_asked(tmp_path):
    cfg = DaemonConfig(device=f"sim:{PATROL}", state_dir=tmp_path, keep_identities=True, duration_s=0.1)
    d = Daemon(cfg, status=lambda line: None)
    try:
        assert d.carriers.names.keep_raw and d.link.heartbeat_extra() == {"identities": "raw"}
    finally:
        d.shutdown()
        d.close()


@pytest.mark.parametrize("command", ["run", "scan"])
@pytest.mark.parametrize(
    ("watch", "message"),
    [
        ("70", "--watch 70: ARFCN 70 is not in the scanned bands and ARFCNs"),  # outside --arfcns
        ("1024", "Invalid value for '--watch'"),
        ("x", "Invalid value for '--watch'"),
    ],
)
def test_bad_watch_values_are_one_line_errors(tmp_path, command, watch, message):
    state = ["--state-dir", str(tmp_path)] if command == "run" else []
    r = invoke(command, "--device", f"sim:{PATROL}", "--arfcns", "58-66", "--watch", watch, *state, tmp_path=tmp_path)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output
    assert not (tmp_path / "outbox.sqlite").exists()  # refused before the daemon started


@pytest.fixture
def brief_fake(tmp_path):
    """The street scene with a fake that works phones for its first 2 s only (one session, 1.0-6.8 s):
    a watched stakeout of it ends idle 3 s later, not at its 30 s bound."""
    scene = tmp_path / "brief.toml"
    text = SDCCH8.read_text().replace("duration_s = 20.0", "duration_s = 2.0")
    scene.write_text(text.replace("rate_per_s = 1.0", "rate_per_s = 2.0"))
    return scene


def test_scan_json_has_sessions_and_sms_with_keyed_phones_and_a_watched_stakeout(tmp_path, brief_fake):
    r = invoke(
        "scan", "--device", f"sim:{brief_fake}", "--arfcns", "62-66", "--watch", "64", "--json", tmp_path=tmp_path
    )
    assert r.exit_code == 0, r.output
    objs = [json.loads(x) for x in r.stdout.splitlines()]
    summary = objs[-1]
    sessions = [o for o in objs if o["type"] == "session"]
    sms = [o for o in objs if o["type"] == "sms"]
    assert summary["type"] == "summary" and summary["identities"] == "keyed" and WARNING not in r.stderr
    assert summary["stakeouts"] == 1 and 3.0 < summary["stakeout_s"] < 15.0  # it ended when the fake went quiet
    assert summary["sessions"] == len(sessions) >= 1 and summary["sms"] == len(sms) >= 1
    assert any(o["complete"] for o in sessions if o["arfcn"] == 64)
    assert all(m["category"] and m["urls"] is not None for m in sms if m["text"])  # analysed, as replay's
    phones = {o["phone"] for o in sessions + sms if o["phone"] is not None}
    assert phones and all(re.fullmatch(r"k1:[0-9a-f]{16}", p) for p in phones)
    (fake,) = [o for o in objs if o["type"] == "cell" and o["arfcn"] == 64]
    assert fake["activity"]["sessions"] >= 1  # the causal rules saw what it did
    rules = {x["rule"] for x in fake["reasons"]}
    assert "imsi_without_auth" in rules


def test_scan_keep_identities_warns_and_says_raw(tmp_path, brief_fake):
    r = invoke(
        "scan", "--device", f"sim:{brief_fake}", "--arfcns", "62-66", "--watch", "64", "--keep-identities", "--json",
        tmp_path=tmp_path,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert r.stderr.startswith(WARNING)
    objs = [json.loads(x) for x in r.stdout.splitlines()]
    assert objs[-1]["identities"] == "raw"
    phones = {o["phone"] for o in objs if o["type"] in ("session", "sms") and o["phone"] is not None}
    assert phones and all(re.fullmatch(r"(imsi|tmsi|imei|imeisv):\w+", p) for p in phones)
