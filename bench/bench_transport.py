"""Sensor → collector transport: acknowledged messages per second, and draining an outage's backlog.

    python bench/bench_transport.py [--sensors 5] [--messages 2000] [--outage-s 10] [--rate 50]
                                    [--backend sqlite|postgres]

Throughput: each of --sensors sensor processes fills its outbox with --messages cell observations
(~1 KB each, stored 100 per commit), then all links start at once (CurveZMQ, default link
settings) towards one collector (a thread of this process; SQLite store, fsync per commit, or
with ``--backend postgres`` a PostgreSQL store on a throwaway server started as the tests start
one, fsync on); the figure is messages stored and acknowledged per second until every outbox is
empty.

Outage: the links run idle against the collector, the collector stops, each sensor publishes
--rate messages/s for --outage-s seconds into its outbox, then the collector starts again on the
same endpoint. Printed: how long until the first message of the backlog is stored again (the
links' own recovery: ZeroMQ reconnection + resend timeout, or liveness + backoff after a long
outage), the time to drain everything after that, and the drain rate.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sensor.collector.server import Collector
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import Store
from sensor.publish.keys import create_keypair, load_keypair, load_public_key

FILL_BATCH = 100


def cell(i: int) -> dict[str, Any]:
    """A cell observation shaped like a real one (SI octets, neighbours, parameters, position)."""
    return {
        "type": "cell", "schema": 1, "arfcn": 1 + i % 124, "band": "P-GSM900",
        "downlink_hz": 935.2e6 + 0.2e6 * (1 + i % 124),
        "bsic": i % 64, "mcc": "460", "mnc": "00", "lac": 6170, "cell_id": i % 65536, "neighbours": [60, 62, 66, 70],
        "cell_channels": [58],
        "si": dict.fromkeys(("1", "2", "3", "4", "13"), "49061b526d64f000181ac8030a274540b800008200006b"),
        "params": {f"p{k}": k for k in range(40)}, "rssi_dbfs": -27.6, "rssi_dbm": None, "snr_db": 22.7,
        "freq_offset_hz": -11356.5, "freq_offset_ppm": -11.997, "first_t_s": 0.001, "last_t_s": 3.975,
        "position": {"lat_deg": 31.2304, "lon_deg": 121.4737, "alt_m": None, "fix": "3d", "hdop": 0.9, "age_s": 0.1},
        "verdict": "normal", "score": 0.0, "reasons": [],
    }  # fmt: skip


def sensor_main(name: str, work: str, endpoint: str, preload: int, outage_msgs: int, outage_s: float,
                ready: Any, go: Any, outage: Any, finish: Any, results: Any) -> None:  # fmt: skip
    """One sensor process: fill, link, (publish through the outage), report its link's counters."""
    from sensor.publish.link import Link
    from sensor.publish.outbox import Outbox

    root = Path(work)
    ob = Outbox(root / f"{name}.outbox", sensor_id=name)
    t0 = time.perf_counter()
    for b in range(0, preload, FILL_BATCH):
        ob.publish_many([("observation", cell(i)) for i in range(b, min(preload, b + FILL_BATCH))])
    fill_s = time.perf_counter() - t0
    ready.release()
    go.wait()
    link = Link(ob, endpoint, client_keys=load_keypair(root / f"{name}.key_secret"),
                server_public_key=load_public_key(root / "collector.key")).start()  # fmt: skip
    if outage_msgs:
        outage.wait()
        for i in range(outage_msgs):
            ob.publish("observation", cell(i))
            time.sleep(outage_s / outage_msgs)
        ready.release()
    finish.wait()
    s = link.status()
    results.put({"sensor": name, "fill_msgs_per_s": round(preload / fill_s) if preload else None, "sent": s.sent,
                 "resends": s.resends, "reconnects": s.reconnects, "left": link.close(flush_s=1)})  # fmt: skip
    ob.close()


class Bench:
    def __init__(self, work: Path, sensors: int, make_store: Callable[[Path], Store]) -> None:
        self.work = work
        self.names = [f"car{i}" for i in range(sensors)]
        (work / "allowed").mkdir()
        for name in self.names:
            create_keypair(work, name)
            (work / "allowed" / f"{name}.key").write_bytes((work / f"{name}.key").read_bytes())
        create_keypair(work, "collector")
        self.store = make_store(work)
        self.collector = self.start_collector("tcp://127.0.0.1:0")
        self.endpoint = self.collector.endpoint

    def start_collector(self, bind: str) -> Collector:
        return Collector(self.store, bind, server_keys=load_keypair(self.work / "collector.key_secret"),
                         keys_dir=self.work / "allowed").start()  # fmt: skip

    def run_sensors(
        self, ctx: Any, preload: int, outage_msgs: int = 0, outage_s: float = 0.0
    ) -> tuple[list[Any], dict[str, Any]]:
        sync = {k: ctx.Event() for k in ("go", "outage", "finish")}
        ready, results = ctx.Semaphore(0), ctx.Queue()
        procs = [ctx.Process(target=sensor_main, args=(n, str(self.work), self.endpoint, preload, outage_msgs, outage_s,
                                                        ready, sync["go"], sync["outage"], sync["finish"], results))
                 for n in self.names]  # fmt: skip
        for p in procs:
            p.start()
        for _ in procs:
            ready.acquire()
        return procs, {"ready": ready, "results": results, **sync}

    def wait_stored(self, n: int, timeout_s: float = 600.0) -> float:
        deadline = time.monotonic() + timeout_s
        while self.store.count("observation") < n:
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out: {self.store.count('observation')} of {n} stored")
            time.sleep(0.005)
        return time.perf_counter()

    def finish(self, procs: list[Any], sync: dict[str, Any]) -> list[dict[str, Any]]:
        sync["finish"].set()
        out = [sync["results"].get(timeout=60) for _ in procs]
        for p in procs:
            p.join(60)
        return sorted(out, key=lambda r: r["sensor"])


def throughput(ctx: Any, sensors: int, messages: int, make_store: Callable[[Path], Store]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-transport-") as tmp:
        b = Bench(Path(tmp), sensors, make_store)
        procs, sync = b.run_sensors(ctx, messages)
        t0 = time.perf_counter()
        sync["go"].set()
        t1 = b.wait_stored(sensors * messages)
        per = b.finish(procs, sync)
        b.collector.stop()
        st = b.collector.status().intake
        print(json.dumps({"bench": "throughput", "store": type(b.store).__name__, "sensors": sensors,
                          "messages": sensors * messages,
                          "seconds": round(t1 - t0, 2), "msgs_per_s": round(sensors * messages / (t1 - t0)),
                          "collector_bytes_per_msg": round(st.received_bytes / max(st.received, 1)),
                          "duplicates": st.duplicates, "outbox_fill_msgs_per_s": [r["fill_msgs_per_s"] for r in per],
                          "resends": sum(r["resends"] for r in per)}))  # fmt: skip
        b.store.close()


def outage(ctx: Any, sensors: int, outage_s: float, rate: float, make_store: Callable[[Path], Store]) -> None:
    per_sensor = int(rate * outage_s)
    with tempfile.TemporaryDirectory(prefix="bench-transport-") as tmp:
        b = Bench(Path(tmp), sensors, make_store)
        procs, sync = b.run_sensors(ctx, 0, per_sensor, outage_s)
        sync["go"].set()
        time.sleep(1.0)  # links up and idle
        b.collector.stop()
        sync["outage"].set()
        for _ in procs:  # every sensor has queued its share
            sync["ready"].acquire()
        t_up = time.perf_counter()
        b.collector = b.start_collector(b.endpoint)
        total = sensors * per_sensor
        t_first = b.wait_stored(1)
        t_done = b.wait_stored(total)
        per = b.finish(procs, sync)
        b.collector.stop()
        print(json.dumps({"bench": "outage", "store": type(b.store).__name__, "sensors": sensors, "outage_s": outage_s,
                          "backlog": total,
                          "until_first_stored_s": round(t_first - t_up, 2), "drain_s": round(t_done - t_first, 2),
                          "drain_msgs_per_s": round(total / max(t_done - t_first, 1e-9)),
                          "duplicates": b.collector.status().intake.duplicates,
                          "resends": sum(r["resends"] for r in per),
                          "reconnects": sum(r["reconnects"] for r in per)}))  # fmt: skip
        b.store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sensors", type=int, default=5)
    ap.add_argument("--messages", type=int, default=2000, help="per sensor, for the throughput run (0: skip it)")
    ap.add_argument("--outage-s", type=float, default=10.0, help="0: skip the outage run")
    ap.add_argument("--rate", type=float, default=50.0, help="messages/s per sensor during the outage")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite", help="the collector's store")
    args = ap.parse_args()
    ctx = mp.get_context("spawn")  # never fork a process that runs ZeroMQ threads
    server = None
    if args.backend == "postgres":
        from sensor.collector.postgres_store import PostgresStore
        from tests.pgserver import PgServer, find_pg_bin

        if find_pg_bin() is None:
            raise SystemExit("PostgreSQL binaries not found (set PG_BIN)")
        server = PgServer.start()
        names = iter(range(1000))

        def make_store(work: Path) -> Store:
            return PostgresStore(server.create_database(f"bench{next(names)}"))
    else:

        def make_store(work: Path) -> Store:
            return SqliteStore(work / "collector.sqlite")

    try:
        if args.messages > 0:
            throughput(ctx, args.sensors, args.messages, make_store)
        if args.outage_s > 0:
            outage(ctx, args.sensors, args.outage_s, args.rate, make_store)
    finally:
        if server is not None:
            server.destroy()


if __name__ == "__main__":
    main()
