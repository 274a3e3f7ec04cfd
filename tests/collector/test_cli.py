"""``fbs-sensor collector``: one-line errors for bad inputs, status lines, clean shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import re
import signal
import subprocess

import pytest
import zmq
from click.testing import CliRunner

from sensor.cli import cli
from sensor.collector.sqlite_store import SqliteStore
from sensor.publish.outbox import Outbox
from tests.publish.transport import (
    COLLECTOR_MAIN,
    PYTHON,
    REPO,
    cell_body,
    collector_args,
    free_port,
    make_keys,
    open_link,
    wait_for_line,
    wait_until,
)

ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}


@pytest.fixture
def keys(tmp_path):
    return make_keys(tmp_path / "keys")


def stored_in_status(log):
    counts = [int(m) for m in re.findall(r": (\d+) stored", log.read_text())]
    return max(counts, default=0)


def run(*args):
    return CliRunner().invoke(cli, ["collector", *args], env=ENV)


def test_bad_inputs_are_one_line_errors(tmp_path, keys):
    db = str(tmp_path / "c.sqlite")
    secret, keys_dir = str(keys.server_secret_file), str(keys.allowed_dir)
    busy = zmq.Context.instance().socket(zmq.ROUTER)
    busy.linger = 0
    port = busy.bind_to_random_port("tcp://127.0.0.1")
    cases = [
        (["--db", db], "give --keys-dir and --secret-key (or --allow-plaintext"),
        (["--db", db, "--keys-dir", keys_dir], "--keys-dir and --secret-key go together"),
        (
            ["--db", db, "--keys-dir", keys_dir, "--secret-key", str(tmp_path / "none.key_secret")],
            "none.key_secret: no such key file",
        ),
        (["--db", db, "--keys-dir", keys_dir, "--secret-key", str(keys.server_public_file)], "has no secret key"),
        (
            ["--db", db, "--keys-dir", str(tmp_path / "nokeys"), "--secret-key", secret],
            "nokeys: no such keys directory",
        ),
        (
            ["--db", "/proc/no/c.sqlite", "--keys-dir", keys_dir, "--secret-key", secret],
            "cannot open database /proc/no/c.sqlite",
        ),
        (
            ["--db", db, "--keys-dir", keys_dir, "--secret-key", secret, "--bind", f"tcp://127.0.0.1:{port}"],
            "Address already in use",
        ),
        (["--db", db, "--keys-dir", keys_dir, "--secret-key", secret, "--bind", "udp://x"], "cannot listen on udp://x"),
    ]
    try:
        for args, text in cases:
            result = run(*args)
            assert result.exit_code == 2, (args, result.output)
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("fbs-sensor: error: ") and text in lines[0], (
                args,
                result.stderr,
            )
    finally:
        busy.close()


@pytest.mark.parametrize("how", ["cli-sigterm", "command-sigint"])
def test_runs_until_a_signal_then_stops_cleanly(tmp_path, keys, how):
    db, log = tmp_path / "c.sqlite", tmp_path / "collector.log"
    endpoint = f"tcp://127.0.0.1:{free_port()}"
    args = collector_args(keys, db, endpoint, "--status-interval", "0.2")
    if how == "cli-sigterm":  # the real console entry point, once (its imports take a few seconds)
        argv, sig = [PYTHON, "-m", "sensor.cli", "collector", *args], signal.SIGTERM
    else:
        argv, sig = [PYTHON, "-c", COLLECTOR_MAIN, *args], signal.SIGINT
    with open(log, "w") as err:
        proc = subprocess.Popen(argv, cwd=REPO, stderr=err, stdout=subprocess.DEVNULL)
    try:
        listening = wait_for_line(log, "listening on", timeout_s=60)
        assert f"listening on {endpoint} (CURVE, 2 sensor key(s)), store {db}" in listening
        with Outbox(tmp_path / "car1.outbox", sensor_id="car1") as ob:
            link = open_link(keys, ob, endpoint, "car1").start()
            ob.publish_many([("observation", cell_body(i)) for i in range(25)])
            wait_until(lambda: ob.depth() == 0, what="delivery to the command's collector")
            link.close(flush_s=0)
        wait_until(lambda: stored_in_status(log) >= 25, what="a status line counting the 25 messages (and heartbeats)")
        proc.send_signal(sig)
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait(30)
    text = log.read_text()
    assert "Traceback" not in text and text.rstrip().endswith("; stopped")
    assert "msg/s" in text and "1 sensor(s) active" in text
    with SqliteStore(db) as store:
        assert store.count("observation") == 25
