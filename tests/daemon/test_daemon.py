"""The sensor daemon: the README's main job, a receiver unplugged mid-scan, clean shutdown, metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

import sensor.daemon.runner as runner
from sensor.cli import cli
from sensor.collector.sqlite_store import SqliteStore
from sensor.daemon.runner import Daemon, DaemonConfig
from sensor.errors import DeviceLost, DeviceNotFound
from sensor.gps.geodesy import distance_m
from sensor.resources import project_dir
from sensor.scan.session import open_session
from sensor.sim.radio import SimSource
from sensor.sim.scene import load_scene

PATROL = project_dir("recordings") / "scenes" / "patrol.toml"


@pytest.mark.slow
def test_main_job_alerts_with_reasons_and_a_position(tmp_path):
    """README: `fbs-sensor run` with no radio and no collector does the whole job."""
    r = CliRunner().invoke(
        cli, ["run", "--state-dir", str(tmp_path / "state")], env={"XDG_CONFIG_HOME": "/nonexistent"}
    )
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "ALERT FAKE ARFCN 64 BSIC 17" in out
    assert "reselection offset" in out
    # the fake's oscillator is +2.50 ppm off; the car's closing speed (15 m/s) adds up to 0.05 ppm of Doppler
    ppm = re.search(r"carrier is ([+-][\d.]+) ppm", out)
    assert ppm and abs(float(ppm[1]) - 2.50) <= 0.06, out
    # the fake works the phones it lures: the status line counts the phones reached (keyed hashes)
    assert re.search(r"\| phones [1-9]\d*, SMS \d+", r.stderr), r.stderr[-2000:]
    m = re.search(r"position: ([\d.]+), ([\d.]+) within (\d+) m", out)
    assert m, out
    lat, lon, radius = float(m[1]), float(m[2]), float(m[3])
    truth = next(c for c in load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml").cells if c.fake)
    assert distance_m(lat, lon, *truth.position) <= radius  # the truth is inside the 95 % region
    assert radius < 400
    # every message reached the embedded collector, each stored once
    store = SqliteStore(tmp_path / "state" / "collector.sqlite")
    try:
        assert store.count("detection") >= 3 and store.count("observation") > 20
        # each observation lists the ARFCNs its visit searched (censored readings for localisation),
        # and the moving car's carriers reached the store (the joint power + Doppler fit reads them)
        obs = [r for r in store.readings() if r.kind == "observation"]
        assert all(r.body["searched_arfcns"] == sorted(set(r.body["searched_arfcns"])) for r in obs)
        assert any(64 in r.body["searched_arfcns"] for r in obs if r.arfcn == 64)
        assert any(r.freq_hz is not None and (r.speed_m_s or 0.0) > 1.0 for r in obs if r.arfcn == 64)
        # and the phones it reached: their sessions, phones only as keyed hashes
        sessions = store.sessions(arfcn=64, bsic=17)
        assert sessions and store.count("session") == len(sessions)
        assert all(re.fullmatch(r"k1:[0-9a-f]{16}", s.phone) for s in sessions if s.phone is not None)
    finally:
        store.close()


class Flaky(SimSource):
    """The virtual receiver with a USB plug: ``unplugged`` makes reads fail and opens fail."""

    unplugged = threading.Event()

    def _open(self) -> None:
        if self.unplugged.is_set():
            raise DeviceNotFound("sim: no such device (unplugged)")
        super()._open()

    def _read(self, n):  # type: ignore[no-untyped-def]
        if self.unplugged.is_set():
            raise DeviceLost("sim: device vanished")
        return super()._read(n)


def test_receiver_unplugged_mid_scan_is_retried_and_resumes(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(runner, "BACKOFF_S", (0.05, 0.1, 0.2))
    opened = []

    def flaky_session(self):  # type: ignore[no-untyped-def]
        s = open_session(f"sim:{PATROL}", arfcns="58-66", gps="none")
        src = s.source
        flaky = Flaky(
            PATROL, profile=s.profile, center_hz=src.center_hz, sample_rate_hz=src.sample_rate_hz, gain_db=src.gain_db
        )
        flaky.open()
        src.close()
        s.source = s.scanner.source = flaky
        opened.append(time.monotonic())
        return s

    monkeypatch.setattr(Daemon, "_open", flaky_session)
    d = Daemon(DaemonConfig(device="sim", state_dir=tmp_path, duration_s=6.0, status_every_s=0.05))
    Flaky.unplugged.clear()

    def unplug_then_replug() -> None:
        while d.radio_s < 1.5:
            time.sleep(0.01)
        Flaky.unplugged.set()
        deadline = time.monotonic() + 30  # stay unplugged until a reopen has failed (whatever the load)
        while d.device_losses < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        Flaky.unplugged.clear()

    t = threading.Thread(target=unplug_then_replug, daemon=True)
    t.start()
    with caplog.at_level("WARNING"):
        d.run()
    t.join(5)
    d.close()
    assert d.device_losses >= 2  # lost mid-stream, then at least one failed reopen while unplugged
    assert len(opened) >= 2 and d.radio_s >= 6.0  # resumed and ran on to the end
    assert "receiver unavailable" in caplog.text and "receiver back" in caplog.text
    assert d.alerts  # the fake station was still found


def test_sigterm_stops_cleanly_with_the_outbox_flushed(tmp_path):
    metrics = tmp_path / "metrics.prom"
    env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent"}
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sensor.cli",
            "run",
            "--device",
            f"sim:{PATROL}",
            "--arfcns",
            "58-66",
            "--state-dir",
            str(tmp_path / "state"),
            "--metrics",
            str(metrics),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        metrics.exists()
        and "fbs_detections_total" in metrics.read_text()
        and float(re.search(r"fbs_detections_total\{[^}]*\} (\S+)", metrics.read_text())[1]) > 0
    ):
        time.sleep(0.2)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "ALERT FAKE ARFCN 64" in out and "Traceback" not in err
    text = metrics.read_text()
    assert "fbs_outbox_depth{sensor=" in text and re.search(r"fbs_outbox_depth\{[^}]*\} 0\b", text)
    store = SqliteStore(tmp_path / "state" / "collector.sqlite")
    try:
        assert store.count("detection") >= 1
    finally:
        store.close()


def test_collector_options_are_checked(tmp_path):
    r = CliRunner().invoke(
        cli,
        ["run", "--device", f"sim:{PATROL}", "--collector", "tcp://127.0.0.1:1", "--state-dir", str(tmp_path)],
        env={"XDG_CONFIG_HOME": "/nonexistent"},
    )
    assert r.exit_code == 2 and "--sensor-key" in r.output and "Traceback" not in r.output


def test_sighup_reloads_the_rules_and_json_logs(tmp_path):
    """SIGHUP re-reads the rules file: a rule switched off afterwards stops appearing in detections."""
    rules = tmp_path / "rules.toml"
    rules.write_text("")
    env = {**os.environ, "XDG_CONFIG_HOME": "/nonexistent"}
    metrics = tmp_path / "metrics.prom"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sensor.cli",
            "--log-json",
            "run",
            "--device",
            f"sim:{PATROL}",
            "--arfcns",
            "58-66",
            "--state-dir",
            str(tmp_path / "state"),
            "--rules",
            str(rules),
            "--json",
            "--metrics",
            str(metrics),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not metrics.exists():
        time.sleep(0.2)
    time.sleep(4)
    rules.write_text("[rules.carrier_offset]\nenabled = false\n")
    p.send_signal(signal.SIGHUP)
    time.sleep(8)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    logs = [json.loads(x) for x in err.splitlines() if x.startswith("{")]
    assert any("SIGHUP: rules and baseline reloaded" in x["message"] for x in logs)
    assert all({"time", "level", "logger", "message"} <= set(x) for x in logs)
    (det,) = [json.loads(x) for x in out.splitlines() if '"detection"' in x]
    assert det["arfcn"] == 64 and "carrier_offset" not in {
        r["rule"] for r in det["reasons"]
    }  # the latest, after reload


def test_a_closed_daemon_gives_the_process_its_signal_handlers_back(tmp_path):
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    d = Daemon(DaemonConfig(device="sim", state_dir=tmp_path))
    assert signal.getsignal(signal.SIGINT) is not before[signal.SIGINT]  # the run's: a Ctrl-C stops it cleanly
    d.close()
    assert {sig: signal.getsignal(sig) for sig in before} == before
