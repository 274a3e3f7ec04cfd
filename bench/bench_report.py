"""``fbs-sensor report`` at scale: the report over the collector's 1,000,000-reading bench database.

    python bench/bench_report.py [--rows 1000000] [--sms 20000] [--db PATH] [--backend sqlite|postgres] [--repeat 2]

The store is the dashboard bench's (``bench_dashboard.fill``: an afternoon of 20 sensors, 300
transmitters of which 5 are flagged, every reading positioned in a 10 km × 10 km city), plus --sms
SMS pushed by the flagged ones with their sessions (enriched as the daemon publishes them; two
texts, one spoofing a bank's number). ``--backend postgres``: a throwaway PostgreSQL server as the
tests start one, vacuumed and analysed after the fill. ``--db PATH`` (SQLite): fill once, reuse.

Timed, --repeat times (first and best): the report of the whole period, as the command builds it
(``build_report``, the HTML page and the JSON text); then one more run under cProfile for where the
main thread's time goes (shares of the grouped queries, the H3 cells, the page; the stations are
read and located on a thread of their own, which cProfile does not see: their share reads 0). One JSON object per
line. Target (issue 26): ≤ 30 s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_dashboard import LAT0, LON0, Scene, emit, fill, on_backend, store_arguments
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


SHARES = {  # (file, functions) whose cumulative time is each share of the first run
    "grouped queries": ("query.py", {"positions", "totals", "hourly", "activity", "flagged_carriers"}),
    "H3 cells": ("hexes.py", {"hexagons"}),
    "stations (readings, fits)": ("build.py", {"_stations"}),
    "page": ("page.py", {"render"}),
}


def measure(open_store: Callable[[], Store], repeat: int, backend: str) -> None:
    with open_store() as store:
        count = store.count()
        period = period_of(store)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            report = build_report(store, period, resolution=8)
            page = render(report)
            text = json.dumps(report, ensure_ascii=False)
            times.append(time.perf_counter() - t0)
        prof = cProfile.Profile()  # one more run, profiled: where the time goes
        prof.runcall(lambda: render(build_report(store, period, resolution=8)))
        stats = pstats.Stats(prof)
        total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
        shares = {}
        for name, (file, functions) in SHARES.items():
            cum = max((v[3] for f, v in stats.stats.items()  # type: ignore[attr-defined]
                       if f[0].endswith(file) and f[2] in functions), default=0.0)  # fmt: skip
            shares[name] = round(cum / total, 3)
        emit(phase="profile", backend=backend, shares=shares)
        t = report["totals"]
        emit(phase="report", backend=backend, messages=count, readings=t["readings"], stations=t["stations"],
             sms=t["sms"], hexagons=t["hexagons"], html_kb=round(len(page) / 1e3), json_kb=round(len(text) / 1e3),
             first_s=round(times[0], 2), best_s=round(min(times), 2), target_s=30.0)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    store_arguments(ap, repeat=2)
    ap.add_argument("--sms", type=int, default=20_000, help="SMS (and their sessions) of the flagged transmitters")
    args = ap.parse_args()

    def fill_both(open_store: Callable[[], Store]) -> None:
        emit(**fill(open_store, args.rows, 300, args.suspects), backend=args.backend)
        emit(**fill_sms(open_store, args.sms, args.suspects), backend=args.backend)

    on_backend(args, fill_both, lambda open_store: measure(open_store, args.repeat, args.backend))


if __name__ == "__main__":
    main()
