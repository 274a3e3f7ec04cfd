"""A read-only web dashboard on the collector's store: live alerts, transmitters, an offline map.

Standard library only: ``http.server.ThreadingHTTPServer`` in a thread, static files from
``sensor/data/dashboard/`` and a small JSON API:

- ``/api/transmitters``: one record per transmitter (the store's grouped summaries): identity,
  verdict, verdicts by count, reasons, first/last seen, sensors; suspicious and fake ones with the
  localisation (``estimate`` with the 95 % region polygons, or ``refusal`` with its reason), among
  the real cells heard where and when they were (``sensor/locate/reference.py``); normal cells are not
  located here (``fbs-sensor locate --arfcn`` does). Rebuilt only when new messages are stored,
  the suspects and the cells alongside them brought up to date from what was stored since the last
  build (``sensor/collector/alongside.py``); estimates cached per transmitter until its readings or
  those alongside change.
- ``/api/readings?arfcn=&bsic=&limit=``: positions, power and verdict of readings (the newest
  ``limit``, oldest first).
- ``/api/alerts?limit=``: the alert log, every stored detection in arrival order (the newest
  ``limit``), with ``last_event_id`` to resume the event stream from.
- ``/api/events?after=N``: server-sent events, one ``detection`` event per detection stored after
  the N-th (event id = arrival index; a reconnecting browser resumes by ``Last-Event-ID``), and a
  comment line every 15 s so proxies and the browser keep the stream open. One poller thread
  counts the store's detections every 0.5 s and wakes the streams; nothing in the collector needs
  to know about the dashboard.

Security: bound to 127.0.0.1 by default. On any other address a token is required (given, or
generated: ``Dashboard.token``, which the caller prints once); requests then need
``Authorization: Bearer TOKEN`` or ``?token=TOKEN`` (the page keeps it for its API calls; the
static ``app.js``/``style.css`` hold no data and are served without it). Without a token the
``Host`` header must name a loopback address (no DNS rebinding). Only GET and HEAD: anything else
is 405. Every response carries a ``default-src 'self'`` content security policy; ``?tiles=URL``
(a slippy-map tile template) adds the tile server's origin to ``img-src`` for the page.

``python -m sensor.collector.dashboard --db PATH --bind 127.0.0.1:8080`` serves an existing
database on its own (for analysts); ``fbs-sensor collector --dashboard HOST:PORT`` next to the
collector.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import socket
import sys
import threading
import time
from collections import deque
from typing import Any, Self

from sensor.collector.alongside import LiveSuspects
from sensor.collector.dashboard_http import _Handler, _Server, _Server6, is_loopback
from sensor.collector.dashboard_views import alert_of, reading_view, transmitter_view
from sensor.collector.live import LiveSummaries, StoredSince
from sensor.collector.store import Store, StoreError
from sensor.collector.transmitters import Transmitter, gravest, table_order
from sensor.errors import ConfigError, SensorError
from sensor.locate.estimate import Estimate, Refusal

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.5
HEARTBEAT_S = 15.0
MAX_EVENTS_KEPT = 1000  # recent detections kept for streams that fall behind or reconnect


# --------------------------------------------------------------------------- the dashboard


class Dashboard:
    """Serves the dashboard for ``store`` in background threads (see the module docstring).

    ``start()`` binds at once (``ConfigError`` if the address cannot be bound); ``stop()`` ends
    the server, the poller and every open event stream. The store stays the caller's.
    """

    def __init__(
        self,
        store: Store,
        host: str = "127.0.0.1",
        port: int = 8080,
        token: str | None = None,
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.store = store
        self.host = host.strip("[]") or "127.0.0.1"
        self.port = port
        self.local = is_loopback(self.host)
        self.token_generated = token is None and not self.local
        self.token = secrets.token_urlsafe(24) if self.token_generated else (token or None)
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=MAX_EVENTS_KEPT)
        self._count = 0  # detections seen by the poller
        self._locations: dict[tuple[Any, ...], tuple[tuple[int, str, int], Estimate | Refusal]] = {}
        self._table: tuple[int, dict[str, Any]] | None = None  # (messages stored, /api/transmitters) last built
        self._build_lock = threading.Lock()  # one build of the table at a time
        self._start_live()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self.poll_error: str | None = None

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Dashboard:
        if self._server is not None:
            raise SensorError("dashboard already started")
        server_class = _Server6 if ":" in self.host else _Server
        try:
            server = server_class((self.host, self.port), _Handler)
        except (OSError, OverflowError) as exc:
            raise ConfigError(f"dashboard cannot listen on {self.host}:{self.port}: {getattr(exc, 'strerror', None) or exc}") from None
        server.dashboard = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        try:
            self._count = self.store.count("detection")
        except StoreError as exc:
            log.warning("dashboard: cannot count detections yet: %s", exc)
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="dashboard-http", daemon=True),
            threading.Thread(target=self._poll, name="dashboard-poll", daemon=True),
            threading.Thread(target=self._warm, name="dashboard-warm", daemon=True),
        ]
        for t in self._threads:
            t.start()
        log.info("dashboard on %s%s", self.url, "" if self.token is None else " (token required)")
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for t in self._threads:
            t.join(5.0)

    close = stop

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if host in ("0.0.0.0", "[::]"):
            host = socket.gethostname()
        return f"http://{host}:{self.port}/"

    @property
    def url_with_token(self) -> str:
        return self.url if self.token is None else f"{self.url}?token={self.token}"

    def _warm(self) -> None:
        """Build the transmitter table once at start (seconds at millions of readings: the suspects'
        readings and the cells alongside them are read in full), so the first page load finds it."""
        try:
            self.api_transmitters()
        except StoreError as exc:
            log.warning("dashboard: transmitter table not built yet: %s", exc)
        except Exception:  # a bug: the page's own request will say so
            log.exception("dashboard: building the transmitter table")

    # ----------------------------------------------------------------- live detections

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_interval_s):
            try:
                self.poll_once()
                self.poll_error = None
            except StoreError as exc:  # database busy or gone for a moment: try again next time
                if self.poll_error != str(exc):
                    log.warning("dashboard: %s", exc)
                self.poll_error = str(exc)
            except Exception:  # a bug: keep the dashboard up, say so once per occurrence
                log.exception("dashboard poller")

    def poll_once(self) -> int:
        """Look for new detections in the store; wakes the event streams. Returns how many were new."""
        n = self.store.count("detection")
        if n == self._count:
            return 0
        if n < self._count:  # store replaced or pruned: start over from here
            with self._cond:
                self._count = n
            return 0
        new = self.store.messages(kind="detection", offset=self._count)  # those after the ones seen, not all again
        with self._cond:
            for i, env in enumerate(new, start=self._count + 1):
                self._events.append((i, alert_of(env)))
            self._count += len(new)
            self._cond.notify_all()
        return len(new)

    def events_after(self, after: int, timeout_s: float) -> list[tuple[int, dict[str, Any]]]:
        """Detections with arrival index > ``after``, waiting up to ``timeout_s`` for one."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                out = [(i, a) for i, a in self._events if i > after]
                remaining = deadline - time.monotonic()
                if out or remaining <= 0 or self._stop.is_set():
                    return out
                self._cond.wait(remaining)

    def backlog(self, after: int) -> list[tuple[int, dict[str, Any]]]:
        """Detections after the ``after``-th that the poller has counted but no longer (or never) kept:
        a stream resuming from an old Last-Event-ID gets them from the store."""
        with self._cond:
            count = self._count
            oldest = self._events[0][0] if self._events else count + 1
        if after >= count or after + 1 >= oldest:
            return []
        first = max(after, count - MAX_EVENTS_KEPT)
        stored = self.store.messages(kind="detection", offset=first, limit=max(0, oldest - 1 - first))
        return [(i, alert_of(env)) for i, env in enumerate(stored, start=first + 1)]

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def last_event_id(self) -> int:
        return self._count

    # ----------------------------------------------------------------- API data

    def _start_live(self) -> None:
        """The table's live state from nothing: its next build reads the store in full."""
        self._since = StoredSince(self.store)  # what each build of the table adds to the last
        self._summaries = LiveSummaries(self._since)
        self._suspects = LiveSuspects(self.store)

    def api_transmitters(self) -> dict[str, Any]:
        """Every transmitter from the store's summaries; the suspicious and fake ones with the
        reasons of their gravest latest reading, located among the real cells heard where and when
        they were. The first build reads the summaries (grouped queries) and the suspects in full;
        later ones add what was stored since (``live.py``, ``alongside.LiveSuspects``). Rebuilt only
        when the store holds new messages, by one request at a time (the others wait for it and
        share the table)."""
        with self._build_lock:
            count = self.store.count()
            if self._table is not None and self._table[0] == count:
                return self._table[1]
            try:
                new = self._since.read()
                summaries = self._summaries.refresh(new)
                suspects = self._suspects.refresh([s.key for s in summaries if gravest(s.verdicts) != "normal"], new)
            except BaseException:  # the database went away mid-build: what was read since must not be lost
                self._start_live()  # the next build reads everything afresh
                raise
            out = []
            for s in sorted(summaries, key=lambda s: table_order(gravest(s.verdicts), s.arfcn, s.bsic)):
                got = suspects.get(s.key)
                if got is None or not got.transmitter.readings:
                    out.append(transmitter_view(s, s.latest_reasons, None))  # a real cell: not located here
                else:
                    heard = sum(len(o.readings) for o in got.among)  # what the real cells alongside add changes the fit too
                    out.append(transmitter_view(s, got.reasons, self._locate(got.transmitter, got.among, heard)))
            self._table = (count, {"transmitters": out})
            return self._table[1]

    def _locate(self, t: Transmitter, among: list[Transmitter], heard: int) -> Estimate | Refusal:
        """``t`` located, or its cached result while its readings and those alongside are as they were
        (called by the table's build only: under its lock)."""
        stamp = (len(t.readings), t.latest.message_id, heard)
        cached = self._locations.get(t.key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            result: Estimate | Refusal = t.locate(among=among)
        except Exception as exc:  # one transmitter's failure must not hide the others
            log.exception("dashboard: locating ARFCN %s failed", t.arfcn)
            result = Refusal(f"localisation failed: {type(exc).__name__}", 0)
        self._locations[t.key] = (stamp, result)
        return result

    def api_readings(self, arfcn: int | None, bsic: int | None, limit: int) -> dict[str, Any]:
        rs = self.store.readings(arfcn=arfcn, bsic=bsic, newest=limit, with_body=False) if limit else []
        return {"readings": [reading_view(r) for r in rs]}

    def api_alerts(self, limit: int) -> dict[str, Any]:
        total = self.store.count("detection")
        stored = self.store.messages(kind="detection", offset=max(0, total - limit), limit=limit) if limit else []
        return {"alerts": [alert_of(env) for env in stored], "total": total, "last_event_id": total}


def parse_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[v6]:PORT`` or ``:PORT`` (127.0.0.1) → (host, port); ``ConfigError`` otherwise."""
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        raise ConfigError(f"dashboard address {text!r}: give HOST:PORT (e.g. 127.0.0.1:8080)")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"dashboard address {text!r}: port {port!r} is not a number") from None
    if not 0 <= number <= 65535:
        raise ConfigError(f"dashboard address {text!r}: port out of range")
    return host, number


# --------------------------------------------------------------------------- python -m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sensor.collector.dashboard",
                                     description="Serve the read-only dashboard of a collector database.")  # fmt: skip
    parser.add_argument("--db", required=True, metavar="PATH", help="the collector's SQLite database")
    parser.add_argument("--bind", default="127.0.0.1:8080", metavar="HOST:PORT", help="address (default 127.0.0.1:8080)")
    parser.add_argument("--token", metavar="TOKEN", help="required token (generated when bound beyond loopback)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from pathlib import Path

    from sensor.collector.sqlite_store import SqliteStore

    try:
        if not Path(args.db).is_file():
            raise ConfigError(f"no database at {args.db}")
        host, port = parse_bind(args.bind)
        store = SqliteStore(args.db)
        try:
            dash = Dashboard(store, host, port, args.token).start()
        except BaseException:
            store.close()
            raise
    except SensorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"dashboard: {dash.url_with_token}", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        dash.stop()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
