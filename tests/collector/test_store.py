"""The collector's Store interface, run against every implementation (SQLite now; add PostgreSQL to STORES)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from sensor.collector.sqlite_store import SCHEMA_VERSION, SqliteStore
from sensor.collector.store import Reading, Store, StoreError
from sensor.errors import SensorError
from sensor.publish.envelope import make_envelope
from tests.publish.transport import cell_body, detection_body


def sqlite_store(tmp_path):
    return SqliteStore(tmp_path / "db" / "collector.sqlite")


STORES = [sqlite_store]


@pytest.fixture(params=STORES, ids=lambda f: f.__name__)
def open_store(request, tmp_path):
    made = []

    def opener():
        store = request.param(tmp_path)
        made.append(store)
        return store

    yield opener
    for store in made:
        store.close()


def env(kind, body, sensor="car1", seq=0, **kw):
    return make_envelope(kind, body, sensor=sensor, seq=seq, **kw)


def test_save_is_idempotent_by_message_id(open_store):
    store: Store = open_store()
    a = env("observation", cell_body(1), seq=1)
    assert store.save(a, received_utc="2026-11-25T10:00:00.000000Z") is True
    assert store.save(a) is False
    assert store.save({**a, "seq": 99}) is False  # same id: the first copy stays
    assert store.count() == 1 and store.messages() == [a]
    assert len(store.readings()) == 1


def test_save_many_reports_each_and_counts_by_kind_and_sensor(open_store):
    store = open_store()
    batch = [env("observation", cell_body(i), seq=i) for i in range(3)] + [
        env("detection", detection_body(1), seq=3), env("heartbeat", {"uptime_s": 1, "outbox_depth": 0}, seq=4),
        env("status", {"state": "scanning"}, sensor="car2", seq=0),
    ]  # fmt: skip
    assert store.save_many(batch) == [True] * 6
    assert store.save_many(batch[:2] + [env("observation", cell_body(9), seq=5)]) == [False, False, True]
    assert store.count() == 7 and store.count("observation") == 4 and store.count("detection") == 1
    assert store.count(sensor="car2") == 1 and store.count("observation", sensor="car2") == 0
    assert store.save_many([]) == []


def test_messages_come_back_in_arrival_order_with_filters(open_store):
    store = open_store()
    early = env("observation", cell_body(1), seq=1, sent_utc="2026-11-25T08:00:00.000000Z")
    late = env("detection", detection_body(1), seq=2, sent_utc="2026-11-25T09:00:00.000000Z")
    other = env("observation", cell_body(2), sensor="car2", seq=1, sent_utc="2026-11-25T08:30:00.000000Z")
    store.save_many([late, early, other])
    assert store.messages() == [late, early, other]
    assert store.messages(kind="observation") == [early, other]
    assert store.messages(sensor="car1", since_utc="2026-11-25T08:30:00.000000Z") == [late]
    assert store.messages(limit=1) == [late]


def test_messages_page_by_offset_and_limit(open_store):
    store = open_store()
    batch = [
        env("detection" if i % 3 else "observation", detection_body(i) if i % 3 else cell_body(i), seq=i)
        for i in range(15)
    ]
    store.save_many(batch)
    detections = [e for e in batch if e["kind"] == "detection"]
    assert store.messages(kind="detection") == detections and len(detections) == 10
    assert store.messages(kind="detection", offset=3) == detections[3:]
    assert store.messages(kind="detection", offset=3, limit=4) == detections[3:7]
    assert store.messages(kind="detection", offset=8, limit=4) == detections[8:]
    assert store.messages(kind="detection", offset=10) == [] and store.messages(kind="detection", limit=0) == []
    assert store.messages(offset=14) == batch[14:]


def test_readings_flatten_observations_and_detections(open_store):
    store = open_store()
    obs = env("observation", cell_body(5, rssi_dbm=-71.5, t_utc="2026-11-25T10:00:01.000000Z"), seq=1)
    det = env("detection", detection_body(5, position=None), seq=2, sent_utc="2026-11-25T10:00:02.000000Z")
    store.save_many([obs, det, env("heartbeat", {"uptime_s": 1, "outbox_depth": 0}, seq=3)])
    r_obs, r_det = store.readings()
    assert isinstance(r_obs, Reading) and len(store.readings()) == 2  # heartbeats are no readings
    assert (r_obs.message_id, r_obs.sensor, r_obs.kind, r_obs.time_utc) == (
        obs["id"],
        "car1",
        "observation",
        "2026-11-25T10:00:01.000000Z",
    )
    assert (r_obs.arfcn, r_obs.bsic, r_obs.mcc, r_obs.mnc, r_obs.lac, r_obs.cell_id) == (6, 5, "262", "01", 1005, 5)
    assert (r_obs.lat_deg, r_obs.lon_deg, r_obs.rssi_dbfs, r_obs.rssi_dbm, r_obs.snr_db, r_obs.freq_offset_hz) == (
        48.137, 11.575, -30.5, -71.5, 18.2, 812.0)  # fmt: skip
    assert (r_obs.verdict, r_obs.score, r_obs.body) == ("normal", 0.0, obs["body"])
    assert r_det.time_utc == "2026-11-25T10:00:02.000000Z"  # no t_utc in the body: the sending time
    assert r_det.lat_deg is None and r_det.rssi_dbfs is None and r_det.verdict == "fake" and r_det.score == 0.97
    assert store.readings(arfcn=6, bsic=5, cell_id=5) == [r_obs, r_det]
    assert store.readings(arfcn=7) == [] and store.readings(since_utc="2026-11-25T10:00:02.000000Z") == [r_det]


def test_sensors_are_tracked(open_store):
    store = open_store()
    store.save_many([env("status", {"state": "a"}, seq=5), env("status", {"state": "b"}, seq=3),
                     env("status", {"state": "c"}, sensor="car2", seq=0)],
                    received_utc="2026-11-25T10:00:00.000000Z")  # fmt: skip
    store.save(env("status", {"state": "d"}, seq=6), received_utc="2026-11-25T11:00:00.000000Z")
    car1, car2 = store.sensors()
    assert (car1.sensor, car1.messages, car1.last_seq) == ("car1", 3, 6)
    assert (car1.first_seen_utc, car1.last_seen_utc) == ("2026-11-25T10:00:00.000000Z", "2026-11-25T11:00:00.000000Z")
    assert (car2.sensor, car2.messages, car2.last_seq) == ("car2", 1, 0)


def test_concurrent_readers_while_saving(open_store):
    store = open_store()
    errors = []

    def read():
        try:
            for _ in range(200):
                store.count()
                store.readings(limit=5)
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(20):
        store.save_many([env("observation", cell_body(i * 10 + k), seq=i * 10 + k) for k in range(10)])
    reader.join(60)
    assert errors == [] and store.count() == 200


def test_closed_store_refuses_with_a_store_error(open_store):
    store = open_store()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count()
    assert issubclass(StoreError, SensorError)


# ------------------------------------------------------------------ SQLite specifics


def test_sqlite_persists_and_records_its_schema_version(tmp_path):
    path = tmp_path / "c.sqlite"
    with SqliteStore(path) as store:
        store.save(env("detection", detection_body(1)))
    with SqliteStore(path) as store:
        assert store.count("detection") == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"readings_cell", "readings_time"} <= indexes
        conn.execute("INSERT INTO schema_version VALUES (?, 'x')", (SCHEMA_VERSION + 1,))
    with pytest.raises(
        StoreError, match=f"schema version {SCHEMA_VERSION + 1}; this fbs-sensor knows up to {SCHEMA_VERSION}"
    ):
        SqliteStore(path)


def test_sqlite_unusable_paths_are_one_line_errors(tmp_path):
    with pytest.raises(StoreError, match="cannot open database /proc/no/such/c.sqlite"):
        SqliteStore("/proc/no/such/c.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"definitely not sqlite" * 200)
    with pytest.raises(StoreError, match="cannot open database .*junk.sqlite: file is not a database"):
        SqliteStore(junk)


def test_sqlite_write_failure_is_a_store_error(tmp_path):
    store = SqliteStore(tmp_path / "c.sqlite")
    with sqlite3.connect(tmp_path / "c.sqlite") as other:
        other.execute("DROP TABLE readings")
    with pytest.raises(StoreError, match="saving 1 message"):
        store.save(env("observation", cell_body(1)))
    assert store.count() == 0  # rolled back whole
    store.close()


def _seven(store):
    """Seven readings of three transmitters by two sensors, 10 s apart, along a line of latitude."""
    envs = []
    for i in range(7):
        arfcn_bsic = {0: (64, 17), 1: (64, 17), 2: (10, 3), 3: (64, 17), 4: (10, 3), 5: (20, 1), 6: (64, 17)}[i]
        verdict = {64: "fake", 10: "normal", 20: "normal"}[arfcn_bsic[0]]
        if i == 1:
            verdict = "suspicious"
        position = {"lat_deg": 48.0 + 0.01 * i, "lon_deg": 11.5, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}
        reasons = [{"rule": "r", "weight": 0.5, "detail": f"reading {i}"}] if verdict != "normal" else []
        body = cell_body(
            0,
            arfcn=arfcn_bsic[0],
            bsic=arfcn_bsic[1],
            cell_id=arfcn_bsic[0],
            t_utc=f"2026-11-25T10:00:{10 * i:02d}.000Z",
            position=position,
            verdict=verdict,
            reasons=reasons,
        )
        envs.append(env("observation", body, sensor=f"car{1 + i % 2}", seq=i))
    store.save_many(envs)
    return envs


def test_readings_by_time_window_box_newest_and_without_bodies(open_store):
    store = open_store()
    envs = _seven(store)
    ids = lambda rs: [envs.index(next(e for e in envs if e["id"] == r.message_id)) for r in rs]  # noqa: E731
    assert ids(store.readings(since_utc="2026-11-25T10:00:20.000Z", until_utc="2026-11-25T10:00:40.000Z")) == [2, 3, 4]
    assert ids(store.readings(within=(48.015, 11.0, 48.045, 12.0))) == [2, 3, 4]
    assert store.readings(within=(48.015, 11.6, 48.045, 12.0)) == []
    assert ids(store.readings(newest=3)) == [4, 5, 6]  # the newest three, oldest first
    assert ids(store.readings(arfcn=64, newest=2)) == [3, 6]
    assert ids(store.readings(limit=2)) == [0, 1]
    light = store.readings(with_body=False)
    full = store.readings()
    assert [r.body for r in light] == [{}] * 7
    assert [(r.message_id, r.lat_deg, r.rssi_dbfs, r.verdict) for r in light] == [
        (r.message_id, r.lat_deg, r.rssi_dbfs, r.verdict) for r in full]  # fmt: skip


def test_transmitter_summaries_match_the_readings(open_store):
    from sensor.collector.transmitters import transmitters

    store = open_store()
    _seven(store)
    summaries = {s.key: s for s in store.transmitter_summaries()}
    every = transmitters(store.readings())
    assert set(summaries) == {t.key for t in every}
    for t in every:
        s = summaries[t.key]
        assert s.n_readings == len(t.readings)
        assert (s.first_utc, s.last_utc) == (t.readings[0].time_utc, t.readings[-1].time_utc)
        assert s.verdicts == dict(t.verdicts)
        assert s.sensors == sorted(t.sensors)
        assert s.latest_reasons == list(t.latest.body.get("reasons") or [])
    fake = summaries[("262", "01", 1000, 64, 64, 17)]
    assert fake.verdicts == {"fake": 3, "suspicious": 1} and fake.sensors == ["car1", "car2"]
    assert fake.latest_reasons[0]["detail"] == "reading 6"
