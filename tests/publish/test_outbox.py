"""The durable outbox: order, acks, dead letters, sequence numbers, back-pressure and disk-full policy."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest

from sensor.errors import SensorError
from sensor.publish.envelope import EnvelopeError, decode, make_envelope
from sensor.publish.outbox import Outbox, OutboxDiskFull, OutboxError
from tests.publish.transport import cell_body, detection_body

HB = {"uptime_s": 1.0, "outbox_depth": 0}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "spool" / "outbox.sqlite"


def test_messages_wait_in_order_until_acknowledged(path):
    with Outbox(path, sensor_id="car1") as ob:
        sent = [ob.publish("observation", cell_body(i)) for i in range(5)]
        assert [e["seq"] for e in sent] == [0, 1, 2, 3, 4] and ob.depth() == 5
        waiting = ob.pending(10)
        assert [q.id for q in waiting] == [e["id"] for e in sent]
        assert [decode(q.data) for q in waiting] == sent
        assert [q.id for q in ob.pending(2, after_pos=waiting[1].pos)] == [sent[2]["id"], sent[3]["id"]]
        assert ob.ack([sent[0]["id"], sent[2]["id"], "unknown-id-0000000"]) == 2
        assert ob.ack([sent[0]["id"]]) == 0
        assert [q.id for q in ob.pending(10)] == [sent[1]["id"], sent[3]["id"], sent[4]["id"]]
        assert ob.depth() == 3 and ob.depth_bytes() == sum(len(q.data) for q in ob.pending(10))
        assert ob.stats().acked == 2 and ob.stats().stored == 5


def test_positions_are_never_reused_after_the_newest_is_acknowledged(path):
    with Outbox(path, sensor_id="car1") as ob:
        a = ob.publish("status", {"state": "a"})
        last = ob.pending(1)[0].pos
        ob.ack([a["id"]])
        b = ob.publish("status", {"state": "b"})
        assert [q.id for q in ob.pending(5, after_pos=last)] == [b["id"]]


def test_sequence_is_persisted_and_monotonic(path):
    with Outbox(path, sensor_id="car1") as ob:
        seqs = [e["seq"] for e in ob.publish_many([("status", {"state": str(i)}) for i in range(3)])]
        ob.ack([q.id for q in ob.pending(10)])
    with Outbox(path, sensor_id="car1") as ob:
        assert ob.next_seq == 3
        assert ob.publish("heartbeat", HB)["seq"] == 3
        ob.put(make_envelope("status", {"state": "x"}, sensor="car1", seq=100))
        assert ob.publish("status", {"state": "y"})["seq"] == 101
    assert seqs == [0, 1, 2]


def test_put_is_idempotent_and_checked(path):
    with Outbox(path, sensor_id="car1") as ob:
        env = make_envelope("detection", detection_body(), sensor="car1", seq=0)
        ob.put(env)
        ob.put(env)
        assert ob.depth() == 1
        with pytest.raises(OutboxError, match="sensor 'car1'"):
            ob.put(make_envelope("status", {"state": "x"}, sensor="car2", seq=0))
        with pytest.raises(EnvelopeError):
            ob.put({**env, "id": "x"})
        with pytest.raises(EnvelopeError, match="more than the"):
            ob.publish("observation", cell_body(params={"pad": "x" * 300_000}))
        assert ob.depth() == 1


def test_refused_messages_become_dead_letters(path):
    with Outbox(path, sensor_id="car1") as ob:
        a, b = ob.publish("detection", detection_body(1)), ob.publish("observation", cell_body(2))
        assert ob.reject([(a["id"], "sensor id 'car1' does not match its key's name 'car9'")]) == 1
        assert [q.id for q in ob.pending(5)] == [b["id"]]
        (dead,) = ob.dead_letters()
        assert dead["id"] == a["id"] and dead["kind"] == "detection" and "car9" in dead["error"]
        assert decode(dead["data"]) == a and ob.stats().rejected == 1


def test_one_process_at_a_time(path):
    with Outbox(path, sensor_id="car1"):
        with pytest.raises(OutboxError, match="in use by another process"):
            Outbox(path, sensor_id="car1")
    Outbox(path, sensor_id="car1").close()  # released on close


def test_wrong_owner_or_file_is_one_line_error(path, tmp_path):
    Outbox(path, sensor_id="car1").close()
    with pytest.raises(OutboxError, match="belongs to sensor 'car1', not 'car2'"):
        Outbox(path, sensor_id="car2")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(OutboxError, match="cannot open outbox .*junk.sqlite: file is not a database"):
        Outbox(junk, sensor_id="car1")
    with pytest.raises(OutboxError, match="cannot open outbox"):
        Outbox("/proc/no/such/outbox.sqlite", sensor_id="car1")
    assert issubclass(OutboxError, SensorError)


# ------------------------------------------------------------------ back-pressure


def _fill(ob):
    """hb0 obs0 st0 det0 obs1 hb1 det1 obs2 (8 messages)."""
    plan = [("heartbeat", HB), ("observation", cell_body(0)), ("status", {"state": "s"}),
            ("detection", detection_body(0)), ("observation", cell_body(1)), ("heartbeat", HB),
            ("detection", detection_body(1)), ("observation", cell_body(2))]  # fmt: skip
    return [ob.publish(kind, body) for kind, body in plan]


def test_below_the_limit_nothing_is_dropped(path):
    with Outbox(path, sensor_id="car1", max_messages=8) as ob:
        _fill(ob)
        assert ob.depth() == 8 and ob.stats().dropped == {} and not ob.stats().over_limit


def test_at_the_limit_heartbeats_and_status_go_first_then_oldest_observations(path, caplog):
    with Outbox(path, sensor_id="car1", max_messages=8) as ob:
        sent = _fill(ob)
        with caplog.at_level(logging.WARNING, logger="sensor.publish.outbox"):
            extra = ob.publish_many([("detection", detection_body(9)), ("detection", detection_body(10)),
                                     ("detection", detection_body(11))])  # fmt: skip
        kept = [q.id for q in ob.pending(100)]
        # 11 > 8: the three heartbeats/status go, oldest first; nothing else.
        assert kept == [e["id"] for e in sent if e["kind"] not in ("heartbeat", "status")] + [e["id"] for e in extra]
        assert ob.stats().dropped == {"heartbeat": 2, "status": 1}
        assert "dropped the oldest 2 heartbeat, 1 status" in caplog.text
        ob.publish("detection", detection_body(12))  # 9 > 8: the oldest observation goes
        assert sent[1]["id"] not in [q.id for q in ob.pending(100)]
        assert ob.stats().dropped == {"heartbeat": 2, "status": 1, "observation": 1} and ob.depth() == 8
    with Outbox(path, sensor_id="car1") as ob:
        assert ob.stats().dropped == {"heartbeat": 2, "status": 1, "observation": 1}  # persistent totals


def test_a_new_observation_can_push_out_an_older_one_but_never_a_detection(path):
    with Outbox(path, sensor_id="car1", max_messages=3) as ob:
        d = [ob.publish("detection", detection_body(i)) for i in range(2)]
        o1 = ob.publish("observation", cell_body(1))
        o2 = ob.publish("observation", cell_body(2))
        assert [q.id for q in ob.pending(10)] == [d[0]["id"], d[1]["id"], o2["id"]]
        assert o1["id"] not in [q.id for q in ob.pending(10)]


def test_byte_limit_drops_too(path):
    with Outbox(path, sensor_id="car1", max_bytes=5_000) as ob:
        for i in range(20):
            ob.publish("observation", cell_body(i))
        assert ob.depth_bytes() <= 5_000 < ob.depth_bytes() + 1000
        assert ob.stats().dropped["observation"] == 20 - ob.depth()
        assert decode(ob.pending(1)[0].data)["body"]["cell_id"] == 20 - ob.depth()  # the newest are kept


def test_only_detections_left_grows_past_the_limit_with_a_warning(path, caplog):
    with Outbox(path, sensor_id="car1", max_messages=4) as ob:
        with caplog.at_level(logging.WARNING, logger="sensor.publish.outbox"):
            ob.publish("heartbeat", HB)
            sent = [ob.publish("detection", detection_body(i)) for i in range(10)]
        assert ob.depth() == 10 and [q.id for q in ob.pending(20)] == [e["id"] for e in sent]
        assert ob.stats().over_limit and ob.stats().dropped == {"heartbeat": 1}
        warnings = [r.getMessage() for r in caplog.records if "detections are never dropped" in r.getMessage()]
        assert len(warnings) == 1  # once, not per message
        ob.ack([e["id"] for e in sent[:7]])
        assert not ob.stats().over_limit


# ------------------------------------------------------------------ disk full


def _disk_full(operation):
    raise sqlite3.OperationalError("database or disk is full")


def test_disk_full_is_a_one_line_error_counted_and_the_outbox_keeps_working(path, caplog):
    with Outbox(path, sensor_id="car1") as ob:
        kept = ob.publish("detection", detection_body(0))
        ob.fault_hook = _disk_full
        with caplog.at_level(logging.WARNING, logger="sensor.publish.outbox"):
            for i in range(3):
                with pytest.raises(OutboxDiskFull) as err:
                    ob.publish("observation", cell_body(i))
                assert str(err.value) == f"outbox {path}: disk full during put, 1 message(s) not stored"
            with pytest.raises(OutboxDiskFull):
                ob.publish_many([("detection", detection_body(1)), ("heartbeat", HB)])
            with pytest.raises(OutboxDiskFull, match="disk full during ack"):
                ob.ack([kept["id"]])
        assert ob.stats().disk_full == {"observation": 3, "detection": 1, "heartbeat": 1}
        assert len([r for r in caplog.records if "disk full" in r.getMessage()]) == 1  # rate-limited
        assert "the sensor keeps running" in caplog.text
        assert ob.depth() == 1 and [q.id for q in ob.pending(5)] == [kept["id"]]  # nothing half-written
        ob.fault_hook = None
        after = ob.publish("observation", cell_body(5))
        assert after["seq"] == kept["seq"] + 1  # failed publishes did not use up numbers
        assert ob.ack([kept["id"]]) == 1 and ob.depth() == 1


def test_other_storage_failures_are_not_called_disk_full(path):
    with Outbox(path, sensor_id="car1") as ob:
        ob.fault_hook = lambda op: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error"))
        with pytest.raises(OutboxError, match="put failed: disk I/O error") as err:
            ob.publish("status", {"state": "x"})
        assert not isinstance(err.value, OutboxDiskFull) and ob.stats().disk_full == {}


def test_a_real_full_database_behaves_the_same(path):
    """SQLite's page quota fails exactly as a full disk does (SQLITE_FULL)."""
    with Outbox(path, sensor_id="car1", max_db_pages=40) as ob:
        stored = []
        with pytest.raises(OutboxDiskFull):
            for i in range(10_000):
                stored.append(ob.publish("observation", cell_body(i, params={"pad": "p" * 500})))
        assert 0 < len(stored) < 10_000 and ob.stats().disk_full == {"observation": 1}
        assert ob.depth() == len(stored) == len(ob.pending(100_000))
        ob.ack([e["id"] for e in stored[: len(stored) // 2]])
        ob.publish("detection", detection_body(1))  # room again
    with Outbox(path, sensor_id="car1") as ob:
        assert ob.depth() == len(stored) - len(stored) // 2 + 1


def test_threads_share_one_outbox(path):
    with Outbox(path, sensor_id="car1") as ob:

        def produce(k):
            for i in range(50):
                ob.publish("observation", cell_body(k * 100 + i))

        def consume():
            done = 0
            while done < 200:
                ids = [q.id for q in ob.pending(20)]
                done += ob.ack(ids)

        threads = [threading.Thread(target=produce, args=(k,)) for k in range(4)] + [threading.Thread(target=consume)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert ob.depth() == 0 and ob.depth_bytes() == 0 and ob.next_seq == 200
