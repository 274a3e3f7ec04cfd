"""``fbs-sensor report`` at scale: the report over the collector's 1,000,000-reading bench database.

    python bench/bench_report.py [--rows 1000000] [--sms 20000] [--db PATH] [--backend sqlite|postgres] [--repeat 2]

The store is the dashboard bench's (``bench_dashboard.fill``: an afternoon of 20 sensors, 300
transmitters of which 5 are flagged, every reading positioned in a 10 km × 10 km city), plus --sms
SMS pushed by the flagged ones with their sessions (enriched as the daemon publishes them; two
texts, one spoofing a bank's number). ``--backend postgres``: a throwaway PostgreSQL server as the
tests start one, vacuumed and analysed after the fill. ``--db PATH`` (SQLite): fill once, reuse.

Timed, --repeat times (first and best): the report of the whole period, as the command builds it
(``build_report``, the HTML page and the JSON text), with where the time goes in the first run
(cProfile shares of the grouped queries, the H3 cells, the stations' fits). One JSON object per
line. Target (issue 26): ≤ 30 s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_dashboard import LAT0, LON0, Scene, emit, fill
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import Store
from sensor.intel.enrich import enrich_sms
from sensor.publish.envelope import make_envelope, new_message_id
from sensor.report.build import build_report
from sensor.report.page import render
from sensor.report.period import Period
from tests.publish.transport import session_body, sms_body

TEXTS = (
    ("95588", "【工商银行】您的积分即将清零, 请登录 http://icbc-jf.example/ 兑换, 咨询 13800138000"),
    ("10690000", "澳门新葡京 上线送88元 http://bet-88.example/ 加QQ 123456789"),
)


def fill_sms(open_store: Callable[[], Store], n: int, suspects: int) -> dict[str, Any]:
    """``n`` SMS (each with its session) of the flagged transmitters, over the fill's afternoon."""
    scene = Scene(300, suspects)
    rng = random.Random(3)
    templates = []
    for sender, text in TEXTS:
        body = enrich_sms(sms_body(0, sender=sender, sender_type="national", text=text))
        templates.append(body)
    session = make_envelope("session", session_body(0), sensor="car0", seq=0)
    sms = make_envelope("sms", templates[0], sensor="car0", seq=0)
    t0 = time.time() - 6 * 3600
    start = time.perf_counter()
    with open_store() as store:
        for first in range(0, n, 500):
            envs = []
            for i in range(first, min(n, first + 500)):
                k = rng.randrange(suspects)
                ident = {**scene.idents[k], "mcc": "460", "mnc": "00"}
                t_utc = datetime.fromtimestamp(t0 + i * 20_000 / n, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"
                x, y = scene.spots[k][0] + rng.gauss(0, 500.0), scene.spots[k][1] + rng.gauss(0, 500.0)
                pos = {"lat_deg": LAT0 + y / 111_320.0, "lon_deg": LON0 + x / 95_300.0, "alt_m": None, "fix": "3d",
                       "hdop": 1.0, "age_s": 0.3}  # fmt: skip
                phone = f"k1:{rng.randrange(1 << 40):016x}"
                sid = f"bench-{i}"
                envs.append({**session, "id": new_message_id(), "seq": 2 * i + 1, "sent_utc": t_utc,
                             "body": {**session["body"], **ident, "id": sid, "phone": phone, "t_utc": t_utc,
                                      "position": pos}})  # fmt: skip
                envs.append({**sms, "id": new_message_id(), "seq": 2 * i + 2, "sent_utc": t_utc,
                             "body": {**templates[i % 2], **ident, "session": sid, "phone": phone, "t_utc": t_utc,
                                      "position": pos}})  # fmt: skip
            store.save_many(envs)
    return {"phase": "fill_sms", "sms": n, "seconds": round(time.perf_counter() - start, 1)}


def period_of(store: Store) -> Period:
    lo, hi = store.select("SELECT MIN(time_utc), MAX(time_utc) FROM readings")[0]
    return Period(datetime.fromisoformat(lo[:10]).date(), datetime.fromisoformat(hi[:10]).date())


SHARES = {
    "grouped queries": ("query.py",),
    "H3 cells": ("hexes.py",),
    "stations (readings + fits)": ("fit.py", "transmitters.py", "locate"),
    "page": ("page.py", "svg.py"),
}


def measure(open_store: Callable[[], Store], repeat: int, backend: str) -> None:
    with open_store() as store:
        count = store.count()
        period = period_of(store)
        times = []
        for k in range(repeat):
            prof = cProfile.Profile() if k == 0 else None
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            report = build_report(store, period, resolution=8)
            page = render(report)
            text = json.dumps(report, ensure_ascii=False)
            if prof:
                prof.disable()
            times.append(time.perf_counter() - t0)
            if prof:
                stats = pstats.Stats(prof)
                total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
                shares = {}
                for name, files in SHARES.items():
                    cum = max((v[3] for f, v in stats.stats.items()  # type: ignore[attr-defined]
                               if any(s in f[0] for s in files) and f[2] in _ENTRY[name]), default=0.0)  # fmt: skip
                    shares[name] = round(cum / total, 3)
                emit(phase="profile", backend=backend, shares=shares)
        t = report["totals"]
        emit(phase="report", backend=backend, messages=count, readings=t["readings"], stations=t["stations"],
             sms=t["sms"], hexagons=t["hexagons"], html_kb=round(len(page) / 1e3), json_kb=round(len(text) / 1e3),
             first_s=round(times[0], 2), best_s=round(min(times), 2), target_s=30.0)  # fmt: skip


_ENTRY = {  # the functions whose cumulative time is each share
    "grouped queries": {"positions", "totals", "hourly", "activity", "flagged_carriers"},
    "H3 cells": {"hexagons"},
    "stations (readings + fits)": {"_stations"},
    "page": {"render"},
}
SHARES["grouped queries"] = ("query.py",)
SHARES["stations (readings + fits)"] = ("build.py",)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(float(s)), default=1_000_000)
    ap.add_argument("--sms", type=int, default=20_000)
    ap.add_argument("--suspects", type=int, default=5)
    ap.add_argument("--db", type=Path, help="fill this SQLite file once, reuse it afterwards")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    args = ap.parse_args()
    if args.backend == "postgres":
        run_postgres(args)
        return
    with tempfile.TemporaryDirectory(prefix="fbs-report-") as tmp:
        path = args.db or Path(tmp) / "collector.sqlite"
        if not path.exists():
            emit(**fill(lambda: SqliteStore(path), args.rows, 300, args.suspects))
            emit(**fill_sms(lambda: SqliteStore(path), args.sms, args.suspects), db_mb=round(path.stat().st_size / 1e6))
        measure(lambda: SqliteStore(path), args.repeat, "sqlite")


def run_postgres(args: argparse.Namespace) -> None:
    import psycopg

    from sensor.collector.postgres_store import PostgresStore
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is None:
        emit(backend="postgres", skipped="PostgreSQL binaries not found (set PG_BIN)")
        return
    server = PgServer.start()
    try:
        dsn = server.create_database("bench")
        emit(**fill(lambda: PostgresStore(dsn), args.rows, 300, args.suspects), backend="postgres")
        emit(**fill_sms(lambda: PostgresStore(dsn), args.sms, args.suspects), backend="postgres")
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        measure(lambda: PostgresStore(dsn), args.repeat, "postgres")
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
