"""The collector's ROUTER: CURVE authentication, key names, bad messages, store failures, status."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
import zmq

from sensor.collector.server import Collector
from sensor.collector.sqlite_store import SqliteStore
from sensor.errors import ConfigError
from sensor.publish.envelope import MAX_MESSAGE_BYTES, encode, make_envelope
from sensor.publish.keys import create_keypair, load_keypair
from sensor.publish.link import Link
from sensor.publish.outbox import Outbox
from sensor.publish.reply import decode_reply
from tests.publish.transport import (
    FAST_LINK,
    FlakyStore,
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
def served(tmp_path, keys):
    collector, store = start_collector(keys, tmp_path / "collector.sqlite")
    yield collector, store
    collector.stop()
    store.close()


@pytest.fixture
def outboxes(tmp_path):
    opened = []

    def make(sensor_id, name=None):
        ob = Outbox(tmp_path / f"{name or sensor_id}.outbox", sensor_id=sensor_id)
        opened.append(ob)
        return ob

    yield make
    for ob in opened:
        ob.close()


def raw_dealer(keys, endpoint, name):
    """A hand-driven authenticated sensor socket, to send what a Link never would."""
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.linger = 0
    pair = keys.sensor(name)
    sock.curve_secretkey, sock.curve_publickey, sock.curve_serverkey = pair.secret, pair.public, keys.server_public
    sock.connect(endpoint)
    return sock


def reply_of(sock, timeout_s=20.0):
    assert sock.poll(timeout_s * 1000), "no reply from the collector"
    return decode_reply(sock.recv())


def test_an_unknown_key_is_refused_and_nothing_of_it_reaches_the_store(served, keys, outboxes):
    collector, store = served
    stranger = outboxes("intruder")
    stranger_link = open_link(keys, stranger, collector.endpoint, "intruder").start()
    friend = outboxes("car1")
    friend_link = open_link(keys, friend, collector.endpoint, "car1").start()
    try:
        stranger.publish_many([("detection", detection_body(i)) for i in range(5)])
        friend.publish_many([("observation", cell_body(i)) for i in range(5)])
        wait_until(lambda: friend.depth() == 0, what="the allowed sensor's messages")
        wait_until(lambda: "refused this sensor's key" in (stranger_link.status().last_error or ""), what="the refusal")
        assert stranger.depth() == 5 and stranger_link.status().acked == 0
        assert store.count(sensor="intruder") == 0 and store.count() == store.count(sensor="car1") >= 5
        intake = collector.status().intake
        assert (
            intake.received == intake.stored + intake.duplicates and not intake.rejected
        )  # no stranger's frame arrived
        assert collector.status().active_sensors == ("car1",)
    finally:
        stranger_link.close(flush_s=0)
        friend_link.close(flush_s=0)


def test_malformed_and_oversized_messages_are_refused_and_serving_goes_on(served, keys, outboxes, caplog):
    collector, store = served
    sock = raw_dealer(keys, collector.endpoint, "car2")
    try:
        with caplog.at_level(logging.WARNING, logger="sensor.collector.intake"):
            sock.send(b"\x00\x01 not json at all")
            assert reply_of(sock).nacked == ((None, "message is not JSON (Expecting value at character 0)"),)
            sock.send(b"{" + b" " * (MAX_MESSAGE_BYTES + 10) + b"}")
            (oversize,) = reply_of(sock).nacked
            assert oversize[0] is None and "larger than the 262144 allowed" in oversize[1]
            invalid = make_envelope("status", {"state": "x"}, sensor="car2", seq=0)
            invalid["body"] = {}
            sock.send(json.dumps(invalid).encode())
            (nack,) = reply_of(sock).nacked
            assert nack[0] == invalid["id"] and "body" in nack[1]
            sock.send_multipart([b"a", b"b"])
            assert "parts" in reply_of(sock).nacked[0][1]
        lines = [r.getMessage() for r in caplog.records if r.name == "sensor.collector.intake"]
        assert len(lines) == 4 and all("\n" not in line and "from car2" in line for line in lines)
        assert collector.status().intake.rejected == {"malformed": 2, "oversize": 1, "invalid": 1}
        assert "4 rejected (invalid 1, malformed 2, oversize 1)" in collector.status_line()
        good = make_envelope("detection", detection_body(3), sensor="car2", seq=1)
        sock.send(encode(good))
        assert reply_of(sock).acked == (good["id"],)
        ob = outboxes("car1")
        link = open_link(keys, ob, collector.endpoint, "car1").start()
        ob.publish_many([("observation", cell_body(i)) for i in range(20)])
        wait_until(lambda: ob.depth() == 0, what="another sensor served")
        link.close(flush_s=0)
        assert store.count("observation") == 20 and store.count("detection") == 1 and store.count() >= 21
        assert collector.running
    finally:
        sock.close()


def test_a_sensor_claiming_another_id_is_refused(served, keys, outboxes):
    collector, store = served
    liar = outboxes("car2", name="liar")  # holds car1's key but says it is car2
    link = open_link(keys, liar, collector.endpoint, "car1").start()
    try:
        env = liar.publish("detection", detection_body(1))
        wait_until(lambda: liar.depth() == 0, what="the nack")
        assert store.count() == 0 and link.status().nacked == 1
        (dead,) = liar.dead_letters()
        assert dead["id"] == env["id"] and "does not match its key's name 'car1'" in dead["error"]
    finally:
        link.close(flush_s=0)


def test_keys_added_later_are_accepted_after_reload(served, keys, outboxes, tmp_path):
    collector, store = served
    create_keypair(tmp_path / "new", "car3")
    shutil.copy(tmp_path / "new" / "car3.key", keys.allowed_dir / "car3.key")
    assert collector.reload_keys() == 3
    ob = outboxes("car3")
    link = Link(ob, collector.endpoint, client_keys=load_keypair(tmp_path / "new" / "car3.key_secret"),
                server_public_key=keys.server_public, **FAST_LINK).start()  # fmt: skip
    try:
        ob.publish("status", {"state": "hello"})
        wait_until(lambda: ob.depth() == 0, what="the new sensor delivered")
        assert store.count(sensor="car3") >= 1
    finally:
        link.close(flush_s=0)


def test_a_failing_store_gets_no_acks_and_the_sensor_resends(tmp_path, keys, outboxes):
    store = FlakyStore(tmp_path / "c.sqlite", failures=3)
    collector = Collector(store, "tcp://127.0.0.1:0", server_keys=keys.server, keys_dir=keys.allowed_dir).start()
    ob = outboxes("car1")
    link = open_link(keys, ob, collector.endpoint, "car1").start()
    try:
        sent = ob.publish_many([("detection", detection_body(i)) for i in range(10)])
        wait_until(lambda: ob.depth() == 0, what="delivery once the store works")
        assert {m["id"] for m in store.messages(kind="detection")} == {e["id"] for e in sent}
        assert collector.status().intake.store_errors == 3 and link.status().resends > 0
    finally:
        link.close(flush_s=0)
        collector.stop()
        store.close()


def test_configuration_errors(tmp_path, keys):
    store = SqliteStore(tmp_path / "c.sqlite")
    try:
        with pytest.raises(ConfigError, match="or explicitly allow plaintext"):
            Collector(store, "tcp://127.0.0.1:0")
        with pytest.raises(ConfigError, match="needs both"):
            Collector(store, "tcp://127.0.0.1:0", server_keys=keys.server)
        with pytest.raises(ConfigError, match="no such keys directory"):
            Collector(store, "tcp://127.0.0.1:0", server_keys=keys.server, keys_dir=tmp_path / "none")
        with Collector(store, "tcp://127.0.0.1:0", server_keys=keys.server, keys_dir=keys.allowed_dir) as first:
            with pytest.raises(ConfigError, match="Address already in use"):
                Collector(store, first.endpoint, server_keys=keys.server, keys_dir=keys.allowed_dir).start()
        plain = Collector(store, "tcp://127.0.0.1:0", allow_plaintext=True).start()
        assert not plain.secure and plain.status().sensor_keys == 0
        plain.stop()
    finally:
        store.close()


def test_plaintext_collector_and_link_work_together_when_both_allow_it(tmp_path, outboxes, caplog):
    store = SqliteStore(tmp_path / "c.sqlite")
    with caplog.at_level(logging.WARNING):
        collector = Collector(store, "tcp://127.0.0.1:0", allow_plaintext=True).start()
    assert "collector tcp://127.0.0.1:0 is plaintext" in caplog.text
    ob = outboxes("car9")
    link = Link(ob, collector.endpoint, allow_plaintext=True, **FAST_LINK).start()
    try:
        ob.publish("status", {"state": "x"})
        wait_until(lambda: ob.depth() == 0, what="plaintext delivery")
        assert store.count(sensor="car9") >= 1
    finally:
        link.close(flush_s=0)
        collector.stop()
        store.close()
