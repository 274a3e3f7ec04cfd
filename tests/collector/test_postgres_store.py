"""PostgresStore against a real, throwaway PostgreSQL server (tests/pgserver.py; skipped without the binaries).

The Store suite of test_store.py runs here too (its test functions are imported and use this
module's ``open_store`` fixture), then the PostgreSQL specifics: identical results to SqliteStore,
concurrent writers and migrations, a server stopped mid-run, bad DSNs.
"""

from __future__ import annotations

import itertools
import random
import sys
import threading

import pytest

from sensor.collector.alongside import heard_alongside
from sensor.collector.open_store import store_from_url
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import StoreError
from sensor.collector.transmitters import transmitters
from tests.collector.test_alongside import Live, check_live_equals_a_full_read
from tests.collector.test_store import (  # noqa: F401 - collected here against PostgreSQL
    _phone_traffic,
    check_upgrade_from_version_2,
    check_upgrade_from_version_3,
    env,
    opener_at_version,
    test_activity_per_transmitter,
    test_campaigns_merge_across_sensors_and_days,
    test_closed_store_refuses_with_a_store_error,
    test_concurrent_readers_while_saving,
    test_evidence_of_a_transmitter_is_one_record_over_all_its_identities,
    test_evidence_per_transmitter_states_its_interval,
    test_hostile_sms_text_is_stored_literally,
    test_messages_come_back_in_arrival_order_with_filters,
    test_messages_page_by_offset_and_limit,
    test_phones_of_a_transmitter_are_counted_over_the_union_of_its_identities,
    test_readings_by_time_window_box_newest_and_without_bodies,
    test_readings_carry_the_measured_carrier_and_the_velocity,
    test_readings_flatten_observations_and_detections,
    test_save_is_idempotent_by_message_id,
    test_save_many_reports_each_and_counts_by_kind_and_sensor,
    test_sensors_are_tracked,
    test_sessions_and_sms_are_flattened_and_read_back,
    test_sessions_and_sms_filters,
    test_the_dashboard_counts_a_phone_seen_before_and_after_si3_once,
    test_transmitter_summaries_match_the_readings,
)
from tests.pgserver import PgServer, find_pg_bin
from tests.publish.transport import cell_body, detection_body

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 not installed (pip install 'fbs-sensor[postgres]')")
import sensor.collector.postgres_store as postgres_module  # noqa: E402
from sensor.collector.postgres_store import SCHEMA_VERSION, PostgresStore  # noqa: E402

_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: set PG_BIN or install postgresql")
    server = PgServer.start(fsync=False)
    yield server
    server.destroy()


@pytest.fixture
def pg_dsn(pg_server):
    """A fresh, empty database on the session's server."""
    return pg_server.create_database(f"t{next(_names)}")


@pytest.fixture
def open_store(pg_dsn):
    made = []

    def opener():
        store = PostgresStore(pg_dsn)
        made.append(store)
        return store

    yield opener
    for store in made:
        store.close()


def mixed_batch():
    """Observations, detections (with and without t_utc/position), heartbeats and status from three sensors."""
    out = []
    for i in range(30):
        sensor = f"car{i % 3}"
        if i % 5 == 4:
            out.append(
                env(
                    "detection",
                    detection_body(i, position=None),
                    sensor=sensor,
                    seq=i,
                    sent_utc=f"2026-11-25T10:00:{i:02d}.000000Z",
                )
            )
        elif i % 7 == 6:
            out.append(env("heartbeat", {"uptime_s": i, "outbox_depth": 0}, sensor=sensor, seq=i))
        else:
            t = f"2026-11-25T09:59:{59 - i:02d}.500000Z" if i % 2 else None  # out of arrival order, some equal times
            out.append(
                env(
                    "observation",
                    cell_body(i % 4, rssi_dbm=-70.0 - i, **({"t_utc": t} if t else {})),
                    sensor=sensor,
                    seq=i,
                )
            )
    out.append(env("status", {"state": "scanning", "note": "ünïcode ✓"}, sensor="car9", seq=0))
    return out


def test_results_are_identical_to_sqlite(open_store, tmp_path):
    pg, lite = open_store(), SqliteStore(tmp_path / "c.sqlite")
    batch = mixed_batch()
    received = "2026-11-25T10:00:00.000000Z"
    for store in (pg, lite):
        assert store.save_many(batch[:20], received_utc=received) == [True] * 20
        assert (
            store.save_many(batch[10:] + batch[:3], received_utc=received) == [False] * 10 + [True] * 11 + [False] * 3
        )
        store.save(batch[25], received_utc="2026-11-25T11:00:00.000000Z")
    assert pg.count() == lite.count() == len(batch)
    for kind in ("observation", "detection", "heartbeat", "status", None):
        assert pg.count(kind) == lite.count(kind) and pg.count(kind, sensor="car1") == lite.count(kind, sensor="car1")
    assert pg.messages() == lite.messages() == batch
    assert pg.messages(kind="detection", since_utc="2026-11-25T10:00:10.000000Z", limit=3) == lite.messages(
        kind="detection", since_utc="2026-11-25T10:00:10.000000Z", limit=3)  # fmt: skip
    assert pg.readings() == lite.readings() and len(pg.readings()) == 26
    for query in ({"arfcn": 2}, {"arfcn": 2, "bsic": 1}, {"cell_id": 3}, {"bsic": 0, "cell_id": 0},
                  {"since_utc": "2026-11-25T09:59:40"}, {"arfcn": 1, "limit": 2}, {"arfcn": 99}):  # fmt: skip
        assert pg.readings(**query) == lite.readings(**query), query
    keys = ("verdict", "reasons", "searched_arfcns", "rssi_dbm")  # the body's subset, as the run's report reads it
    assert pg.readings(body_keys=keys) == lite.readings(body_keys=keys)
    assert all(set(r.body) <= set(keys) and "verdict" in r.body for r in pg.readings(body_keys=keys))
    assert pg.sensors() == lite.sensors() and [s.sensor for s in pg.sensors()] == ["car0", "car1", "car2", "car9"]
    lite.close()


def test_sessions_and_sms_are_identical_to_sqlite(open_store, tmp_path):
    pg, lite = open_store(), SqliteStore(tmp_path / "c.sqlite")
    batch = _phone_traffic() + mixed_batch()[:8]
    for store in (pg, lite):
        assert store.save_many(batch) == [True] * len(batch)
        assert store.save_many(batch[3:6]) == [False] * 3
    assert pg.sessions() == lite.sessions() and pg.sms() == lite.sms() and len(pg.sessions()) == 6
    for query in (
        {"arfcn": 64},
        {"arfcn": 64, "bsic": 17, "limit": 2},
        {"phone": "k1:0000000000000001"},
        {"since_utc": "2026-12-07T10:00:02.000000Z"},
        {"sensor": "car2"},
        {"arfcn": 99},
    ):
        assert pg.sessions(**query) == lite.sessions(**query), query
        assert pg.sms(**query) == lite.sms(**query), query
    key = lambda a: tuple("" if v is None else v for v in a.key)  # noqa: E731
    assert sorted(pg.activity(), key=key) == sorted(lite.activity(), key=key)
    lite.close()


def test_upgrades_a_version_2_store_in_place(pg_dsn, monkeypatch):
    check_upgrade_from_version_2(opener_at_version(monkeypatch, postgres_module, lambda: PostgresStore(pg_dsn)))
    with psycopg.connect(pg_dsn) as conn:
        indexes = {
            r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename IN ('sessions', 'sms')")
        }
        assert {"sessions_carrier", "sessions_phone", "sms_carrier", "sms_phone"} <= indexes
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'sessions'"
            ).fetchall()
        )
        assert (types["body"], types["ciphered"], types["complete"]) == ("jsonb", "boolean", "boolean")
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT * FROM sessions WHERE arfcn = 64 AND bsic = 17 ORDER BY time_utc, pos"
            )
        )
        assert "sessions_carrier" in plan, plan


def test_upgrades_a_version_3_store_in_place(pg_dsn, monkeypatch):
    check_upgrade_from_version_3(opener_at_version(monkeypatch, postgres_module, lambda: PostgresStore(pg_dsn)))


def test_duplicates_within_and_across_batches_are_stored_once(open_store):
    store = open_store()
    a, b = env("observation", cell_body(1), seq=1), env("observation", cell_body(2), seq=2)
    assert store.save_many([a, a, b, a]) == [True, False, True, False]
    assert store.save_many([b, a]) == [False, False]
    assert store.count() == 2 and len(store.readings()) == 2 and store.sensors()[0].messages == 2


def test_two_writers_with_overlapping_ids_store_each_once(open_store):
    stores = [open_store(), open_store()]
    envelopes = [env("observation", cell_body(i), sensor=f"car{i % 4}", seq=i) for i in range(600)]
    results: list[list[bool]] = [[], []]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(k: int) -> None:
        mine = envelopes[:400] if k == 0 else envelopes[200:]  # 200 ids in common
        mine = list(mine)
        random.Random(k).shuffle(mine)  # different orders: would deadlock without a shared lock order
        start.wait()
        try:
            for i in range(0, len(mine), 25):
                results[k] += stores[k].save_many(
                    mine[i : i + 25] + mine[max(0, i - 5) : i]
                )  # resends inside a batch too
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(results[0]) + sum(results[1]) == 600  # each id reported new exactly once
    assert stores[0].count() == 600 and len(stores[1].readings()) == 600
    assert sorted(m["id"] for m in stores[0].messages()) == sorted(e["id"] for e in envelopes)
    assert sum(s.messages for s in stores[0].sensors()) == 600
    assert {s.sensor: s.last_seq for s in stores[0].sensors()} == {f"car{k}": 596 + k for k in range(4)}


def test_migrations_apply_once_when_stores_open_at_once(pg_dsn):
    n = 6
    start, opened, errors = threading.Barrier(n), [], []

    def open_one() -> None:
        start.wait()
        try:
            opened.append(PostgresStore(pg_dsn))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(opened) == n
    opened[0].save(env("detection", detection_body(1)))
    assert all(s.count() == 1 for s in opened)
    for s in opened:
        s.close()
    PostgresStore(pg_dsn).close()  # reopening an up-to-date database changes nothing
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall() == [
            (v,) for v in range(1, SCHEMA_VERSION + 1)]  # fmt: skip


def test_schema_indexes_and_jsonb(open_store, pg_dsn):
    open_store()
    with psycopg.connect(pg_dsn) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'readings'")}
        assert {"readings_cell", "readings_cell_id", "readings_time"} <= indexes
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'readings'"
            ).fetchall()
        )
        assert types["body"] == "jsonb"
        # the cell query uses the index (planner told to avoid sequential scans, as it would on a big table)
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(
            r[0]
            for r in conn.execute("EXPLAIN SELECT * FROM readings WHERE arfcn = 5 AND bsic = 3 ORDER BY time_utc, pos")
        )
        assert "readings_cell" in plan
        conn.execute("INSERT INTO schema_version VALUES (%s, 'x')", (SCHEMA_VERSION + 1,))
    with pytest.raises(
        StoreError, match=f"schema version {SCHEMA_VERSION + 1}; this fbs-sensor knows up to {SCHEMA_VERSION}"
    ):
        PostgresStore(pg_dsn)


def test_server_stopped_mid_run_then_back(open_store, pg_server):
    store = open_store()
    first = env("observation", cell_body(1), seq=1)
    assert store.save(first) is True
    pg_server.stop()
    try:
        with pytest.raises(StoreError) as lost:
            store.save_many([env("observation", cell_body(2), seq=2)])  # the collector must not ack this
        assert "\n" not in str(lost.value) and "saving 1 message" in str(lost.value)
        with pytest.raises(StoreError, match="cannot connect to database postgresql://fbs@/"):
            store.count()  # still down: each call tries again and fails cleanly
    finally:
        pg_server.start_again()
    retry = env("observation", cell_body(2), seq=2)
    assert store.save_many([retry, first]) == [True, False]  # reconnected
    assert store.count() == 2


def test_lost_batch_is_not_half_stored(open_store, pg_server):
    store = open_store()
    first = env("observation", cell_body(1), seq=1)
    store.save(first)
    pg_server.stop()
    batch = [env("observation", cell_body(i), seq=i) for i in range(2, 6)]
    try:
        with pytest.raises(StoreError):
            store.save_many(batch)
    finally:
        pg_server.start_again()
    assert store.count() == 1  # nothing of the failed batch
    assert store.save_many(batch + [first]) == [True] * 4 + [False]  # the resend is stored whole, reconnected
    assert store.count() == 5 and store.sensors()[0].messages == 5


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://fbs:s3cr%40t-pw@127.0.0.1:1/fbs",
        "host=127.0.0.1 port=1 user=fbs password=s3cr@t-pw dbname=fbs",
        "host=127.0.0.1 port=1 password=s3cr@t-pw junk",
    ],
)
def test_bad_dsn_is_one_line_without_the_password(dsn):
    with pytest.raises(StoreError) as err:
        PostgresStore(dsn, connect_timeout_s=2)
    text = str(err.value)
    assert "\n" not in text and "s3cr" not in text and "%40" not in text
    assert text.startswith("cannot connect to database ") and ("127.0.0.1" in text)


def test_wrong_database_name_names_the_dsn(pg_server):
    with pytest.raises(
        StoreError, match=r'cannot connect to database postgresql://fbs@/nosuch\?.*"nosuch" does not exist'
    ):
        PostgresStore(pg_server.dsn("nosuch", password="hunter2"))


def test_store_from_url(pg_dsn, tmp_path):
    with store_from_url(pg_dsn) as store:
        assert isinstance(store, PostgresStore)
    with store_from_url(pg_dsn.replace("postgresql://", "postgres://")) as store:
        assert isinstance(store, PostgresStore)
    with store_from_url(str(tmp_path / "x" / "c.sqlite")) as store:
        assert isinstance(store, SqliteStore)
    with store_from_url(tmp_path / "y.sqlite") as store:
        assert isinstance(store, SqliteStore)


def test_missing_psycopg_is_a_one_line_store_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    with pytest.raises(StoreError, match=r"needs psycopg 3: pip install 'fbs-sensor\[postgres\]'"):
        PostgresStore("postgresql://x@/y")


def test_live_suspects_equal_a_full_read_after_every_batch(open_store):
    check_live_equals_a_full_read(open_store())


def test_a_batch_committed_after_a_later_one_still_reaches_the_live_table(open_store, pg_dsn):
    """Positions come when rows are inserted, visibility when their transaction commits: collector A
    takes the lower position but commits after collector B (A held at car1's sensors row by a row
    lock). The dashboard's refresh in between sees only B's; the next one still gets A's (its
    summaries and the cells alongside the fake), which reading strictly after the highest position
    seen (``late_positions = 0``) misses."""
    position = {"lat_deg": 31.0, "lon_deg": 121.0, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}

    def obs(arfcn, sensor, second, seq, verdict="normal"):
        return env("observation",
                   cell_body(0, arfcn=arfcn, bsic=1, cell_id=arfcn, position=position, verdict=verdict,
                             t_utc=f"2026-11-25T10:00:{second:02d}.000000Z"),
                   sensor=sensor, seq=seq)  # fmt: skip

    a, b, watcher, naive = open_store(), open_store(), open_store(), open_store()
    naive.late_positions = 0
    a.save(obs(64, "car1", 10, 1, "fake"))
    live, live0 = Live(watcher), Live(naive)

    def seen(lv):
        summaries, suspects = lv.refresh()
        (fake,) = suspects.values()
        return sorted(s.arfcn for s in summaries), sorted(t.arfcn for t in fake.among)

    assert seen(live) == seen(live0) == ([64], [64])
    with psycopg.connect(pg_dsn) as blocker:
        blocker.execute("SELECT * FROM sensors WHERE sensor = 'car1' FOR UPDATE")
        late = threading.Thread(target=a.save, args=(obs(12, "car1", 12, 2),))  # beside the fake: it counts
        late.start()
        for _ in range(200):  # until A holds its position and waits for the lock
            if blocker.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("collector A never waited for the lock")
        b.save(obs(13, "car2", 13, 1))  # a later position, committed first
        assert seen(live) == seen(live0) == ([13, 64], [64])
        blocker.rollback()  # A goes on and commits
    late.join(10)
    assert seen(live) == ([12, 13, 64], [12, 64])
    assert seen(live0) == ([13, 64], [64])  # lost without the re-read
    assert sorted(s.arfcn for s in watcher.transmitter_summaries()) == [12, 13, 64]
    fake = [t for t in transmitters(watcher.readings()) if t.arfcn == 64]
    assert sorted(t.arfcn for t in heard_alongside(watcher, fake)) == [12, 64]
