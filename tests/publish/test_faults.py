"""Fault injection: processes killed with SIGKILL at random moments; nothing may be lost or stored twice."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sensor.publish.outbox import Outbox
from tests.publish.transport import (
    COLLECTOR_MAIN,
    PYTHON,
    REPO,
    cell_body,
    collector_args,
    detection_body,
    free_port,
    make_keys,
    open_link,
    start_collector,
    wait_for_line,
    wait_until,
)


class CollectorProcess:
    """``fbs-sensor collector`` in a child process that the test can SIGKILL and start again."""

    def __init__(self, keys, db: Path, endpoint: str, logs: Path) -> None:
        self.endpoint = endpoint
        self.args = collector_args(keys, db, endpoint, "--status-interval", "60")
        self.logs = logs
        self.runs = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runs += 1
        log = self.logs / f"collector-{self.runs}.log"
        with open(log, "w") as err:
            self.proc = subprocess.Popen(
                [PYTHON, "-c", COLLECTOR_MAIN, *self.args], cwd=REPO, stderr=err, stdout=subprocess.DEVNULL
            )
        wait_for_line(log, "listening on", timeout_s=60)

    def kill(self, in_flight: Callable[[], int] | None = None) -> None:
        """SIGKILL. With ``in_flight``: freeze it first (SIGSTOP) until the sensor has messages in
        flight to it, so that the kill loses messages the collector was sent but never acked."""
        assert self.proc is not None and self.proc.poll() is None, "collector died by itself"
        if in_flight is not None:
            self.proc.send_signal(signal.SIGSTOP)
            deadline = time.monotonic() + 5.0
            while in_flight() == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                assert self.proc.wait(30) == 0
            finally:
                self.proc.kill()


def stored_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [i for (i,) in conn.execute("SELECT id FROM messages WHERE kind != 'heartbeat'")]


def test_collector_killed_and_restarted_at_random_moments_loses_nothing(tmp_path):
    """One sensor publishes 3,000 messages while its collector is SIGKILLed and restarted 4 times."""
    rng = random.Random(20261125)
    keys = make_keys(tmp_path / "keys")
    db = tmp_path / "collector.sqlite"
    collector = CollectorProcess(keys, db, f"tcp://127.0.0.1:{free_port()}", tmp_path)
    collector.start()
    sent: list[str] = []
    with Outbox(tmp_path / "car1.outbox", sensor_id="car1") as ob:
        link = open_link(keys, ob, collector.endpoint, "car1", window=64).start()

        def produce() -> None:
            for b in range(150):  # 150 scan cycles of 20 messages, ~5 s
                batch = [
                    ("detection", detection_body(b * 20 + k)) if k == 0 else ("observation", cell_body(b * 20 + k))
                    for k in range(20)
                ]
                sent.extend(e["id"] for e in ob.publish_many(batch))
                time.sleep(0.03)

        producer = threading.Thread(target=produce)
        producer.start()
        try:
            for i in range(4):
                time.sleep(rng.uniform(0.3, 1.2))
                # Two of the kills are made sure to catch messages in flight (on a loaded machine
                # every message may otherwise be acked before a kill lands).
                collector.kill(in_flight=(lambda: link.status().in_flight) if i % 2 == 0 else None)
                time.sleep(rng.uniform(0.0, 1.5))  # down for a moment, or long enough to be declared dead
                collector.start()
            producer.join(60)
            wait_until(lambda: ob.depth() == 0, timeout_s=60, what="the outbox drained")
            status = link.status()
        finally:
            producer.join(60)
            link.close(flush_s=0)
            collector.stop()
    assert len(sent) == 3000
    ids = stored_ids(db)
    assert len(ids) == len(set(ids)) == 3000 and set(ids) == set(sent)  # 0 lost, 0 stored twice
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0] == 3000
    assert status.resends + status.reconnects > 0  # the faults did interrupt deliveries


SENSOR = textwrap.dedent(
    """
    import sys, time
    from sensor.publish.keys import load_keypair, load_public_key
    from sensor.publish.link import Link
    from sensor.publish.outbox import Outbox
    from tests.publish.transport import FAST_LINK, cell_body
    outbox_path, endpoint, secret, server_public, count = sys.argv[1:6]
    ob = Outbox(outbox_path, sensor_id="car1")
    print("depth", ob.depth(), flush=True)
    link = Link(ob, endpoint, client_keys=load_keypair(secret), server_public_key=load_public_key(server_public),
                **{**FAST_LINK, "window": 8}).start()
    for b in range(int(count) // 50):
        for e in ob.publish_many([("observation", cell_body(b * 50 + k)) for k in range(50)]):
            print("put", e["id"], flush=True)
    while ob.depth():
        time.sleep(0.01)
    print("drained", flush=True)
    link.close(flush_s=1)
    """
)


def test_sensor_killed_with_sigkill_resends_its_outbox_after_restart(tmp_path):
    keys = make_keys(tmp_path / "keys")
    collector, store = start_collector(keys, tmp_path / "collector.sqlite")
    outbox = tmp_path / "car1.outbox"
    argv = [
        PYTHON,
        "-c",
        SENSOR,
        str(outbox),
        collector.endpoint,
        str(keys.secret_file("car1")),
        str(keys.server_public_file),
    ]
    try:
        first = subprocess.Popen([*argv, "2000"], cwd=REPO, stdout=subprocess.PIPE, text=True)
        put: list[str] = []
        try:
            assert first.stdout is not None and first.stdout.readline().split() == ["depth", "0"]
            while len(put) < 2000:
                put.append(first.stdout.readline().split()[1])
            wait_until(lambda: store.count("observation") >= 200, what="part delivered")
            first.send_signal(signal.SIGKILL)
            assert first.wait(30) == -signal.SIGKILL
        finally:
            first.kill()
            first.wait(30)
        delivered_before = store.count("observation")
        assert delivered_before < 2000, "the sensor finished before it was killed: nothing to resend"
        second = subprocess.run([*argv, "0"], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr
        depth_at_restart = int(second.stdout.split()[1])
        assert depth_at_restart >= 2000 - delivered_before > 0 and second.stdout.rstrip().endswith("drained")
        ids = [m["id"] for m in store.messages(kind="observation")]
        assert len(ids) == len(set(ids)) == 2000 and set(ids) == set(put)  # 0 lost, 0 stored twice
    finally:
        collector.stop()
        store.close()
