"""The dashboard's main views at scale: what the page asks for, over HTTP, on a big collector store.

    python bench/bench_dashboard.py [--rows 1000000] [--cells 300] [--suspects 5] [--db PATH] [--repeat 3]
                                    [--backend sqlite|postgres]

The store (SQLite, the embedded default; or ``--backend postgres``: a throwaway PostgreSQL server
started as the tests start one, vacuumed and analysed after the fill) holds --rows readings of an
afternoon's patrols: 20 sensors, --cells transmitters (identity, ARFCN, BSIC) of which --suspects are flagged (fake or
suspicious, with reasons, and a detection every 50 of their readings), every reading positioned in
a 10 km × 10 km city, suspects heard within 1.5 km of where they stand. ``--db PATH``: fill PATH
once and reuse it on the next run (filling 1e6 readings takes minutes).

Timed, each --repeat times (median and worst), through the dashboard's HTTP server on loopback:
``/api/transmitters`` (the table and the map: every transmitter, suspects located; the first call
locates, later ones reuse the cache while nothing new arrives), ``/api/readings?limit=5000`` (the
map's reading dots), ``/api/readings?arfcn=…&bsic=…&limit=5000`` (one transmitter's readings) and
``/api/alerts?limit=500`` (the alert log); then ``/api/transmitters`` again after each of --repeat
new readings of a suspect, stored in the database (the table is rebuilt, the suspect located
again), and after each of --repeat batches of 1,200 readings over the last 30 s (what 20 sensors
send between two refreshes of the page in live use). First, in a store of their own, the alert
log at --alerts detections and the live poll after 10 new ones. One JSON object per line; the same --cells
and --suspects as the filled --db.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_transport import cell
from sensor.collector.dashboard import Dashboard
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import Store
from sensor.publish.envelope import make_envelope, new_message_id

LAT0, LON0 = 31.2304, 121.4737
CITY_M = 10_000.0
SENSORS = 20
BATCH = 1000
LIVE_READINGS = 1200  # 30 s of 20 sensors' traffic: what arrives between two refreshes of the page
REASONS = [{"rule": "lac_mismatch", "weight": 0.6, "detail": "LAC 9999 is not used by this operator here"}]


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _t(s: float) -> str:
    return datetime.fromtimestamp(s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Scene:
    """The afternoon's traffic: readings of --cells transmitters by 20 sensors, the first --suspects
    flagged and heard near where they stand, the others anywhere in the city."""

    def __init__(self, cells: int, suspects: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.cells, self.suspects = cells, suspects
        self.idents = [
            {"arfcn": 1 + k % 124, "bsic": k % 64, "cell_id": 10_000 + k, "lac": 6170 + k % 5} for k in range(cells)
        ]
        self.spots = [(self.rng.uniform(0, CITY_M), self.rng.uniform(0, CITY_M)) for _ in range(suspects)]
        self.template = make_envelope("observation", cell(0), sensor="car1", seq=0)
        self.det_template = make_envelope(
            "detection",
            {"type": "detection", "schema": 1, "arfcn": 1, "bsic": 0, "mcc": "460", "mnc": "00", "lac": 6170,
             "cell_id": 1, "verdict": "fake", "score": 0.9, "reasons": REASONS, "position": None, "t_s": 0.0},
            sensor="car1", seq=0,
        )  # fmt: skip
        self.seq = [0] * SENSORS
        self.detections = 0

    def envelopes(self, n: int, time_s: Callable[[int], float]) -> list[dict[str, Any]]:
        """``n`` readings, the i-th at ``time_s(i)``, and a detection after 2 % of the suspects' readings."""
        rng, template, out = self.rng, self.template, []
        for i in range(n):
            k = rng.randrange(self.cells)
            suspect = k < self.suspects
            s = rng.randrange(SENSORS)
            self.seq[s] += 1
            if suspect:  # heard near where it stands
                x, y = self.spots[k][0] + rng.gauss(0, 500.0), self.spots[k][1] + rng.gauss(0, 500.0)
            else:
                x, y = rng.uniform(0, CITY_M), rng.uniform(0, CITY_M)
            lat, lon = LAT0 + y / 111_320.0, LON0 + x / 95_300.0
            t_utc = _t(time_s(i))
            body = {**template["body"], **self.idents[k], "t_utc": t_utc, "rssi_dbfs": round(rng.uniform(-70, -20), 1),
                    "position": {**template["body"]["position"], "lat_deg": lat, "lon_deg": lon},
                    "verdict": ("fake" if k % 2 == 0 else "suspicious") if suspect else "normal",
                    "score": 0.9 if suspect else 0.0, "reasons": REASONS if suspect else []}  # fmt: skip
            out.append({**template, "id": new_message_id(), "sensor": f"car{s}", "seq": self.seq[s], "sent_utc": t_utc,
                        "body": body})  # fmt: skip
            if suspect and rng.random() < 0.02:
                self.seq[s] += 1
                self.detections += 1
                d = {**self.det_template["body"], **self.idents[k], "position": body["position"], "t_utc": t_utc}
                out.append({**self.det_template, "id": new_message_id(), "sensor": f"car{s}", "seq": self.seq[s],
                            "sent_utc": t_utc, "body": d})  # fmt: skip
        return out


def fill(open_store: Callable[[], Store], rows: int, cells: int, suspects: int) -> dict[str, Any]:
    scene = Scene(cells, suspects)
    t0 = time.time() - 6 * 3600
    start = time.perf_counter()
    done = 0
    with open_store() as store:
        while done < rows:
            n = min(BATCH, rows - done)
            store.save_many(scene.envelopes(n, lambda i, base=done: t0 + (base + i) * 0.02))
            done += n
    return {
        "phase": "fill",
        "rows": rows,
        "cells": cells,
        "suspects": suspects,
        "detections": scene.detections,
        "seconds": round(time.perf_counter() - start, 1),
    }


def timed(url: str, repeat: int) -> dict[str, Any]:
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=3600) as r:
            body = r.read()
        times.append(time.perf_counter() - t0)
        size = len(body)
    return {
        "first_ms": round(1e3 * times[0], 1),
        "median_ms": round(1e3 * statistics.median(times), 1),
        "worst_ms": round(1e3 * max(times), 1),
        "bytes": size,
    }


def measure(open_store: Callable[[], Store], repeat: int, cells: int, suspects: int) -> None:
    with open_store() as store:
        count = store.count()
        one = store.readings(limit=1)[0]
        with Dashboard(store, "127.0.0.1", 0) as d:
            base = d.url.rstrip("/")
            for view in (
                "/api/transmitters",
                "/api/readings?limit=5000",
                f"/api/readings?arfcn={one.arfcn}&bsic={one.bsic}&limit=5000",
                "/api/alerts?limit=500",
            ):
                emit(phase="view", view=view, messages=count, **timed(base + view, repeat))
            # live use: a new reading of a suspect arrives between two refreshes (the table is rebuilt)
            flagged = next(s for s in store.transmitter_summaries() if set(s.verdicts) - {"normal"})
            for k in range(repeat):
                suspect = store.readings(arfcn=flagged.arfcn, bsic=flagged.bsic, cell_id=flagged.cell_id, newest=1)[-1]
                body = {**suspect.body, "t_utc": _t(time.time() - 10 + k)}
                store.save(make_envelope("observation", body, sensor="car0", seq=10**6 + k))
                emit(
                    phase="view",
                    view="/api/transmitters after one new reading",
                    messages=count + k + 1,
                    **timed(base + "/api/transmitters", 1),
                )
            # live use: a refresh's worth of traffic (30 s of 20 sensors, ~2 readings/s each) between two
            scene = Scene(cells, suspects, seed=2)
            for _ in range(repeat):
                now = time.time()
                store.save_many(
                    scene.envelopes(LIVE_READINGS, lambda i, now=now: now - 30.0 + 30.0 * i / LIVE_READINGS)
                )
                emit(
                    phase="view",
                    view=f"/api/transmitters after {LIVE_READINGS} new readings",
                    messages=store.count(),
                    **timed(base + "/api/transmitters", 1),
                )


def alerts(n: int, repeat: int) -> None:
    """The alert log and the live poll at ``n`` detections (an afternoon of 20 cars reporting a fake
    every scan cycle), in a store of their own: ``/api/alerts?limit=500`` and one poll after 10 new
    detections; both read only the detections they show."""
    det = Scene(1, 1).det_template
    with tempfile.TemporaryDirectory(prefix="fbs-alerts-") as tmp, SqliteStore(Path(tmp) / "alerts.sqlite") as store:
        for start in range(0, n, BATCH):
            store.save_many([{**det, "id": new_message_id(), "sensor": f"car{i % SENSORS}", "seq": i}
                             for i in range(start, min(n, start + BATCH))])  # fmt: skip
        with Dashboard(store, "127.0.0.1", 0) as d:
            emit(
                phase="alerts",
                view="/api/alerts?limit=500",
                detections=n,
                **timed(d.url + "api/alerts?limit=500", repeat),
            )
            times = []
            for k in range(repeat):
                d.poll_once()
                store.save_many(
                    [{**det, "id": new_message_id(), "sensor": "car0", "seq": n + 10 * k + j} for j in range(10)]
                )
                t0 = time.perf_counter()
                got = d.poll_once()
                times.append(time.perf_counter() - t0)
                assert got == 10, got
            emit(
                phase="alerts",
                view="poll after 10 new detections",
                detections=n,
                median_ms=round(1e3 * statistics.median(times), 1),
                worst_ms=round(1e3 * max(times), 1),
            )


def store_arguments(ap: argparse.ArgumentParser, repeat: int) -> None:
    """The bench store's options: its size, where it is kept, the backend, how many runs."""
    ap.add_argument("--rows", type=lambda s: int(float(s)), default=1_000_000)
    ap.add_argument("--suspects", type=int, default=5)
    ap.add_argument("--db", type=Path, help="fill this SQLite file once, reuse it afterwards")
    ap.add_argument("--repeat", type=int, default=repeat)
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    store_arguments(ap, repeat=3)
    ap.add_argument("--cells", type=int, default=300)
    ap.add_argument("--alerts", type=int, default=30_000, help="detections for the alert-log phase (0: skip it)")
    args = ap.parse_args()
    if args.alerts:
        alerts(args.alerts, args.repeat)
    on_backend(
        args,
        lambda open_store: emit(**fill(open_store, args.rows, args.cells, args.suspects), backend=args.backend),
        lambda open_store: measure(open_store, args.repeat, args.cells, args.suspects),
    )


def on_backend(
    args: argparse.Namespace,
    fill_store: Callable[[Callable[[], Store]], None],
    measure_store: Callable[[Callable[[], Store]], None],
) -> None:
    """The bench's store on ``args.backend``: a SQLite file (``args.db``, filled once and reused, or a
    temporary one) or a throwaway PostgreSQL database (:func:`on_postgres`); ``fill_store`` fills a
    new one, then ``measure_store`` measures it; both get the store's opener."""
    if args.backend == "postgres":
        on_postgres(fill_store, measure_store)
        return
    with tempfile.TemporaryDirectory(prefix="fbs-bench-") as tmp:
        path = args.db or Path(tmp) / "collector.sqlite"
        if not path.exists():
            fill_store(lambda: SqliteStore(path))
            emit(phase="db", backend="sqlite", db_mb=round(path.stat().st_size / 1e6))
        measure_store(lambda: SqliteStore(path))


def on_postgres(
    fill_store: Callable[[Callable[[], Store]], None], measure_store: Callable[[Callable[[], Store]], None]
) -> None:
    """A throwaway PostgreSQL server (as the tests start one): ``fill_store`` fills a new database,
    which is vacuumed and analysed, then ``measure_store`` measures it; both get the store's opener."""
    import psycopg

    from sensor.collector.postgres_store import PostgresStore
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is None:
        emit(backend="postgres", skipped="PostgreSQL binaries not found (set PG_BIN)")
        return
    server = PgServer.start()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))  # killed: the finally below still runs
    try:
        dsn = server.create_database("bench")
        fill_store(lambda: PostgresStore(dsn))
        t0 = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            size = conn.execute("SELECT pg_database_size('bench')").fetchone()[0]
        emit(phase="vacuum", backend="postgres", seconds=round(time.perf_counter() - t0, 1), db_mb=round(size / 1e6))
        measure_store(lambda: PostgresStore(dsn))
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
