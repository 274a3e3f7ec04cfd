"""The sensor's link: window, acks, resends, nacks, dead collectors, reconnection, flushing, status."""

from __future__ import annotations

import json
import logging
import time

import pytest
import zmq

from sensor.errors import ConfigError
from sensor.publish.link import Link, LinkState
from sensor.publish.outbox import Outbox
from sensor.publish.reply import Reply, encode_reply
from tests.publish.transport import (
    FAST_LINK,
    cell_body,
    detection_body,
    make_keys,
    open_link,
    start_collector,
    wait_until,
)


@pytest.fixture
def keys(tmp_path):
    return make_keys(tmp_path / "keys")


@pytest.fixture
def outbox(tmp_path):
    with Outbox(tmp_path / "outbox.sqlite", sensor_id="car1") as ob:
        yield ob


class ScriptedCollector:
    """A plaintext ROUTER the test drives by hand: what arrived, and which acks go back."""

    def __init__(self) -> None:
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.sock.linger = 0
        self.sock.bind("tcp://127.0.0.1:0")
        self.endpoint = self.sock.getsockopt_string(zmq.LAST_ENDPOINT)

    def receive(self, n: int, timeout_s: float = 20.0) -> list[tuple[bytes, dict]]:
        got, deadline = [], time.monotonic() + timeout_s
        while len(got) < n:
            left = deadline - time.monotonic()
            assert left > 0, f"received {len(got)} of {n} messages"
            if self.sock.poll(left * 1000):
                peer, data = self.sock.recv_multipart()
                got.append((peer, json.loads(data)))
        return got

    def quiet_for(self, seconds: float) -> list[dict]:
        got, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.sock.poll(left * 1000):
                got.append(json.loads(self.sock.recv_multipart()[1]))
        return got

    def reply(self, peer: bytes, reply: Reply) -> None:
        self.sock.send_multipart([peer, encode_reply(reply)])

    def close(self) -> None:
        self.sock.close()
        self.ctx.term()


@pytest.fixture
def scripted():
    s = ScriptedCollector()
    yield s
    s.close()


def plaintext_link(outbox, endpoint, **options):
    return Link(outbox, endpoint, allow_plaintext=True, **{**FAST_LINK, "heartbeat_interval_s": 30.0, **options})


def run_for(link, seconds):
    """Drive a link in poll mode for a while, whatever happens."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        link.poll(0.02)


def pump(link, until, timeout_s=20.0, what="condition"):
    """Drive a link in poll mode (no thread) until ``until()``."""
    deadline = time.monotonic() + timeout_s
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {link.status_line()}"
        link.poll(0.02)


# ------------------------------------------------------------------ configuration


def test_plaintext_only_when_asked_and_then_with_a_warning(outbox, keys, caplog):
    with pytest.raises(ConfigError, match="no keys given"):
        Link(outbox, "tcp://127.0.0.1:9")
    with pytest.raises(ConfigError, match="needs both"):
        Link(outbox, "tcp://127.0.0.1:9", client_keys=keys.sensor("car1"))
    with caplog.at_level(logging.WARNING, logger="sensor.publish.link"):
        link = Link(outbox, "tcp://127.0.0.1:9", allow_plaintext=True)
    assert "plaintext" in caplog.text and not link.status().secure
    link.close(flush_s=0)
    assert link.status().state is LinkState.CLOSED


def test_a_bad_endpoint_is_a_one_line_config_error(outbox):
    with pytest.raises(ConfigError, match="cannot connect to collector nonsense://x"):
        Link(outbox, "nonsense://x", allow_plaintext=True)


# ------------------------------------------------------------------ window, acks, resends, nacks


def test_window_limits_what_is_in_flight_and_acks_release_it(outbox, scripted):
    sent = outbox.publish_many([("observation", cell_body(i)) for i in range(10)])
    link = plaintext_link(outbox, scripted.endpoint, window=4, ack_timeout_s=30.0, liveness_s=30.0)
    try:
        pump(link, lambda: link.status().in_flight == 4, what="a full window")
        first = scripted.receive(4)
        assert [m["id"] for _, m in first] == [e["id"] for e in sent[:4]]
        run_for(link, 0.3)
        assert scripted.quiet_for(0.1) == [] and link.status().sent == 4  # the window is full: nothing more
        scripted.reply(first[0][0], Reply(acked=(sent[0]["id"], sent[1]["id"])))
        pump(link, lambda: outbox.depth() == 8, what="acks applied to the outbox")
        assert [m["id"] for _, m in scripted.receive(2)] == [e["id"] for e in sent[4:6]]
        s = link.status()
        assert s.state is LinkState.CONNECTED and s.acked == 2 and s.in_flight == 4 and s.sent == 6
        assert s.last_ack_utc_s is not None and abs(s.last_ack_utc_s - time.time()) < 10
    finally:
        link.close(flush_s=0)


def test_unacknowledged_messages_are_resent_with_the_same_bytes(outbox, scripted):
    (env,) = [outbox.publish("detection", detection_body(1))]
    link = plaintext_link(outbox, scripted.endpoint, ack_timeout_s=0.3, liveness_s=30.0)
    try:
        pump(link, lambda: link.status().resends >= 2, what="two resends")
        got = scripted.receive(3)
        assert {m["id"] for _, m in got} == {env["id"]} and all(m == env for _, m in got)
        scripted.reply(got[0][0], Reply(acked=(env["id"],)))
        pump(link, lambda: outbox.depth() == 0, what="the ack")
        resends = link.status().resends
        run_for(link, 0.8)  # longer than the resend timeout
        assert scripted.quiet_for(0.1) == [] and link.status().resends == resends
    finally:
        link.close(flush_s=0)


def test_a_nack_sets_the_message_aside_for_good(outbox, scripted, caplog):
    bad, good = outbox.publish("observation", cell_body(1)), outbox.publish("observation", cell_body(2))
    link = plaintext_link(outbox, scripted.endpoint)
    try:
        pump(link, lambda: link.status().in_flight == 2, what="both sent")
        got = scripted.receive(2)
        with caplog.at_level(logging.WARNING, logger="sensor.publish.link"):
            scripted.reply(got[0][0], Reply(acked=(good["id"],), nacked=((bad["id"], "sensor id does not match"),)))
            pump(link, lambda: outbox.depth() == 0, what="ack and nack applied")
        assert [d["id"] for d in outbox.dead_letters()] == [bad["id"]]
        assert link.status().nacked == 1 and "refused message" in caplog.text
        run_for(link, FAST_LINK["ack_timeout_s"] * 2)
        assert scripted.quiet_for(0.1) == [] and link.status().resends == 0  # no resend of either
    finally:
        link.close(flush_s=0)


def test_a_silent_collector_is_declared_dead_and_everything_resent_on_a_new_socket(outbox, scripted, caplog):
    sent = outbox.publish_many([("observation", cell_body(i)) for i in range(3)])
    link = plaintext_link(outbox, scripted.endpoint, ack_timeout_s=10.0, liveness_s=0.5, backoff_initial_s=0.2)
    try:
        pump(link, lambda: link.status().in_flight == 3, what="all sent")
        first = scripted.receive(3)
        with caplog.at_level(logging.WARNING, logger="sensor.publish.link"):
            pump(link, lambda: link.status().state is LinkState.BACKOFF, what="backoff")
        assert "silent for" in caplog.text and link.status().reconnect_in_s is not None
        assert link.status().in_flight == 0 and outbox.depth() == 3  # all still in the outbox
        pump(link, lambda: link.status().reconnects == 1 and link.status().in_flight == 3, what="a reconnection")
        again = scripted.receive(3)
        assert [m["id"] for _, m in again] == [e["id"] for e in sent]
        assert again[0][0] != first[0][0]  # a new socket: a new routing id at the collector
        scripted.reply(again[0][0], Reply(acked=tuple(e["id"] for e in sent)))
        pump(link, lambda: outbox.depth() == 0 and link.status().state is LinkState.CONNECTED, what="recovery")
    finally:
        link.close(flush_s=0)


def test_backoff_doubles_up_to_its_maximum_while_nobody_answers(outbox, scripted):
    outbox.publish("status", {"state": "x"})
    link = plaintext_link(outbox, scripted.endpoint, liveness_s=0.2, backoff_initial_s=0.1, backoff_max_s=0.4)
    delays = []
    try:
        while len(delays) < 4:
            pump(link, lambda: link.status().state is LinkState.BACKOFF, what="backoff")
            assert link.status().reconnect_in_s <= link.status().backoff_s
            delays.append(link.status().backoff_s)
            pump(link, lambda: link.status().state is not LinkState.BACKOFF, what="reconnect")
    finally:
        link.close(flush_s=0)
    # jitter ±20 %: 0.1, 0.2, 0.4, 0.4
    assert (
        0.08 <= delays[0] <= 0.12
        and 0.16 <= delays[1] <= 0.24
        and 0.32 <= delays[2] <= 0.48
        and 0.32 <= delays[3] <= 0.48
    )


def test_heartbeats_when_idle(outbox, scripted):
    link = plaintext_link(outbox, scripted.endpoint, heartbeat_interval_s=0.2,
                          heartbeat_extra=lambda: {"receiver": "scanning"})  # fmt: skip
    try:
        pump(link, lambda: link.status().heartbeats >= 1, what="a heartbeat")
        ((peer, hb),) = scripted.receive(1)
        assert hb["kind"] == "heartbeat" and hb["body"]["receiver"] == "scanning" and hb["body"]["outbox_depth"] >= 0
        run_for(link, 0.5)
        assert link.status().heartbeats == 1 and outbox.depth() == 1  # unanswered: no second one piles up
        assert {m["id"] for m in scripted.quiet_for(0.1)} <= {hb["id"]}  # at most resends of the same one
        scripted.reply(peer, Reply(acked=(hb["id"],)))
        pump(link, lambda: link.status().heartbeats >= 2, what="the next heartbeat")
        while (nxt := scripted.receive(1)[0][1])["id"] == hb["id"]:
            pass  # a resend of the first one that crossed our ack
        assert nxt["kind"] == "heartbeat" and nxt["seq"] > hb["seq"]
    finally:
        link.close(flush_s=0)


def test_a_heartbeat_that_cannot_be_queued_does_not_stop_the_link(outbox, scripted):
    link = plaintext_link(
        outbox, scripted.endpoint, heartbeat_interval_s=0.1, heartbeat_extra=lambda: {"uptime_s": "soon"}
    )
    try:
        pump(link, lambda: "cannot queue a heartbeat" in (link.status().last_error or ""), what="the refused heartbeat")
        assert "uptime_s" in link.status().last_error and outbox.depth() == 0
        env = outbox.publish("detection", detection_body(1))
        pump(link, lambda: link.status().sent == 1, what="the next message sent")
        assert scripted.receive(1)[0][1]["id"] == env["id"]
    finally:
        link.close(flush_s=0)


# ------------------------------------------------------------------ against the real collector


def test_delivers_everything_through_curve_to_the_collector(tmp_path, keys, outbox):
    collector, store = start_collector(keys, tmp_path / "collector.sqlite")
    link = open_link(keys, outbox, collector.endpoint, "car1", window=16).start()
    try:
        sent = [outbox.publish("observation", cell_body(i)) for i in range(150)]
        sent += outbox.publish_many([("detection", detection_body(i)) for i in range(50)])
        wait_until(lambda: outbox.depth() == 0, what="all acknowledged")
        assert store.count("observation") == 150 and store.count("detection") == 50
        assert {m["id"] for m in store.messages(sensor="car1") if m["kind"] != "heartbeat"} == {e["id"] for e in sent}
        s = link.status()
        assert s.secure and s.state is LinkState.CONNECTED and s.acked >= 200 and s.last_error is None
        assert "link connected" in link.status_line() and "outbox 0" in link.status_line()
    finally:
        assert link.close(flush_s=5) == 0
        collector.stop()
        store.close()


def test_close_flushes_what_is_waiting_within_its_deadline(tmp_path, keys, outbox):
    collector, store = start_collector(keys, tmp_path / "collector.sqlite")
    try:
        outbox.publish_many([("observation", cell_body(i)) for i in range(300)])
        link = open_link(keys, outbox, collector.endpoint, "car1")  # poll mode: close() flushes itself
        assert link.close(flush_s=20) == 0
        assert store.count("observation") == 300
    finally:
        collector.stop()
        store.close()


def test_close_gives_up_at_its_deadline_when_the_collector_is_away(keys, outbox):
    outbox.publish_many([("detection", detection_body(i)) for i in range(5)])
    link = open_link(keys, outbox, "tcp://127.0.0.1:9", "car1").start()  # nothing listens there
    t0 = time.monotonic()
    assert link.close(flush_s=0.5) == 5  # kept for the next start
    assert time.monotonic() - t0 < 5
    assert link.status().state is LinkState.CLOSED


def test_collector_restart_loses_nothing(tmp_path, keys, outbox):
    db = tmp_path / "collector.sqlite"
    collector, store = start_collector(keys, db)
    endpoint = collector.endpoint
    link = open_link(keys, outbox, endpoint, "car1").start()
    try:
        outbox.publish_many([("observation", cell_body(i)) for i in range(100)])
        wait_until(lambda: store.count("observation") >= 30, what="some delivered")
        collector.stop()
        store.close()
        outbox.publish_many([("detection", detection_body(i)) for i in range(20)])
        time.sleep(FAST_LINK["liveness_s"] * 1.5)  # let the link notice: it must not lose anything meanwhile
        collector, store = start_collector(keys, db, bind=endpoint)
        wait_until(lambda: outbox.depth() == 0, what="drained after the restart")
        assert store.count("observation") == 100 and store.count("detection") == 20
    finally:
        link.close(flush_s=2)
        collector.stop()
        store.close()


def test_wrong_collector_key_fails_the_handshake(tmp_path, keys, outbox):
    collector, store = start_collector(keys, tmp_path / "collector.sqlite")
    impostor_view = keys.sensor("car2").public  # not the collector's public key
    link = Link(
        outbox, collector.endpoint, client_keys=keys.sensor("car1"), server_public_key=impostor_view, **FAST_LINK
    )
    try:
        outbox.publish("detection", detection_body(1))
        pump(link, lambda: link.status().last_error is not None and "handshake" in link.status().last_error,
             what="a handshake failure")  # fmt: skip
        assert store.count() == 0 and outbox.depth() == 1
    finally:
        link.close(flush_s=0)
        collector.stop()
        store.close()
