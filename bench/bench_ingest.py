"""Collector store ingest and query speed: SQLite and PostgreSQL through the ``Store`` interface.

    python bench/bench_ingest.py [--rows 1000000] [--threads 5] [--batch 100] [--backends sqlite,postgres] [--shared]

Ingest: --threads writer threads each call ``save_many`` with batches of --batch cell
observations (~1.2 KB envelopes shaped like a real cell: SI octets, 40 parameters, position)
until --rows readings are stored in all. Each thread has its own store object (as several
collector processes would; --shared: one store for all, as one collector's threads). The first
envelope of each thread is built and validated with ``make_envelope``; the rest are copies with a
fresh id, seq, time and cell (arfcn 1-124, bsic 0-63, cell id, so a ``readings(arfcn, bsic)``
query returns ~rows/7,936 readings). Printed: readings/s (wall clock), and per-batch commit times.

Queries after the load: ``readings(arfcn=…, bsic=…)`` for random cells and ``count()``, median and
p95 latency (PostgreSQL: also after ``VACUUM ANALYZE``, as autovacuum would do later).

PostgreSQL runs as a throwaway server (tests/pgserver.py: initdb in /tmp, Unix socket only,
fsync on, default settings). One JSON object per line on standard output.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_transport import cell
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import Store
from sensor.publish.envelope import make_envelope, new_message_id, utc_now_iso


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def batches(thread: int, rows: int, batch: int, base_s: float) -> Any:
    """This thread's batches of observation envelopes (copies of one validated template)."""
    template = make_envelope("observation", cell(thread), sensor=f"car{thread}", seq=0)
    rng = random.Random(thread)
    seq = 0
    for start in range(0, rows, batch):
        out = []
        for _ in range(min(batch, rows - start)):
            seq += 1
            i = rng.randrange(1 << 30)
            body = {**template["body"], "arfcn": 1 + i % 124, "bsic": (i >> 7) % 64, "cell_id": i % 65536,
                    "t_utc": utc_now_iso(base_s + seq * 0.01 + thread * 1e-4)}  # fmt: skip
            out.append({**template, "id": new_message_id(), "seq": seq, "sent_utc": body["t_utc"], "body": body})
        yield out


def ingest(open_store: Any, rows: int, threads: int, batch: int, shared: bool) -> dict[str, Any]:
    stores = [open_store()] * threads if shared else [open_store() for _ in range(threads)]
    commits: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    share = [rows // threads + (k < rows % threads) for k in range(threads)]
    base_s = time.time() - 86400

    def write(k: int) -> None:
        mine = []
        try:
            for b in batches(k, share[k], batch, base_s):
                t0 = time.perf_counter()
                new = stores[k].save_many(b)
                mine.append(time.perf_counter() - t0)
                assert all(new)
        except BaseException as exc:  # noqa: BLE001 - a writer thread's failure is reported in the result
            errors.append(exc)
        with lock:
            commits.extend(mine)

    workers = [threading.Thread(target=write, args=(k,)) for k in range(threads)]
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - t0
    for s in set(stores):
        s.close()
    commits.sort()
    return {
        "rows": rows, "threads": threads, "batch": batch, "shared_store": shared, "seconds": round(elapsed, 1),
        "readings_per_s": round(rows / elapsed), "commit_ms_median": round(1e3 * statistics.median(commits), 1),
        "commit_ms_p95": round(1e3 * commits[int(0.95 * (len(commits) - 1))], 1),
        "errors": [repr(e) for e in errors[:3]],
    }  # fmt: skip


def latency(fn: Any, n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return round(1e3 * statistics.median(times), 2), round(1e3 * times[int(0.95 * (n - 1))], 2)


def queries(store: Store, n: int, label: str) -> dict[str, Any]:
    rng = random.Random(7)
    cells = [(1 + rng.randrange(124), rng.randrange(64)) for _ in range(n)]
    it = iter(cells * 2)
    sizes: list[int] = []
    q_med, q_p95 = latency(lambda: sizes.append(len(store.readings(arfcn=(c := next(it))[0], bsic=c[1]))), n)
    c_med, c_p95 = latency(store.count, max(3, n // 10))
    return {"when": label, "readings_arfcn_bsic_ms_median": q_med, "readings_arfcn_bsic_ms_p95": q_p95,
            "readings_per_query_mean": round(statistics.mean(sizes), 1), "count_ms_median": c_med,
            "count_ms_p95": c_p95, "count": store.count()}  # fmt: skip


def run_sqlite(args: argparse.Namespace, work: Path) -> None:
    path = work / "bench.sqlite"
    result = ingest(lambda: SqliteStore(path), args.rows, args.threads, args.batch, args.shared)
    emit(backend="sqlite", phase="ingest", **result, db_mb=round(path.stat().st_size / 1e6))
    with SqliteStore(path) as store:
        emit(backend="sqlite", phase="query", **queries(store, args.queries, "after load"))


def run_postgres(args: argparse.Namespace) -> None:
    from sensor.collector.postgres_store import PostgresStore
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is None:
        emit(backend="postgres", skipped="PostgreSQL binaries not found (set PG_BIN)")
        return
    t0 = time.perf_counter()
    server = PgServer.start()
    try:
        dsn = server.create_database("bench")
        emit(backend="postgres", phase="server", start_s=round(time.perf_counter() - t0, 1), dsn=dsn)
        result = ingest(lambda: PostgresStore(dsn), args.rows, args.threads, args.batch, args.shared)
        import psycopg

        with psycopg.connect(dsn) as conn:
            size = conn.execute("SELECT pg_database_size('bench')").fetchone()[0]
        emit(backend="postgres", phase="ingest", **result, db_mb=round(size / 1e6))
        with PostgresStore(dsn) as store:
            emit(backend="postgres", phase="query", **queries(store, args.queries, "after load"))
            t1 = time.perf_counter()
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            emit(backend="postgres", phase="vacuum", seconds=round(time.perf_counter() - t1, 1))
            emit(backend="postgres", phase="query", **queries(store, args.queries, "after VACUUM ANALYZE"))
    finally:
        server.destroy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(float(s)), default=1_000_000)
    ap.add_argument("--threads", type=int, default=5)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--shared", action="store_true", help="one store object for all writer threads")
    args = ap.parse_args()
    backends = args.backends.split(",")
    with tempfile.TemporaryDirectory(prefix="fbs-ingest-") as tmp:
        if "sqlite" in backends:
            run_sqlite(args, Path(tmp))
    if "postgres" in backends:
        run_postgres(args)


if __name__ == "__main__":
    main()
