"""The collector's intake without sockets: checks, one commit per batch, ack after commit, nacks, counters."""

from __future__ import annotations

import json
import logging

import pytest

from sensor.collector.intake import Frame, Intake
from sensor.collector.sqlite_store import SqliteStore
from sensor.publish.envelope import MAX_MESSAGE_BYTES, encode, make_envelope
from tests.publish.transport import FlakyStore, cell_body, detection_body, session_body, sms_body


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "c.sqlite") as s:
        yield s


def frame(kind="observation", body=None, sensor="car1", seq=0, peer=b"P1", key_name="car1"):
    env = make_envelope(kind, body or cell_body(seq), sensor=sensor, seq=seq)
    return env, Frame(peer=peer, data=encode(env), key_name=key_name)


def test_valid_messages_are_stored_once_and_acked_every_time(store):
    intake = Intake(store)
    (a, fa), (b, fb) = frame(seq=1), frame("detection", detection_body(1), seq=2)
    replies = intake.handle([fa, fb])
    assert replies[b"P1"].acked == (a["id"], b["id"]) and replies[b"P1"].nacked == ()
    assert intake.handle([fa])[b"P1"].acked == (a["id"],)  # a resend: acked again, stored once
    assert store.count() == 2
    s = intake.stats
    assert (s.received, s.stored, s.duplicates, s.acked) == (3, 2, 1, 3)
    assert dict(s.by_kind) == {"observation": 1, "detection": 1}


def test_replies_go_to_each_peer(store):
    (a, fa), (b, fb) = frame(peer=b"A", seq=1), frame(peer=b"B", sensor="car2", key_name="car2", seq=1)
    replies = Intake(store).handle([fa, fb])
    assert replies[b"A"].acked == (a["id"],) and replies[b"B"].acked == (b["id"],)


@pytest.mark.parametrize(
    "data, reason, text, has_id",
    [
        (b"\xff\x00garbage", "malformed", "not UTF-8", False),
        (b"{not json", "malformed", "not JSON", False),
        (b"x" * (MAX_MESSAGE_BYTES + 1), "oversize", f"larger than the {MAX_MESSAGE_BYTES} allowed", False),
        (
            json.dumps({"v": 1, "id": "01M8ZZZZZZZZZZZZZZZZZZZZZZ", "kind": "observation"}).encode(),
            "invalid",
            "must contain",
            True,
        ),
    ],
)
def test_bad_frames_are_logged_counted_and_nacked_without_harming_the_batch(store, caplog, data, reason, text, has_id):
    intake = Intake(store)
    good, fgood = frame(seq=1)
    with caplog.at_level(logging.WARNING, logger="sensor.collector.intake"):
        replies = intake.handle([Frame(peer=b"P1", data=data, key_name="car1"), fgood])
    (nack,) = replies[b"P1"].nacked
    assert nack[0] == ("01M8ZZZZZZZZZZZZZZZZZZZZZZ" if has_id else None) and text in nack[1]
    assert replies[b"P1"].acked == (good["id"],) and store.count() == 1
    assert intake.stats.rejected == {reason: 1}
    (record,) = [r for r in caplog.records if r.name == "sensor.collector.intake"]
    assert f"({reason})" in record.getMessage() and "\n" not in record.getMessage() and len(record.getMessage()) < 500


def test_a_sensor_cannot_speak_for_another(store):
    env, f = frame(sensor="car2", key_name="car1")
    replies = Intake(store).handle([f])
    assert replies[b"P1"].nacked == ((env["id"], "sensor id 'car2' does not match its key's name 'car1'"),)
    assert store.count() == 0
    env, f = frame(sensor="car2", key_name=None)  # plaintext: no key to compare with
    assert Intake(store).handle([f])[b"P1"].acked == (env["id"],)


def test_multipart_messages_are_refused(store):
    replies = Intake(store).handle([Frame(peer=b"P1", data=b"{}", key_name="car1", extra_parts=2)])
    assert "has 3 parts" in replies[b"P1"].nacked[0][1]


def test_nothing_is_acked_when_the_store_fails(tmp_path, caplog):
    store = FlakyStore(tmp_path / "c.sqlite", failures=1)
    intake = Intake(store)
    env, f = frame(seq=1)
    with caplog.at_level(logging.ERROR, logger="sensor.collector.intake"):
        assert intake.handle([f]) == {}
    assert "not acknowledged (the sensors will resend)" in caplog.text and intake.stats.store_errors == 1
    assert intake.last_store_error is not None
    assert intake.handle([f])[b"P1"].acked == (env["id"],) and intake.last_store_error is None
    assert store.count() == 1
    store.close()


def test_sessions_and_sms_are_counted_and_a_raw_phone_never_stored(store):
    from sensor.collector.server import Collector

    collector = Collector(store, "tcp://127.0.0.1:0", allow_plaintext=True)  # not started: its intake alone
    good = [frame("session", session_body(i), seq=2 * i) for i in range(3)]
    good += [frame("sms", sms_body(i), seq=2 * i + 1) for i in range(2)]
    raw = dict(session_body(9), phone="imsi:460005456536583")  # --keep-identities not said: refused
    bad_env, bad = frame("session", session_body(9), seq=9)
    bad_env["body"] = raw
    bad = Frame(peer=b"P1", data=json.dumps(bad_env).encode(), key_name="car1")
    replies = collector.intake.handle([f for _, f in good] + [bad])
    assert replies[b"P1"].acked == tuple(e["id"] for e, _ in good)
    ((nacked_id, error),) = replies[b"P1"].nacked
    assert nacked_id == bad_env["id"] and "body.phone" in error
    assert dict(collector.intake.stats.by_kind) == {"session": 3, "sms": 2}
    assert store.count("session") == 3 and "460005456536583" not in json.dumps(store.messages())
    assert "5 stored (phone sessions 3, SMS 2)" in collector.status_line()
    assert "phone sessions" not in Collector(store, "tcp://127.0.0.1:0", allow_plaintext=True).status_line()
