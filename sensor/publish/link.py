"""The sensor's end of the transport: messages from the outbox to the collector, until acknowledged.

A ZeroMQ DEALER connects to the collector's ROUTER with CurveZMQ: the sensor's own key pair
(the collector accepts only registered keys) and the collector's public key (so the sensor
talks only to the real collector: the handshake fails with any other server). Plaintext only
with ``allow_plaintext=True``, and then a warning.

Reliability follows the ZeroMQ guide's pirate patterns, with the outbox as the memory:
- up to ``window`` messages are in flight; each stays in the outbox until the collector's reply
  acknowledges its id (the collector acks only after its store committed, and acks duplicates
  too), so nothing is lost whatever dies when;
- a message unacknowledged after ``ack_timeout_s`` is resent on the same connection (the
  collector may have restarted under a live ZeroMQ reconnection, losing what was queued);
- with nothing to send for ``heartbeat_interval_s`` the link queues a heartbeat, so a silent
  collector is noticed even when the car sees no cells;
- nothing heard for ``liveness_s`` while something is outstanding means the collector is dead
  or unreachable: the socket is closed with linger 0 (dropping whatever ZeroMQ still queued), and
  a new one connects after an exponential backoff (``backoff_initial_s`` doubling up to
  ``backoff_max_s``, ±20 % jitter so a fleet does not reconnect in step); everything
  unacknowledged is then resent in order;
- a nack (the collector will never accept that message) moves it to the outbox's dead letters.

Run it either by calling ``poll(timeout_s)`` from a daemon loop, or with ``start()`` in its own
thread; either way ``close(flush_s)`` sends and waits for acks until the outbox is empty or the
deadline passes, then closes; what is left stays in the outbox for the next start.
``status()`` / ``status_line()`` expose the link's state for the status line and metrics.

One concern in one module, though long: the delivery state machine (window, acks, resends,
heartbeats, liveness, backoff, flush on close) and the DEALER socket with its monitor that it
drives share every timer, the in-flight table and the state, and ``status()`` is a snapshot of
them. What stands apart is already apart: the durable queue (``outbox.py``), the reply format
(``reply.py``), the key files (``keys.py``).
"""

from __future__ import annotations

import enum
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import zmq
from zmq.utils.monitor import recv_monitor_message

from sensor.errors import ConfigError, SensorError
from sensor.publish.keys import KeyPair
from sensor.publish.outbox import Outbox, OutboxError
from sensor.publish.reply import MAX_REPLY_BYTES, ReplyError, decode_reply

log = logging.getLogger(__name__)

_MONITOR_EVENTS = (zmq.EVENT_CONNECTED | zmq.EVENT_DISCONNECTED | zmq.EVENT_CONNECT_RETRIED
                   | zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH
                   | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)  # fmt: skip
# ZeroMQ's own TCP reconnection under one socket (100 ms doubling to 1 s): a restarted collector
# is found within a second; a connection attempt per second to an absent one costs nothing.
_ZMQ_RECONNECT_MS = (100, 1000)
_HANDSHAKE_FAILED = ("CURVE handshake with the collector failed: wrong collector public key, "
                     "or the collector does not use CURVE")  # fmt: skip


class LinkState(str, enum.Enum):
    CONNECTING = "connecting"  # socket open, collector not (yet) confirmed
    CONNECTED = "connected"  # handshake done or a reply received, and not silent for liveness_s since
    BACKOFF = "backoff"  # collector declared dead; a new socket connects at the end of the backoff
    CLOSED = "closed"


@dataclass(frozen=True)
class LinkStatus:
    """A snapshot for the status line and metrics. Counters are since the link was created."""

    state: LinkState
    endpoint: str
    secure: bool
    in_flight: int
    outbox_depth: int
    sent: int  # first sends
    resends: int
    acked: int
    nacked: int
    reconnects: int
    heartbeats: int
    last_ack_utc_s: float | None  # wall-clock time of the last acknowledgement
    state_for_s: float  # how long the link has been in this state
    reconnect_in_s: float | None  # in backoff: time until the next connection attempt
    backoff_s: float | None  # the delay chosen when the collector was last declared dead (None: never)
    last_error: str | None


@dataclass
class _Flight:
    pos: int
    data: bytes
    sent_s: float  # monotonic time of the last (re)send


class Link:
    """Delivers one sensor's outbox to the collector (see the module docstring)."""

    def __init__(
        self,
        outbox: Outbox,
        endpoint: str,
        *,
        client_keys: KeyPair | None = None,
        server_public_key: bytes | None = None,
        allow_plaintext: bool = False,
        window: int = 64,
        ack_timeout_s: float = 5.0,
        heartbeat_interval_s: float = 5.0,
        liveness_s: float = 15.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 10.0,
        heartbeat_extra: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        self.secure = client_keys is not None and server_public_key is not None
        if not self.secure:
            if client_keys is not None or server_public_key is not None:
                raise ConfigError("a CURVE link needs both the sensor's key pair and the collector's public key")
            if not allow_plaintext:
                raise ConfigError(
                    f"link to {endpoint}: no keys given "
                    "(give the sensor's secret key and the collector's public key, or allow plaintext)"
                )
            log.warning(
                "link to %s is plaintext: anyone on the path can read and forge this sensor's messages", endpoint
            )
        if window < 1 or ack_timeout_s <= 0 or heartbeat_interval_s <= 0 or liveness_s <= 0 or backoff_initial_s <= 0:
            raise ConfigError("link: window, timeouts, heartbeat interval and backoff must be positive")
        self.outbox = outbox
        self.endpoint = endpoint
        self.client_keys = client_keys
        self.server_public_key = server_public_key
        self.window = window
        self.ack_timeout_s = ack_timeout_s
        self.heartbeat_interval_s = heartbeat_interval_s
        self.liveness_s = liveness_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = max(backoff_max_s, backoff_initial_s)
        self.heartbeat_extra = heartbeat_extra

        now = time.monotonic()
        self._created_s = now
        self._state = LinkState.CONNECTING
        self._state_since_s = now
        self._in_flight: dict[str, _Flight] = {}
        self._after_pos = 0
        self._waiting_since_s = now
        self._last_heard_s = now
        self._last_activity_s = now
        self._backoff_s = backoff_initial_s
        self._reconnect_at_s = now
        self._last_delay_s: float | None = None
        self._counters = dict.fromkeys(("sent", "resends", "acked", "nacked", "reconnects", "heartbeats"), 0)
        self._last_ack_utc_s: float | None = None
        self._last_error: str | None = None
        self._flushing = False
        self._stop = threading.Event()
        self._flush_deadline_s = now
        self._thread: threading.Thread | None = None
        self._context = zmq.Context()
        self._socket: zmq.Socket[Any] | None = None
        self._monitor: zmq.Socket[Any] | None = None
        self._poller = zmq.Poller()
        try:
            self._connect(now)
        except BaseException:
            self._context.term()
            raise

    # ----------------------------------------------------------------- connection

    def _connect(self, now: float) -> None:
        sock = self._context.socket(zmq.DEALER)
        sock.linger = 0
        sock.immediate = True  # queue nothing until a connection is up: unsent messages stay in the outbox
        sock.sndhwm = max(2 * self.window, 100)
        sock.setsockopt(zmq.MAXMSGSIZE, MAX_REPLY_BYTES)
        sock.setsockopt(zmq.RECONNECT_IVL, _ZMQ_RECONNECT_MS[0])
        sock.setsockopt(zmq.RECONNECT_IVL_MAX, _ZMQ_RECONNECT_MS[1])
        sock.setsockopt(zmq.HEARTBEAT_IVL, int(self.heartbeat_interval_s * 1000))
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, int(self.liveness_s * 1000))
        if self.secure:
            assert self.client_keys is not None and self.server_public_key is not None
            sock.curve_secretkey = self.client_keys.secret
            sock.curve_publickey = self.client_keys.public
            sock.curve_serverkey = self.server_public_key
        monitor = sock.get_monitor_socket(_MONITOR_EVENTS)
        try:
            sock.connect(self.endpoint)
        except zmq.ZMQError as exc:
            sock.disable_monitor()
            monitor.close(linger=0)
            sock.close(linger=0)
            raise ConfigError(f"cannot connect to collector {self.endpoint}: {exc.strerror}") from None
        self._socket, self._monitor = sock, monitor
        self._poller.register(sock, zmq.POLLIN)
        self._poller.register(monitor, zmq.POLLIN)
        self._set_state(LinkState.CONNECTING, now)
        self._last_heard_s = self._waiting_since_s = now

    def _disconnect(self) -> None:
        if self._socket is not None:
            self._poller.unregister(self._socket)
            self._poller.unregister(self._monitor)
            self._socket.disable_monitor()
            self._monitor.close(linger=0)  # type: ignore[union-attr]
            self._socket.close(linger=0)
            self._socket = self._monitor = None
        self._in_flight.clear()
        self._after_pos = 0  # everything unacknowledged goes again, in order, on the next connection

    def _declare_dead(self, now: float) -> None:
        delay = self._backoff_s * random.uniform(0.8, 1.2)
        log.warning("collector %s silent for %.1f s: reconnecting in %.1f s "
                    "(%d unacknowledged message(s) will be resent)",
                    self.endpoint, now - max(self._waiting_since_s, self._last_heard_s), delay,
                    self.outbox.depth())  # fmt: skip
        self._disconnect()
        self._backoff_s = min(self._backoff_s * 2, self.backoff_max_s)
        self._reconnect_at_s = now + delay
        self._last_delay_s = delay
        self._set_state(LinkState.BACKOFF, now)

    def _set_state(self, state: LinkState, now: float) -> None:
        if state is not self._state:
            if state is LinkState.CONNECTED and self._state is not LinkState.CLOSED:
                log.info("link to collector %s up", self.endpoint)
            self._state, self._state_since_s = state, now

    # ----------------------------------------------------------------- one step

    def poll(self, timeout_s: float = 0.1) -> None:
        """Do what is due (connect, send, resend, heartbeat), then wait up to ``timeout_s`` for replies."""
        now = time.monotonic()
        if self._state is LinkState.CLOSED:
            return
        if self._state is LinkState.BACKOFF:
            if now < self._reconnect_at_s:
                time.sleep(max(0.0, min(timeout_s, self._reconnect_at_s - now)))
                return
            self._counters["reconnects"] += 1
            self._connect(now)
        self._pump(now)
        wait_s = max(0.0, min(timeout_s, self._next_deadline_s(now) - now))
        events = dict(self._poller.poll(int(wait_s * 1000)))
        if self._monitor in events:
            self._read_monitor(time.monotonic())
        if self._socket in events:
            self._read_replies(time.monotonic())
            self._pump(time.monotonic())
        now = time.monotonic()
        if self._in_flight and now - max(self._waiting_since_s, self._last_heard_s) > self.liveness_s:
            self._declare_dead(now)

    def _pump(self, now: float) -> None:
        self._resend_expired(now)
        self._fill_window(now)
        if not self._flushing:
            self._maybe_heartbeat(now)

    def _fill_window(self, now: float) -> None:
        room = self.window - len(self._in_flight)
        if room <= 0 or self.outbox.depth() <= len(self._in_flight):
            return
        try:
            queued = self.outbox.pending(room, after_pos=self._after_pos)
        except OutboxError as exc:
            self._note_error(f"cannot read the outbox: {exc}")
            return
        for q in queued:
            if not self._send(q.data, now):
                break
            self._after_pos = q.pos
            self._in_flight[q.id] = _Flight(q.pos, q.data, now)
            self._counters["sent"] += 1

    def _resend_expired(self, now: float) -> None:
        for flight in self._in_flight.values():
            if now - flight.sent_s >= self.ack_timeout_s:
                if not self._send(flight.data, now):
                    break
                flight.sent_s = now
                self._counters["resends"] += 1

    def _send(self, data: bytes, now: float) -> bool:
        """False when ZeroMQ cannot take it now (no connection yet, or its queue is full)."""
        assert self._socket is not None
        try:
            self._socket.send(data, zmq.NOBLOCK)
        except zmq.Again:
            return False
        if not self._in_flight:
            self._waiting_since_s = now
        self._last_activity_s = now
        return True

    def _maybe_heartbeat(self, now: float) -> None:
        if self._in_flight or self.outbox.depth() or now - self._last_activity_s < self.heartbeat_interval_s:
            return
        self._last_activity_s = now
        body: dict[str, Any] = {
            "uptime_s": round(now - self._created_s, 3), "outbox_depth": self.outbox.depth(),
            "link": {k: self._counters[k] for k in ("sent", "resends", "acked", "reconnects")},
        }  # fmt: skip
        if self.heartbeat_extra is not None:
            body.update(self.heartbeat_extra())
        try:
            self.outbox.publish("heartbeat", body)
        except SensorError as exc:  # disk full, or heartbeat_extra made the body invalid: the link goes on
            self._note_error(f"cannot queue a heartbeat: {exc}")
            return
        self._counters["heartbeats"] += 1
        self._fill_window(now)

    def _next_deadline_s(self, now: float) -> float:
        deadlines = [now + 1.0]
        if self._in_flight:
            deadlines.append(min(f.sent_s for f in self._in_flight.values()) + self.ack_timeout_s)
            deadlines.append(max(self._waiting_since_s, self._last_heard_s) + self.liveness_s)
        elif not self._flushing:
            deadlines.append(self._last_activity_s + self.heartbeat_interval_s)
        if len(self._in_flight) < self.window and self.outbox.depth() > len(self._in_flight):
            deadlines.append(now + 0.01)  # unsent messages but no room in ZeroMQ's queue: retry soon
        return min(deadlines)

    # ----------------------------------------------------------------- replies and events

    def _read_replies(self, now: float) -> None:
        assert self._socket is not None
        acked: list[str] = []
        refused: list[tuple[str, str]] = []
        while True:
            try:
                data = self._socket.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            self._last_heard_s = now
            self._set_state(LinkState.CONNECTED, now)
            self._backoff_s = self.backoff_initial_s
            try:
                reply = decode_reply(data)
            except ReplyError as exc:
                self._note_error(f"unreadable reply from the collector: {exc}")
                continue
            acked.extend(reply.acked)
            for msg_id, error in reply.nacked:
                if msg_id is None:
                    self._note_error(f"collector refused an unreadable message: {error}")
                else:
                    refused.append((msg_id, error))
        if acked:
            self._counters["acked"] += len(acked)
            self._last_ack_utc_s = time.time()
            for msg_id in acked:
                self._in_flight.pop(msg_id, None)
            self._outbox_call(self.outbox.ack, acked, "acknowledge")
        if refused:
            self._counters["nacked"] += len(refused)
            for msg_id, error in refused:
                self._in_flight.pop(msg_id, None)
                log.warning("collector refused message %s for good (kept as a dead letter): %s", msg_id, error)
            self._outbox_call(self.outbox.reject, refused, "set aside refused")
        if self._in_flight:
            self._waiting_since_s = now

    def _outbox_call(self, fn: Callable[[Any], int], arg: Any, what: str) -> None:
        try:
            fn(arg)
        except OutboxError as exc:  # they stay in the outbox and go again after a reconnect: duplicates are harmless
            self._note_error(f"cannot {what} messages in the outbox: {exc}")

    def _read_monitor(self, now: float) -> None:
        assert self._monitor is not None
        while True:
            try:
                event = recv_monitor_message(self._monitor, zmq.NOBLOCK)
            except zmq.Again:
                return
            kind = event["event"]
            if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self._last_error = None
                self._set_state(LinkState.CONNECTED, now)
            elif kind == zmq.EVENT_DISCONNECTED and self._state is LinkState.CONNECTED:
                self._set_state(LinkState.CONNECTING, now)
            elif kind == zmq.EVENT_CONNECT_RETRIED and self._last_error is None:
                self._last_error = "collector not reachable (connection refused or no route)"
            elif kind == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                self._note_error(f"collector refused this sensor's key (ZAP status {event['value']}): "
                                 "is its NAME.key in the collector's keys directory?")  # fmt: skip
            elif kind in (zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL):
                self._note_error(_HANDSHAKE_FAILED)

    def _note_error(self, message: str) -> None:
        if message != self._last_error:
            log.warning("link to %s: %s", self.endpoint, message)
        self._last_error = message

    # ----------------------------------------------------------------- running and closing

    def start(self) -> Link:
        """Run ``poll`` in a background thread until ``close()``."""
        if self._thread is not None:
            raise ConfigError("link already started")
        self._thread = threading.Thread(target=self._run, name=f"link {self.endpoint}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.poll(0.05)
            self._flush(self._flush_deadline_s)
        except Exception as exc:  # a bug: in the status and the log (with the traceback), not silently
            self._last_error = f"link stopped by an unexpected error: {type(exc).__name__}: {exc}"
            log.exception("link to %s stopped by an unexpected error", self.endpoint)
        finally:
            self._teardown()

    def close(self, flush_s: float = 2.0) -> int:
        """Send what is waiting and wait for acks up to ``flush_s``, then close. Returns the number of
        messages left in the outbox (they go at the next start)."""
        deadline = time.monotonic() + flush_s
        if self._thread is not None:
            self._flush_deadline_s = deadline
            self._stop.set()
            self._thread.join(flush_s + 5.0)
        elif self._state is not LinkState.CLOSED:
            try:
                self._flush(deadline)
            finally:
                self._teardown()
        return self.outbox.depth()

    def _flush(self, deadline_s: float) -> None:
        self._flushing = True
        while (self.outbox.depth() or self._in_flight) and self._state is not LinkState.CLOSED:
            left = deadline_s - time.monotonic()
            if left <= 0:
                break
            self.poll(min(0.05, left))

    def _teardown(self) -> None:
        if self._state is LinkState.CLOSED:
            return
        self._disconnect()
        self._set_state(LinkState.CLOSED, time.monotonic())
        self._context.term()

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- status

    def status(self) -> LinkStatus:
        now = time.monotonic()
        c = self._counters
        return LinkStatus(
            state=self._state,
            endpoint=self.endpoint,
            secure=self.secure,
            in_flight=len(self._in_flight),
            outbox_depth=self.outbox.depth(),
            sent=c["sent"],
            resends=c["resends"],
            acked=c["acked"],
            nacked=c["nacked"],
            reconnects=c["reconnects"],
            heartbeats=c["heartbeats"],
            last_ack_utc_s=self._last_ack_utc_s,
            state_for_s=now - self._state_since_s,
            reconnect_in_s=max(0.0, self._reconnect_at_s - now) if self._state is LinkState.BACKOFF else None,
            backoff_s=self._last_delay_s,
            last_error=self._last_error,
        )

    def status_line(self) -> str:
        s = self.status()
        parts = [f"link {s.state.value} {s.state_for_s:.0f} s", f"outbox {s.outbox_depth}", f"in flight {s.in_flight}",
                 f"acked {s.acked}", f"resends {s.resends}"]  # fmt: skip
        if s.last_ack_utc_s is not None:
            parts.append(f"last ack {time.time() - s.last_ack_utc_s:.0f} s ago")
        if s.reconnect_in_s is not None:
            parts.append(f"reconnect in {s.reconnect_in_s:.1f} s")
        if s.last_error:
            parts.append(s.last_error)
        return ", ".join(parts)
