"""The dashboard's main views at scale: what the page asks for, over HTTP, on a big collector store.

    python bench/bench_dashboard.py [--rows 1000000] [--cells 300] [--suspects 5] [--db PATH] [--repeat 3]

The store (SQLite, the embedded default) holds --rows readings of an afternoon's patrols: 20
sensors, --cells transmitters (identity, ARFCN, BSIC) of which --suspects are flagged (fake or
suspicious, with reasons, and a detection every 50 of their readings), every reading positioned in
a 10 km × 10 km city, suspects heard within 1.5 km of where they stand. ``--db PATH``: fill PATH
once and reuse it on the next run (filling 1e6 readings takes minutes).

Timed, each --repeat times (median and worst), through the dashboard's HTTP server on loopback:
``/api/transmitters`` (the table and the map: every transmitter, suspects located; the first call
locates, later ones reuse the cache while nothing new arrives), ``/api/readings?limit=5000`` (the
map's reading dots), ``/api/readings?arfcn=…&bsic=…&limit=5000`` (one transmitter's readings) and
``/api/alerts?limit=500`` (the alert log); then ``/api/transmitters`` again after each of --repeat
new readings of a suspect, stored in the database (live use: the table is rebuilt, the suspect
located again). One JSON object per
line.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_transport import cell  # noqa: E402
from sensor.collector.dashboard import Dashboard  # noqa: E402
from sensor.collector.sqlite_store import SqliteStore  # noqa: E402
from sensor.publish.envelope import make_envelope, new_message_id  # noqa: E402

LAT0, LON0 = 31.2304, 121.4737
CITY_M = 10_000.0
SENSORS = 20
BATCH = 1000
REASONS = [{"rule": "lac_mismatch", "weight": 0.6, "detail": "LAC 9999 is not used by this operator here"}]


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _t(s: float) -> str:
    return datetime.fromtimestamp(s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def fill(path: Path, rows: int, cells: int, suspects: int) -> dict[str, Any]:
    rng = random.Random(1)
    idents = [{"arfcn": 1 + k % 124, "bsic": k % 64, "cell_id": 10_000 + k, "lac": 6170 + k % 5} for k in range(cells)]
    spots = [(rng.uniform(0, CITY_M), rng.uniform(0, CITY_M)) for _ in range(suspects)]
    template = make_envelope("observation", cell(0), sensor="car1", seq=0)
    det_template = make_envelope("detection", {"type": "detection", "schema": 1, "arfcn": 1, "bsic": 0, "mcc": "460",
                                               "mnc": "00", "lac": 6170, "cell_id": 1, "verdict": "fake", "score": 0.9,
                                               "reasons": REASONS, "position": None, "t_s": 0.0}, sensor="car1", seq=0)
    seq = [0] * SENSORS
    t0 = time.time() - 6 * 3600
    start = time.perf_counter()
    done = detections = 0
    with SqliteStore(path) as store:
        while done < rows:
            batch = []
            for _ in range(min(BATCH, rows - done)):
                k = rng.randrange(cells)
                suspect = k < suspects
                s = rng.randrange(SENSORS)
                seq[s] += 1
                if suspect:  # heard near where it stands
                    x, y = spots[k][0] + rng.gauss(0, 500.0), spots[k][1] + rng.gauss(0, 500.0)
                else:
                    x, y = rng.uniform(0, CITY_M), rng.uniform(0, CITY_M)
                lat, lon = LAT0 + y / 111_320.0, LON0 + x / 95_300.0
                t_utc = _t(t0 + done * 0.02)
                body = {**template["body"], **idents[k], "t_utc": t_utc, "rssi_dbfs": round(rng.uniform(-70, -20), 1),
                        "position": {**template["body"]["position"], "lat_deg": lat, "lon_deg": lon},
                        "verdict": ("fake" if k % 2 == 0 else "suspicious") if suspect else "normal",
                        "score": 0.9 if suspect else 0.0, "reasons": REASONS if suspect else []}  # fmt: skip
                batch.append({**template, "id": new_message_id(), "sensor": f"car{s}", "seq": seq[s], "sent_utc": t_utc,
                              "body": body})  # fmt: skip
                done += 1
                if suspect and rng.random() < 0.02:
                    seq[s] += 1
                    detections += 1
                    d = {**det_template["body"], **idents[k], "position": body["position"], "t_utc": t_utc}
                    batch.append({**det_template, "id": new_message_id(), "sensor": f"car{s}", "seq": seq[s],
                                  "sent_utc": t_utc, "body": d})  # fmt: skip
            store.save_many(batch)
    return {"phase": "fill", "rows": rows, "cells": cells, "suspects": suspects, "detections": detections,
            "seconds": round(time.perf_counter() - start, 1), "db_mb": round(path.stat().st_size / 1e6)}


def timed(url: str, repeat: int) -> dict[str, Any]:
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=3600) as r:
            body = r.read()
        times.append(time.perf_counter() - t0)
        size = len(body)
    return {"first_ms": round(1e3 * times[0], 1), "median_ms": round(1e3 * statistics.median(times), 1),
            "worst_ms": round(1e3 * max(times), 1), "bytes": size}


def measure(path: Path, repeat: int) -> None:
    with SqliteStore(path) as store:
        count = store.count()
        one = store.readings(limit=1)[0]
        with Dashboard(store, "127.0.0.1", 0) as d:
            base = d.url.rstrip("/")
            for view in ("/api/transmitters", "/api/readings?limit=5000",
                         f"/api/readings?arfcn={one.arfcn}&bsic={one.bsic}&limit=5000", "/api/alerts?limit=500"):
                emit(phase="view", view=view, messages=count, **timed(base + view, repeat))
            # live use: a new reading of a suspect arrives between two refreshes (the table is rebuilt)
            flagged = next(s for s in store.transmitter_summaries() if set(s.verdicts) - {"normal"})
            for k in range(repeat):
                suspect = store.readings(arfcn=flagged.arfcn, bsic=flagged.bsic, cell_id=flagged.cell_id, newest=1)[-1]
                body = {**suspect.body, "t_utc": _t(time.time() - 10 + k)}
                store.save(make_envelope("observation", body, sensor="car0", seq=10**6 + k))
                emit(phase="view", view="/api/transmitters after one new reading", messages=count + k + 1,
                     **timed(base + "/api/transmitters", 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=lambda s: int(float(s)), default=1_000_000)
    ap.add_argument("--cells", type=int, default=300)
    ap.add_argument("--suspects", type=int, default=5)
    ap.add_argument("--db", type=Path, help="fill this file once, reuse it afterwards")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="fbs-dashboard-") as tmp:
        path = args.db or Path(tmp) / "collector.sqlite"
        if not path.exists():
            emit(**fill(path, args.rows, args.cells, args.suspects))
        measure(path, args.repeat)


if __name__ == "__main__":
    main()
