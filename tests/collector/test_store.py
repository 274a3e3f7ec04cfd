"""The collector's Store interface, run against every implementation (SQLite now; add PostgreSQL to STORES)."""

from __future__ import annotations

import sqlite3
import threading

import pytest

import sensor.collector.rows as rows_module
import sensor.collector.sqlite_store as sqlite_module
import sensor.collector.store as store_module
from sensor.collector.rows import CarrierActivity, Reading, StoredSession, StoredSms
from sensor.collector.sqlite_store import SCHEMA_VERSION, SqliteStore
from sensor.collector.store import Store, StoreError
from sensor.errors import SensorError
from sensor.publish.envelope import decode, encode, make_envelope
from tests.publish.transport import cell_body, detection_body, session_body, sms_body


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


def test_readings_with_some_body_keys_carry_only_those_the_body_has(open_store):
    """``body_keys``: the database picks the keys out of each body (the run's final localisation
    over an hour's readings without their whole bodies); a key a body lacks is left out, values
    come back as stored (lists, numbers, text with quotes and backslashes), and only plain names
    are accepted as keys."""
    store = open_store()
    envs = []
    for i, extra in enumerate([{"searched_arfcns": [64, 10, 975]}, {}, {"searched_arfcns": []}]):
        body = cell_body(0, arfcn=64, bsic=17, cell_id=64, t_utc=f"2026-11-25T10:00:0{i}.000Z", verdict="fake")
        body |= extra | {"note": 'a "quoted" \\ text'}
        envs.append(env("observation", body, sensor="car1", seq=i))
    store.save_many(envs)
    full = store.readings()
    some = store.readings(body_keys=("searched_arfcns", "note", "verdict"))
    assert [r.body for r in some] == [
        {k: r.body[k] for k in ("searched_arfcns", "note", "verdict") if k in r.body} for r in full
    ]
    assert some[0].body["searched_arfcns"] == [64, 10, 975] and "searched_arfcns" not in some[1].body
    assert some[2].body["searched_arfcns"] == []
    assert [(r.message_id, r.rssi_dbfs) for r in some] == [(r.message_id, r.rssi_dbfs) for r in full]
    with pytest.raises(ValueError, match="plain names"):
        store.readings(body_keys=("x') OR 1=1 --",))


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


# ------------------------------------------------------------------ phones' sessions and SMS (migration 3)


def _phone_traffic():
    """Two sensors' sessions and SMS: car1 on the fake 64/17 (phones 0-3, phone 1 twice), car2 on 64/17
    before its identity was decoded and on another carrier 70/5."""
    envs = []
    for i in range(4):
        envs.append(env("session", session_body(i), seq=2 * i))
        envs.append(env("sms", sms_body(i), seq=2 * i + 1))
    envs.append(
        env(
            "session",
            session_body(4, phone="k1:0000000000000001", cause=None, result="incomplete", complete=False, sms=0),
            seq=8,
        )
    )
    envs.append(
        env(
            "session",
            session_body(5, mcc=None, mnc=None, lac=None, cell_id=None, position=None, t_utc=None),
            sensor="car2",
            seq=0,
            sent_utc="2026-12-07T11:00:00.000000Z",
        )
    )
    envs.append(
        env("sms", sms_body(6, arfcn=70, bsic=5, session=None, phone=None, coding="gsm7"), sensor="car2", seq=1)
    )
    return envs


def test_sessions_and_sms_are_flattened_and_read_back(open_store):
    store = open_store()
    envs = _phone_traffic()
    assert store.save_many(envs) == [True] * len(envs)
    assert store.save_many(envs[:3]) == [False] * 3  # resends: stored once
    assert store.count("session") == 6 and store.count("sms") == 5 and store.readings() == []
    sessions = store.sessions()
    assert len(sessions) == 6 and all(isinstance(s, StoredSession) for s in sessions)
    first = sessions[0]
    assert (first.message_id, first.sensor, first.session_id, first.time_utc) == (
        envs[0]["id"],
        "car1",
        "01JEZ0RUN0000000000000000-64-17-0",
        "2026-12-07T10:00:00.000000Z",
    )
    assert (first.arfcn, first.bsic, first.mcc, first.mnc, first.lac, first.cell_id) == (64, 17, "460", "00", 9999, 1)
    assert (first.phone, first.procedure, first.result, first.cause, first.ciphered, first.complete, first.n_sms) == (
        "k1:0000000000000000",
        "location_update",
        "lu_reject",
        13,
        False,
        True,
        1,
    )
    assert (first.lat_deg, first.lon_deg, first.identities, first.body) == (31.2304, 121.4737, "keyed", envs[0]["body"])
    assert first.key == ("460", "00", 9999, 1, 64, 17)
    late = sessions[-1]  # no t_utc: the sending time; unknown identity and position stay None
    assert (late.sensor, late.time_utc, late.mcc, late.cell_id, late.lat_deg) == (
        "car2",
        "2026-12-07T11:00:00.000000Z",
        None,
        None,
        None,
    )
    assert [s.complete for s in sessions] == [True, True, True, True, False, True]
    assert isinstance(sessions[4].ciphered, bool) and isinstance(sessions[4].complete, bool)
    sms = store.sms()
    assert len(sms) == 5 and all(isinstance(m, StoredSms) for m in sms)
    m = sms[1]
    assert (m.message_id, m.session_id, m.phone, m.sender, m.sender_type, m.coding, m.time_utc) == (
        envs[3]["id"],
        "01JEZ0RUN0000000000000000-64-17-1",
        "k1:0000000000000001",
        "10086",
        "national",
        "ucs2",
        "2026-12-07T10:00:01.500000Z",
    )
    assert (
        m.text == "【中国移动】积分兑换 1: http://10086-jf.example/" and m.lat_deg is None and m.body == envs[3]["body"]
    )
    other = store.sms(arfcn=70)
    assert [(o.bsic, o.session_id, o.phone, o.coding) for o in other] == [(5, None, None, "gsm7")]


def test_sessions_and_sms_filters(open_store):
    store = open_store()
    envs = _phone_traffic()
    store.save_many(envs)
    ids = lambda rows: [r.message_id for r in rows]  # noqa: E731
    assert ids(store.sessions(arfcn=64, bsic=17, since_utc="2026-12-07T10:00:02.000000Z")) == [
        envs[4]["id"],
        envs[6]["id"],
        envs[8]["id"],
        envs[9]["id"],
    ]
    window = {"since_utc": "2026-12-07T10:00:01.000000Z", "until_utc": "2026-12-07T10:00:02.000000Z"}
    assert ids(store.sessions(**window)) == [envs[2]["id"], envs[4]["id"]]
    assert ids(store.sessions(limit=2)) == [envs[0]["id"], envs[2]["id"]]
    assert ids(store.sessions(phone="k1:0000000000000001")) == [envs[2]["id"], envs[8]["id"]]
    assert ids(store.sessions(sensor="car2")) == [envs[9]["id"]]
    assert store.sessions(arfcn=64, bsic=18) == [] and store.sessions(arfcn=70) == []
    assert ids(store.sms(arfcn=64, bsic=17, limit=3)) == [envs[1]["id"], envs[3]["id"], envs[5]["id"]]
    assert ids(store.sms(since_utc="2026-12-07T10:00:03.000000Z")) == [envs[7]["id"], envs[10]["id"]]
    assert ids(store.sms(arfcn=70, bsic=5)) == [envs[10]["id"]] and store.sms(phone="k1:ffffffffffffffff") == []
    # the newest N, still oldest first (the dashboard's latest SMS of a transmitter)
    assert ids(store.sms(arfcn=64, bsic=17, newest=2)) == [envs[5]["id"], envs[7]["id"]]
    assert ids(store.sessions(newest=1)) == [envs[9]["id"]]


def test_activity_per_transmitter(open_store):
    store = open_store()
    store.save_many(_phone_traffic())
    by_key = {a.key: a for a in store.activity()}
    assert set(by_key) == {
        ("460", "00", 9999, 1, 64, 17),
        (None, None, None, None, 64, 17),
        ("460", "00", 9999, 1, 70, 5),
    }
    fake = by_key[("460", "00", 9999, 1, 64, 17)]
    assert isinstance(fake, CarrierActivity)
    assert (fake.sessions, fake.phones, fake.sms) == (5, 4, 4)  # phone 1 twice: 4 distinct phones
    assert (fake.first_utc, fake.last_utc) == ("2026-12-07T10:00:00.000000Z", "2026-12-07T10:00:04.000000Z")
    unknown = by_key[(None, None, None, None, 64, 17)]
    assert (unknown.sessions, unknown.phones, unknown.sms) == (1, 1, 0)
    other = by_key[("460", "00", 9999, 1, 70, 5)]
    assert (other.sessions, other.phones, other.sms) == (0, 0, 1)
    recent = {a.key: a for a in store.activity(since_utc="2026-12-07T10:00:03.000000Z")}
    assert (recent[fake.key].sessions, recent[fake.key].sms) == (2, 1)
    assert {a.key for a in store.activity(sensor="car2")} == {unknown.key, other.key}
    assert store.activity(since_utc="2027-01-01T00:00:00Z") == []


def test_hostile_sms_text_is_stored_literally(open_store):
    store = open_store()
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; \u202e\'; DROP TABLE sms; -- 伪基站 \\'
    body = sms_body(0, text=text, sender="<b>BANK</b>", sender_type="alphanumeric")
    nul = sms_body(1, text="before\x00after", sender="a\x00b")  # UCS2 can carry U+0000
    envs = [env("sms", body, seq=0), env("sms", nul, seq=1)]
    wire = [decode(encode(e)) for e in envs]  # as the collector receives them
    assert store.save_many(wire) == [True, True]
    first, second = store.sms()
    assert first.text == text and first.sender == "<b>BANK</b>" and first.body == body
    assert second.text == "before\ufffdafter" and second.sender == "a\ufffdb"  # no backend keeps U+0000 in a column
    assert second.body["text"] == "before\ufffdafter"
    assert store.messages(kind="sms") == envs  # the envelope itself keeps the exact text
    assert store.count("sms") == 2


def check_upgrade_from_version_2(open_at):
    """A store made at schema version 2 (before sessions and SMS) is upgraded in place when opened by
    this version: its messages and readings kept, the new tables usable; opening again changes nothing."""
    old = open_at(2)
    kept = [env("observation", cell_body(1), seq=1), env("detection", detection_body(1), seq=2)]
    assert old.save_many(kept) == [True, True]
    before = (old.messages(), old.readings(), old.sensors())
    assert [v for (v,) in old._query("SELECT version FROM schema_version ORDER BY version", [])] == [1, 2]
    old.close()
    new = open_at(None)
    assert (new.messages(), new.readings(), new.sensors()) == before
    assert [v for (v,) in new._query("SELECT version FROM schema_version ORDER BY version", [])] == list(
        range(1, SCHEMA_VERSION + 1)
    )
    phones = [env("session", session_body(1), seq=3), env("sms", sms_body(1), seq=4)]
    assert new.save_many([*phones, kept[0]]) == [True, True, False]
    assert [s.message_id for s in new.sessions()] == [phones[0]["id"]] and len(new.sms()) == 1
    new.close()
    again = open_at(None)  # idempotent: nothing applied twice, nothing lost
    assert [v for (v,) in again._query("SELECT version FROM schema_version ORDER BY version", [])] == list(
        range(1, SCHEMA_VERSION + 1)
    )
    assert again.count() == 4 and len(again.sessions()) == 1 and len(again.readings()) == 2
    again.close()


def doppler_body(i: int = 0) -> dict:
    """An observation as a moving sensor publishes it: the measured carrier and the velocity."""
    position = {**cell_body(i)["position"], "speed_m_s": 11.1, "heading_deg": 93.5}
    return cell_body(i, freq_hz=935_400_123.4, freq_sd_hz=0.8, position=position)


def test_readings_carry_the_measured_carrier_and_the_velocity(open_store):
    store = open_store()
    moving = env("observation", doppler_body(1), seq=1)
    before = env("observation", cell_body(2), seq=2)  # a body from before: nothing of it known
    store.save_many([moving, before])
    r_moving, r_before = store.readings()
    assert (r_moving.freq_hz, r_moving.freq_sd_hz, r_moving.speed_m_s, r_moving.heading_deg) == (
        935_400_123.4, 0.8, 11.1, 93.5)  # fmt: skip
    assert (r_before.freq_hz, r_before.freq_sd_hz, r_before.speed_m_s, r_before.heading_deg) == (None,) * 4
    assert store.readings(with_body=False)[0].freq_hz == 935_400_123.4  # from the columns, not the body


def check_upgrade_from_version_3(open_at):
    """A store made at schema version 3 (before the Doppler columns) is upgraded in place: its
    readings, sessions and SMS kept, the old readings' new columns NULL, new readings fill them;
    opening again changes nothing."""
    old = open_at(3)
    kept = [env("observation", cell_body(1), seq=1), env("session", session_body(1), seq=2),
            env("sms", sms_body(1), seq=3)]  # fmt: skip
    assert old.save_many(kept) == [True, True, True]
    before = (old.messages(), old.readings(), old.sessions(), old.sms(), old.sensors())
    old.close()
    new = open_at(None)
    assert (new.messages(), new.readings(), new.sessions(), new.sms(), new.sensors()) == before
    assert [v for (v,) in new._query("SELECT version FROM schema_version ORDER BY version", [])] == list(
        range(1, SCHEMA_VERSION + 1)
    )
    assert new.readings()[0].freq_hz is None and new.readings()[0].speed_m_s is None
    moving = env("observation", doppler_body(2), seq=4)
    assert new.save_many([moving, kept[0]]) == [True, False]
    assert new.readings()[-1].freq_sd_hz == 0.8 and new.readings()[-1].heading_deg == 93.5
    new.close()
    again = open_at(None)
    assert [v for (v,) in again._query("SELECT version FROM schema_version ORDER BY version", [])] == list(
        range(1, SCHEMA_VERSION + 1)
    )
    assert again.count() == 4 and len(again.readings()) == 2 and again.readings()[-1].freq_hz == 935_400_123.4
    again.close()


def test_sqlite_upgrades_a_version_3_store_in_place(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite"
    check_upgrade_from_version_3(opener_at_version(monkeypatch, sqlite_module, lambda: SqliteStore(path)))


# the reading columns each migration added (an older fbs-sensor wrote and read only the others)
READING_COLUMNS_ADDED = {4: ("freq_hz", "freq_sd_hz", "speed_m_s", "heading_deg")}


def opener_at_version(monkeypatch, module, make):
    """``open_at(version)``: the store ``make()`` opens when ``module`` knows its migrations up to
    ``version`` (None: all of them), as an older fbs-sensor would have made it: with the reading
    columns of that version only."""
    migrations = module.MIGRATIONS
    columns = rows_module.READING_COLUMNS
    tables = getattr(module, "_TABLES", None)  # PostgreSQL: the flattened tables' columns with their types

    def open_at(version):
        upto = migrations if version is None else tuple(m for m in migrations if m[0] <= version)
        monkeypatch.setattr(module, "MIGRATIONS", upto)
        monkeypatch.setattr(module, "SCHEMA_VERSION", upto[-1][0])
        later = {c for v, added in READING_COLUMNS_ADDED.items() if version is not None and v > version for c in added}
        kept = tuple(c for c in columns if c not in later)
        monkeypatch.setattr(store_module, "READING_COLUMNS", kept)
        monkeypatch.setattr(module, "READING_COLUMNS", kept)
        if tables is not None:
            table, cols, types, row_of = tables[0]
            typed = tuple(t for c, t in zip(cols, types, strict=True) if c in kept)
            monkeypatch.setattr(module, "_TABLES", ((table, kept, typed, row_of), *tables[1:]))
        return make()

    return open_at


def test_sqlite_upgrades_a_version_2_store_in_place(tmp_path, monkeypatch):
    path = tmp_path / "c.sqlite"
    check_upgrade_from_version_2(opener_at_version(monkeypatch, sqlite_module, lambda: SqliteStore(path)))
    with sqlite3.connect(path) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"sessions_carrier", "sessions_phone", "sms_carrier", "sms_phone"} <= indexes
        plan = " ".join(
            str(r)
            for r in conn.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE arfcn = 64 AND bsic = 17 ORDER BY time_utc, pos"
            )
        )
        assert "sessions_carrier" in plan, plan
        plan = " ".join(str(r) for r in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM sms WHERE phone = 'k1:x'"))
        assert "sms_phone" in plan, plan


def test_campaigns_merge_across_sensors_and_days(open_store):
    """One campaign pushed by one fake, heard by car1 on one day and car2 on the next, and another
    campaign from a second fake: two campaigns, the first with both sensors, both days and the ids
    the sensors gave; a text with no text (8-bit data) belongs to none."""
    store = open_store()

    def parcel(i, name, day, sensor):
        text = f"【顺丰速运】{name}您好，您的快递被退回，请登录 http://sf-{i}x.example/ 重新填写，客服400{i:07d}。"
        return env("sms", sms_body(i, text=text, sender="95338", campaign=f"cmp:{sensor}",
                                   t_utc=f"2026-12-0{day}T10:00:{i:02d}.000000Z"), sensor=sensor, seq=i)  # fmt: skip

    envs = [parcel(i, name, 6, "car1") for i, name in enumerate(["张伟", "李娜", "王芳"])]
    envs += [parcel(10 + i, name, 7, "car2") for i, name in enumerate(["刘洋", "陈静"])]
    other = sms_body(20, text="VIP Chen: your 1,888.00 CNY bonus is ready at http://bet-a.example/vip", sender="VIP",
                     arfcn=70, bsic=5, cell_id=2, t_utc="2026-12-07T11:00:00.000000Z")  # fmt: skip
    envs += [env("sms", other, sensor="car2", seq=20), env("sms", sms_body(21, text=None, coding="8bit"), seq=21)]
    store.save_many(envs)
    first, second = store.campaigns()
    assert first.template == "【顺丰速运】{name}您好，您的快递被退回，请登录 {link} 重新填写，客服{number}。"
    assert (first.sms, first.phones, first.sensors, first.senders) == (5, 5, ["car1", "car2"], ["95338"])
    assert (first.first_utc, first.last_utc) == ("2026-12-06T10:00:00.000000Z", "2026-12-07T10:00:11.000000Z")
    assert first.reported_as == ["cmp:car1", "cmp:car2"]
    assert first.stations == [{"mcc": "460", "mnc": "00", "lac": 9999, "cell_id": 1, "arfcn": 64, "bsic": 17, "sms": 5}]
    assert second.template == "VIP Chen: your {amount} bonus is ready at {link}" and second.sensors == ["car2"]
    assert first.as_dict()["type"] == "campaign"
    assert [c.id for c in store.campaigns(sensor="car2")] == [c.id for c in store.campaigns(sensor="car2")]
    assert [c.sms for c in store.campaigns(since_utc="2026-12-07T00:00:00Z")] == [2, 1]


def test_evidence_per_transmitter_states_its_interval(open_store):
    """Fake 64/17: three complete sessions with one SMS each, one seen in part without its SMS, one
    complete with no identity and no SMS; its carrier lost 1 CCCH block in 100 (a reading's activity):
    SMS 3 seen, at most 3 + 1 (the session in part) + 1 per session possibly missed; phones 4 seen,
    1 more (the session without identity) and 1 per session possibly missed."""
    store = open_store()
    sessions = [session_body(i) for i in range(3)]
    sessions += [session_body(3, complete=False, sms=0), session_body(4, phone=None, sms=0)]
    sms = [sms_body(i, category="phishing") for i in range(3)]
    activity = {"sessions": 5, "ccch_blocks_ok": 99, "ccch_blocks_failed": 1}
    cell = cell_body(0, arfcn=64, bsic=17, mcc="460", mnc="00", lac=9999, cell_id=1, activity=activity,
                     t_utc="2026-12-07T10:01:00.000000Z")  # fmt: skip
    envs = [env("session", b, seq=i) for i, b in enumerate(sessions)]
    envs += [env("sms", b, seq=10 + i) for i, b in enumerate(sms)] + [env("observation", cell, seq=30)]
    store.save_many(envs)
    (e,) = store.evidence()
    assert e["station"] == {"mcc": "460", "mnc": "00", "lac": 9999, "cell_id": 1, "arfcn": 64, "bsic": 17}
    missed = e["sessions"]["missed_max"]
    assert missed >= 1 and e["sessions"]["ccch_loss"] == pytest.approx(0.01)
    assert e["sms"]["interval"] == [3, 3 + 1 + missed]  # the session in part: 1 (the other is complete, SMS 0)
    assert e["phones"]["interval"] == [4, 4 + 1 + missed]
    assert e["by_category"] == {"phishing": 3}
    assert e["serious"]["shown"] == f"3 of 5,000 (at most {e['sms']['interval'][1]:,})"
    assert e["serious"]["status"] == "not reached" and e["sensors"] == ["car1"]


PARTIAL = ("460", "01", 9507, None, 64, 17)  # the fake heard before its SI3 was decoded: "LAC 9507 CI ?"
COMPLETE = ("460", "01", 9507, 4242, 64, 17)  # ... and after
ELSEWHERE = ("460", "01", 9507, 4243, 64, 17)  # another identity on its carrier, no reading of it stored


def _ident(key):
    return dict(zip(("mcc", "mnc", "lac", "cell_id"), key[:4], strict=False))


def _one_phone_under_two_identities():
    """car1 hears the fake on 64/17 before its SI3 is decoded, then a minute later (within the merge
    window) with its identity complete: phone 0 in a session under each identity, phone 1 under the
    complete one only, a session without an identity under the partial one, one SMS under each; car2
    stores phone 2's session under a third identity of the carrier that no reading has (the partial
    identity's rows are ambiguous on their own then: ``Store.evidence`` without keys leaves them apart)."""
    at = "2026-12-07T10:0{}.000000Z".format
    envs = [env("observation", cell_body(0, arfcn=64, bsic=17, **_ident(key), verdict="fake", score=0.9,
                                         t_utc=at(f"{m}:0{i}")), seq=10 * m + i)
            for m, key in ((0, PARTIAL), (1, COMPLETE)) for i in range(3)]  # fmt: skip
    sessions = [(PARTIAL, "k1:0000000000000000", "0:01"), (PARTIAL, None, "0:02"),
                (COMPLETE, "k1:0000000000000000", "1:01"), (COMPLETE, "k1:0000000000000001", "1:02")]  # fmt: skip
    for i, (key, phone, t) in enumerate(sessions):
        body = session_body(i, **_ident(key), phone=phone, sms=0 if phone is None else 1, t_utc=at(t))
        envs.append(env("session", body, seq=100 + i))
    for i, key in ((0, PARTIAL), (2, COMPLETE)):
        body = sms_body(i, **_ident(key), phone=sessions[i][1], t_utc=f"2026-12-07T10:0{i // 2}:01.500000Z")
        envs.append(env("sms", body, seq=200 + i))
    envs.append(env("session", session_body(9, **_ident(ELSEWHERE), phone="k1:0000000000000002", t_utc=at("2:00")),
                    sensor="car2", seq=1))  # fmt: skip
    return envs


def test_phones_of_a_transmitter_are_counted_over_the_union_of_its_identities(open_store):
    """Phone 0 seen under the partial identity and again under the complete one is one phone:
    ``phones_of`` counts the keyed hashes over the union of the identities' rows; an unknown field
    of a key matches only unknown fields of a row."""
    store = open_store()
    store.save_many(_one_phone_under_two_identities())
    by_key = {a.key: a for a in store.activity()}
    assert (by_key[PARTIAL].phones, by_key[COMPLETE].phones, by_key[ELSEWHERE].phones) == (1, 2, 1)  # 4 if added
    assert store.phones_of([[PARTIAL, COMPLETE], [COMPLETE], [PARTIAL], [COMPLETE, PARTIAL, ELSEWHERE], []]) == [
        2, 2, 1, 3, 0
    ]  # fmt: skip
    assert store.phones_of([[("460", "01", None, None, 64, 17)], [("460", "01", 9507, None, 64, 18)]]) == [0, 0]
    assert store.phones_of([[PARTIAL, COMPLETE]], since_utc="2026-12-07T10:01:01.5Z") == [1]
    assert store.phones_of([[PARTIAL, COMPLETE]], sensor="car2") == [0]
    assert store.phones_of([[PARTIAL, COMPLETE, ELSEWHERE]], sensor="car2") == [1]


def test_evidence_of_a_transmitter_is_one_record_over_all_its_identities(open_store):
    """Given the transmitters (``keys``), the partial identity's rows are read with its completion's:
    phones 2 seen (phone 0 once), at most 3 (the session without an identity), SMS 2; the identity
    no transmitter owns stands apart. Without keys the ambiguous partial rows stand apart."""
    store = open_store()
    store.save_many(_one_phone_under_two_identities())
    by_station = {tuple(e["station"].values()): e for e in store.evidence(keys=[COMPLETE])}
    assert set(by_station) == {COMPLETE, ELSEWHERE}
    e = by_station[COMPLETE]
    assert (e["phones"]["interval"], e["sms"]["interval"], e["sessions"]["seen"]) == ([2, 3], [2, 2], 4)
    assert (e["first_utc"], e["last_utc"]) == ("2026-12-07T10:00:01.000000Z", "2026-12-07T10:01:02.000000Z")
    assert by_station[ELSEWHERE]["phones"]["interval"] == [1, 1]
    assert {tuple(e["station"].values()) for e in store.evidence()} == {PARTIAL, COMPLETE, ELSEWHERE}


def test_the_dashboard_counts_a_phone_seen_before_and_after_si3_once(open_store):
    """The table's one row for the fake (its partial identity merged into the complete one): phones
    reached 2 in all, per hour and in the last hour, sessions 4 and SMS 2 added, and the evidence
    interval of phones [2, 3] (not 3 and [3, 4]: phone 0 twice)."""
    from sensor.collector.dashboard_table import TransmitterTable

    store = open_store()
    store.save_many(_one_phone_under_two_identities())
    table = TransmitterTable(store)
    (row,) = [t for t in table.build()["transmitters"] if t["arfcn"] == 64]
    assert row["key"] == "460/01/9507/4242/64/17" and row["n_readings"] == 6
    a = row["activity"]
    assert (a["sessions"], a["phones"], a["sms"]) == (4, 2, 2)
    assert (a["phones_per_hour"], a["phones_last_hour"]) == (2.0, 2)
    assert a["evidence"]["phones"] == [2, 3] and a["evidence"]["sms"] == [2, 2]
    store.save_many([env("session", session_body(20, **_ident(PARTIAL), phone="k1:0000000000000001",
                                                 t_utc="2026-12-07T10:00:03.000000Z"), seq=300)])  # fmt: skip
    (row,) = [t for t in table.build()["transmitters"] if t["arfcn"] == 64]  # phone 1 under both now: still 2
    assert (row["activity"]["sessions"], row["activity"]["phones"], row["activity"]["phones_last_hour"]) == (5, 2, 2)


def test_times_of_any_precision_are_stored_in_one_form_and_read_in_time_order(open_store):
    """The envelope allows 0 to 9 digits of fraction; the store keeps six, so that a reading at
    .5 s sorts before one at .500001 s (as strings ".5Z" sorted after ".500001Z") and a window's
    bounds (``since_utc``/``until_utc``) take what lies inside them."""
    store = open_store()
    times = ["2026-11-25T10:00:02.500001Z", "2026-11-25T10:00:02.5Z", "2026-11-25T10:00:02Z",
             "2026-11-25T10:00:02.499999999Z"]  # fmt: skip
    store.save_many([make_envelope("observation", cell_body(i, t_utc=t), sensor="car1", seq=i + 1)
                     for i, t in enumerate(times)])  # fmt: skip
    got = [r.time_utc for r in store.readings()]
    assert got == ["2026-11-25T10:00:02.000000Z", "2026-11-25T10:00:02.499999Z", "2026-11-25T10:00:02.500000Z",
                   "2026-11-25T10:00:02.500001Z"]  # fmt: skip
    for since in ("2026-11-25T10:00:02.500000Z", "2026-11-25T10:00:02.5Z", "2026-11-25T10:00:02.500Z"):
        inside = store.readings(since_utc=since, until_utc="2026-11-25T10:00:02.6Z")
        assert [r.time_utc for r in inside] == got[2:]
    assert [r.time_utc for r in store.readings(until_utc="2026-11-25T10:00:02Z")] == got[:1]
