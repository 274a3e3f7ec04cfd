"""The dashboard's HTTP side: the threading server, the read-only request handler (token and Host
checks, static files, the JSON API, server-sent events) and its small parsing helpers. The
``Dashboard`` object (``dashboard.py``, which imports this module) owns the data; the handler
reaches it as ``server.dashboard``, through what ``DashboardData`` declares."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import logging
import os
import socket
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from sensor.collector.basemap import BasemapInfo, RangeNotSatisfiable, byte_range
from sensor.collector.store import StoreError

log = logging.getLogger("sensor.collector.dashboard")

DEFAULT_READINGS_LIMIT = 5000
MAX_LIMIT = 100_000

STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/style.css": ("style.css", "text/css; charset=utf-8"),
}

PUBLIC_PATHS = ("/app.js", "/style.css", "/favicon.ico")  # no data in them: served without the token
VENDOR_PREFIX = "/vendor/"  # the vendored JavaScript (sensor/data/dashboard/vendor/): public like app.js
VENDOR_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".png": "image/png"}
BASEMAP_PATH = "/basemap.pmtiles"
CHUNK_BYTES = 1 << 16  # a basemap range is copied to the socket in pieces of this size

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


class DashboardData(Protocol):
    """What the handler reads of the dashboard it serves."""

    token: str | None
    heartbeat_s: float

    @property
    def stopping(self) -> bool: ...

    @property
    def last_event_id(self) -> int: ...

    def api_transmitters(self) -> dict[str, Any]: ...

    def api_readings(self, arfcn: int | None, bsic: int | None, limit: int) -> dict[str, Any]: ...

    def api_alerts(self, limit: int) -> dict[str, Any]: ...

    def api_sensors(self) -> dict[str, Any]: ...

    @property
    def basemap(self) -> BasemapInfo | None: ...

    def events_after(self, after: int, timeout_s: float) -> list[tuple[int, dict[str, Any]]]: ...

    def backlog(self, after: int) -> list[tuple[int, dict[str, Any]]]: ...


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _BadRequest(Exception):
    pass


def _vendor_files() -> dict[str, tuple[str, str]]:
    """URL path → (path under sensor/data/dashboard/, content type) of every vendored file: the only
    files of that directory served (no path from a request ever reaches the file system)."""
    out: dict[str, tuple[str, str]] = {}
    root = resources.files("sensor").joinpath("data", "dashboard", "vendor")

    def walk(d: Any, rel: str) -> None:
        for entry in d.iterdir():
            if entry.is_dir():
                walk(entry, f"{rel}{entry.name}/")
            elif (kind := VENDOR_TYPES.get(entry.name[entry.name.rfind(".") :])) is not None:
                out[f"{VENDOR_PREFIX}{rel}{entry.name}"] = (f"vendor/{rel}{entry.name}", kind)

    if root.is_dir():
        walk(root, "")
    return out


VENDOR = _vendor_files()


def _tiles_origin(template: str | None) -> str | None:
    """The origin (scheme://host[:port]) of an http(s) tile URL template, if it is a clean one."""
    if not template:
        return None
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if any(c in parts.netloc for c in " ;,'\"\\"):
        return None
    return f"{parts.scheme}://{parts.netloc}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "fbs-dashboard"

    @property
    def dashboard(self) -> DashboardData:
        return self.server.dashboard  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("dashboard %s: " + format, self.address_string(), *args)

    # Every method but GET and HEAD: 405 (the server is read-only).
    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self.close_connection = True  # a request body may follow, unread
        self._head = self.command == "HEAD"
        self._send_json({"error": "method not allowed: the dashboard is read-only"}, HTTPStatus.METHOD_NOT_ALLOWED,
                        extra={"Allow": "GET, HEAD"})  # fmt: skip

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    # ----------------------------------------------------------------- routing

    def _dispatch(self, head: bool) -> None:
        self._head = head
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        path = url.path
        try:
            if not self._authorised(path, query):
                return
            if path in STATIC:
                self._send_static(*STATIC[path], query=query)
            elif path in VENDOR:
                self._send_static(*VENDOR[path], query=query)
            elif path == BASEMAP_PATH:
                self._send_basemap()
            elif path == "/api/basemap":
                basemap = self.dashboard.basemap
                self._send_json({"basemap": None if basemap is None else basemap.view()})
            elif path == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            elif path == "/api/transmitters":
                self._send_json(self.dashboard.api_transmitters())
            elif path == "/api/readings":
                limit = _int_arg(query, "limit", DEFAULT_READINGS_LIMIT)
                self._send_json(
                    self.dashboard.api_readings(_opt_int_arg(query, "arfcn"), _opt_int_arg(query, "bsic"), limit)
                )
            elif path == "/api/alerts":
                self._send_json(self.dashboard.api_alerts(_int_arg(query, "limit", 500)))
            elif path == "/api/sensors":
                self._send_json(self.dashboard.api_sensors())
            elif path == "/api/campaigns":  # every sensor's SMS grouped into campaigns (texts: hostile, as sent)
                self._send_json({"campaigns": [c.as_dict() for c in self.dashboard.store.campaigns()]})
            elif path == "/api/evidence":  # per transmitter: SMS and phones as intervals, the 5,000 threshold
                self._send_json({"evidence": self.dashboard.store.evidence()})
            elif path == "/api/events":
                self._stream_events(query)
            else:
                self._send_json({"error": "not found"}, HTTPStatus.NOT_FOUND)
        except _BadRequest as exc:
            self._send_json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
        except StoreError as exc:
            self._send_json({"error": str(exc)}, HTTPStatus.SERVICE_UNAVAILABLE)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _authorised(self, path: str, query: dict[str, list[str]]) -> bool:
        token = self.dashboard.token
        if token is None:
            host = (self.headers.get("Host") or "").strip()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if host and not is_loopback(name):  # DNS rebinding: a foreign name resolving to us
                self._send_json({"error": "forbidden host"}, HTTPStatus.FORBIDDEN)
                return False
            return True
        if path in PUBLIC_PATHS or path in VENDOR:
            return True
        given = ""
        auth = self.headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        elif "token" in query:
            given = query["token"][-1]
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
        self._send_json({"error": "unauthorised: give Authorization: Bearer TOKEN or ?token=TOKEN"},
                        HTTPStatus.UNAUTHORIZED,
                        extra={"WWW-Authenticate": 'Bearer realm="fbs-dashboard"'})  # fmt: skip
        return False

    # ----------------------------------------------------------------- responses

    def _security_headers(self, img_origin: str | None = None) -> dict[str, str]:
        # blob: images are the basemap's tiles, which the page reads from /basemap.pmtiles itself
        img = "img-src 'self' blob:" + (f" {img_origin}" if img_origin else "")
        return {
            "Content-Security-Policy": (
                f"default-src 'self'; {img}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
        }

    def _send(self, status: int, data: bytes, content_type: str, extra: Mapping[str, str] | None = None,
              img_origin: str | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in {**self._security_headers(img_origin), **(extra or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if not self._head and data:
            self.wfile.write(data)

    def _send_json(self, obj: Any, status: int = HTTPStatus.OK, extra: Mapping[str, str] | None = None) -> None:
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        self._send(status, data, "application/json; charset=utf-8", extra)

    def _send_static(self, name: str, content_type: str, query: dict[str, list[str]]) -> None:
        data = resources.files("sensor").joinpath("data", "dashboard", *name.split("/")).read_bytes()
        origin = _tiles_origin(query.get("tiles", [""])[-1]) if name == "index.html" else None
        self._send(HTTPStatus.OK, data, content_type, img_origin=origin)

    def _send_basemap(self) -> None:
        """The basemap archive in byte ranges (206 + Content-Range; the whole file without a Range
        header; 416 + ``Content-Range: bytes */SIZE`` for a range it cannot serve); 404 without one."""
        basemap = self.dashboard.basemap
        if basemap is None:
            self._send_json({"error": "no basemap: start the dashboard with --basemap FILE"}, HTTPStatus.NOT_FOUND)
            return
        with contextlib.ExitStack() as stack:
            try:
                f = stack.enter_context(open(basemap.path, "rb"))
            except OSError as exc:
                self._send_json({"error": f"basemap unreadable: {exc.strerror}"}, HTTPStatus.SERVICE_UNAVAILABLE)
                return
            size = os.fstat(f.fileno()).st_size
            try:
                wanted = byte_range(self.headers.get("Range"), size)
            except RangeNotSatisfiable:
                self._send_json({"error": "range not satisfiable"}, HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                                extra={"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"})  # fmt: skip
                return
            first, last = (0, size - 1) if wanted is None else wanted
            length = last - first + 1
            self.send_response(HTTPStatus.OK if wanted is None else HTTPStatus.PARTIAL_CONTENT)
            self.send_header("Content-Type", "application/vnd.pmtiles")
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            if wanted is not None:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.send_header("Cache-Control", "no-store")
            for k, v in self._security_headers().items():
                self.send_header(k, v)
            self.end_headers()
            if self._head:
                return
            f.seek(first)
            while length > 0:
                piece = f.read(min(CHUNK_BYTES, length))
                if not piece:  # the file shrank while being served: the client sees a short body
                    self.close_connection = True
                    return
                self.wfile.write(piece)
                length -= len(piece)

    def _stream_events(self, query: dict[str, list[str]]) -> None:
        dash = self.dashboard
        last = self.headers.get("Last-Event-ID")
        try:
            after = int(last) if last else _int_arg(query, "after", dash.last_event_id)
        except ValueError:
            after = dash.last_event_id
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        for k, v in self._security_headers().items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if self._head:
            return
        self.wfile.write(b"retry: 2000\n: fbs-sensor dashboard events\n\n")
        for i, alert in dash.backlog(after):
            self.wfile.write(_event(i, alert))
            after = i
        self.wfile.flush()
        next_beat = time.monotonic() + dash.heartbeat_s
        while not dash.stopping:
            events = dash.events_after(after, max(0.0, min(1.0, next_beat - time.monotonic())))
            chunks = []
            for i, alert in events:
                chunks.append(_event(i, alert))
                after = i
            if time.monotonic() >= next_beat:
                chunks.append(b": heartbeat\n\n")
                next_beat = time.monotonic() + dash.heartbeat_s
            if chunks:
                self.wfile.write(b"".join(chunks))
                self.wfile.flush()


def _event(i: int, alert: Mapping[str, Any]) -> bytes:
    return (
        f"id: {i}\nevent: detection\ndata: {json.dumps(alert, separators=(',', ':'), ensure_ascii=False)}\n\n".encode()
    )


def _int_arg(query: dict[str, list[str]], name: str, default: int) -> int:
    value = _opt_int_arg(query, name)
    return default if value is None else value


def _opt_int_arg(query: dict[str, list[str]], name: str) -> int | None:
    values = query.get(name)
    if not values or values[-1] == "":
        return None
    try:
        value = int(values[-1])
    except ValueError:
        raise _BadRequest(f"{name} must be an integer") from None
    if value < 0 or (value > MAX_LIMIT and name == "limit"):
        raise _BadRequest(f"{name} must be between 0 and {MAX_LIMIT}")
    return value
