"""A read-only web dashboard on the collector's store: live alerts, transmitters, an offline map.

Standard library only: ``http.server.ThreadingHTTPServer`` in a thread, static files from
``sensor/data/dashboard/`` and a small JSON API:

- ``/api/transmitters``: one record per transmitter (the store's grouped summaries, a partial
  identity merged into its completion): identity, verdict, verdicts by count, reasons, first/last
  seen, sensors, ``activity`` (phones, sessions, SMS, the latest SMS with links defanged);
  suspicious and fake ones with the localisation (``estimate`` with the 95 % region polygons, or
  ``refusal`` with its reason), among
  the real cells heard where and when they were (``sensor/locate/reference.py``); normal cells are not
  located here (``fbs-sensor locate --arfcn`` does). Rebuilt only when new messages are stored,
  the suspects and the cells alongside them brought up to date from what was stored since the last
  build (``sensor/collector/alongside.py``); estimates cached per transmitter until its readings or
  those alongside change.
- ``/api/readings?arfcn=&bsic=&limit=``: positions, power and verdict of readings (the newest
  ``limit``, oldest first).
- ``/api/basemap``: the offline basemap (``--basemap FILE``, a raster PMTiles archive checked at
  start: ``sensor/collector/basemap.py``): its URL ``/basemap.pmtiles``, tile type, zooms, bounds,
  centre and attribution, or null; ``/basemap.pmtiles`` serves that one file in HTTP byte ranges
  (206 with ``Content-Range``, 416 for a range it cannot serve), token-protected like the API. The
  page draws it with the vendored Leaflet and pmtiles reader (``sensor/data/dashboard/vendor/``).
- ``/api/sensors``: what each sensor last said it covered (its newest ``status`` message: state,
  "scanned N of M ARFCNs, S s received in W s"), so that no detection is read against what was
  scanned.
- ``/api/campaigns``, ``/api/evidence``: ``Store.campaigns()`` (every sensor's SMS grouped into
  campaigns with their templates, as sent: whoever shows them escapes them) and ``Store.evidence()``
  (per transmitter: SMS and phones as intervals, by category, "N of 5,000").
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
static ``app.js``/``style.css`` and ``/vendor/…`` hold no data and are served without it). Without a token the
``Host`` header must name a loopback address (no DNS rebinding). Only GET and HEAD: anything else
is 405. Every response carries a ``default-src 'self'`` content security policy (images also from
``blob:``: the basemap's tiles, read by the page from ``/basemap.pmtiles``); ``?tiles=URL``
(a slippy-map tile template) adds the tile server's origin to ``img-src`` for the page.

``fbs-sensor dashboard --db PATH|URL --bind 127.0.0.1:8080`` (or ``python -m
sensor.collector.dashboard --db PATH``) serves an existing database on its own (for analysts);
``fbs-sensor collector --dashboard HOST:PORT`` next to the collector.

The page (``sensor/data/dashboard/app.js``) shows one alert card per suspicious or fake
transmitter of ``/api/transmitters``, updated in place; the detection stream only makes it look
again sooner, and a new transmitter or a hardened verdict is announced once.

This module starts and stops the pieces: ``dashboard_table.py`` (the transmitter table),
``dashboard_alerts.py`` (the live detections), ``dashboard_views.py`` (the JSON views) and
``dashboard_http.py`` (the server and its handler).
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket
import sys
import threading
import time
from typing import Any, Self

from sensor.collector.basemap import BasemapInfo, open_basemap
from sensor.collector.dashboard_alerts import AlertFeed
from sensor.collector.dashboard_http import _Handler, _Server, _Server6, is_loopback
from sensor.collector.dashboard_table import TransmitterTable
from sensor.collector.dashboard_views import reading_view
from sensor.collector.store import Store
from sensor.errors import ConfigError, SensorError
from sensor.units import parse_bind

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.5
HEARTBEAT_S = 15.0
STATUS_KEPT = 500  # the newest status messages read for /api/sensors (one per pass and sensor)


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
        basemap: str | os.PathLike[str] | None = None,
    ) -> None:
        self.basemap: BasemapInfo | None = None if basemap is None else open_basemap(basemap)  # checked first
        self.store = store
        self.host = host.strip("[]") or "127.0.0.1"
        self.port = port
        self.local = is_loopback(self.host)
        self.token_generated = token is None and not self.local
        self.token = secrets.token_urlsafe(24) if self.token_generated else (token or None)
        self.poll_interval_s = poll_interval_s
        self.heartbeat_s = heartbeat_s
        self._stop = threading.Event()
        self.alerts = AlertFeed(store, self._stop)
        self.table = TransmitterTable(store)
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Dashboard:
        if self._server is not None:
            raise SensorError("dashboard already started")
        server_class = _Server6 if ":" in self.host else _Server
        try:
            server = server_class((self.host, self.port), _Handler)
        except (OSError, OverflowError) as exc:
            raise ConfigError(
                f"dashboard cannot listen on {self.host}:{self.port}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        server.dashboard = self  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_address[1]
        self.alerts.count_stored()
        self._threads = [
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="dashboard-http", daemon=True
            ),
            threading.Thread(target=self.alerts.poll, args=(self.poll_interval_s,), name="dashboard-poll", daemon=True),
            threading.Thread(target=self.table.warm, name="dashboard-warm", daemon=True),
        ]
        for t in self._threads:
            t.start()
        log.info("dashboard on %s%s", self.url, "" if self.token is None else " (token required)")
        return self

    def stop(self) -> None:
        self._stop.set()
        self.alerts.wake()
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

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ----------------------------------------------------------------- what the handler serves

    def api_transmitters(self) -> dict[str, Any]:
        return self.table.build()

    def api_readings(self, arfcn: int | None, bsic: int | None, limit: int) -> dict[str, Any]:
        rs = self.store.readings(arfcn=arfcn, bsic=bsic, newest=limit, with_body=False) if limit else []
        return {"readings": [reading_view(r) for r in rs]}

    def api_alerts(self, limit: int) -> dict[str, Any]:
        return self.alerts.alerts(limit)

    def api_sensors(self) -> dict[str, Any]:
        """What each sensor last said it covered (its newest ``status`` message among the last
        ``STATUS_KEPT``): state, coverage figures and the phrase, so that "no detections" is read
        against what was scanned."""
        total = self.store.count("status")
        latest: dict[str, dict[str, Any]] = {}
        for env in self.store.messages(kind="status", offset=max(0, total - STATUS_KEPT)):
            body = env.get("body") or {}
            latest[str(env.get("sensor"))] = {
                "sensor": env.get("sensor"), "sent_utc": env.get("sent_utc"), "state": body.get("state"),
                "summary": body.get("summary"), "coverage": body.get("coverage"),
            }  # fmt: skip
        return {"sensors": [latest[k] for k in sorted(latest)]}

    def poll_once(self) -> int:
        return self.alerts.poll_once()

    def events_after(self, after: int, timeout_s: float) -> list[tuple[int, dict[str, Any]]]:
        return self.alerts.events_after(after, timeout_s)

    def backlog(self, after: int) -> list[tuple[int, dict[str, Any]]]:
        return self.alerts.backlog(after)

    @property
    def last_event_id(self) -> int:
        return self.alerts.last_event_id


# --------------------------------------------------------------------------- python -m


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sensor.collector.dashboard",
                                     description="Serve the read-only dashboard of a collector database.")  # fmt: skip
    parser.add_argument("--db", required=True, metavar="PATH", help="the collector's SQLite database")
    parser.add_argument(
        "--bind", default="127.0.0.1:8080", metavar="HOST:PORT", help="address (default 127.0.0.1:8080)"
    )
    parser.add_argument("--token", metavar="TOKEN", help="required token (generated when bound beyond loopback)")
    parser.add_argument("--basemap", metavar="FILE", help="a raster PMTiles archive drawn under the map")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from pathlib import Path

    from sensor.collector.sqlite_store import SqliteStore

    try:
        if not Path(args.db).is_file():
            raise ConfigError(f"no database at {args.db}")
        host, port = parse_bind(args.bind, "dashboard address", example="127.0.0.1:8080")
        store = SqliteStore(args.db)
        try:
            dash = Dashboard(store, host, port, args.token, basemap=args.basemap).start()
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
