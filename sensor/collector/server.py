"""The collector's network end: a ZeroMQ ROUTER that sensors' DEALER links connect to.

Security: CurveZMQ. The collector has its own key pair (sensors know its public key, so they
cannot be fooled by another server), and a directory of the public keys it accepts, one
``NAME.key`` per sensor. ZeroMQ's ZAP handler (``zmq.auth.thread.ThreadAuthenticator``) refuses
every other key during the handshake, so a stranger's messages never reach this code; for the
accepted ones it reports the key file's NAME as the connection's ``User-Id``, which
``Intake`` compares with the envelope's ``sensor``. Plaintext only with ``allow_plaintext``,
with a warning.

Each received message is one frame (a compact JSON envelope) after the peer's routing id.
``Intake`` checks and stores what arrived together in one commit, then the acks (and nacks) go
back to each peer as one reply. Size is guarded twice: ZeroMQ drops the connection of a peer
sending more than ``4 × MAX_MESSAGE_BYTES`` in one message (memory), and ``Intake`` refuses
anything over ``MAX_MESSAGE_BYTES`` with a nack.

``Collector(...).start()`` binds at once (a bad endpoint or a port in use raises ``ConfigError``
in the caller) and serves in a thread until ``stop()``; the CLI command and an embedded
collector inside the sensor daemon both use it that way.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import zmq
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils import z85

from sensor.collector.intake import Frame, Intake, IntakeStats
from sensor.collector.store import Store
from sensor.errors import ConfigError, SensorError
from sensor.publish.envelope import MAX_MESSAGE_BYTES
from sensor.publish.keys import KeyPair, load_key_directory
from sensor.publish.reply import encode_reply

log = logging.getLogger(__name__)

MAX_BATCH = 1000  # messages handled (and committed) together at most
ACTIVE_WINDOW_S = 60.0  # a sensor heard from within this is "active" in the status line
ZMTP_HEARTBEAT_IVL_MS = 5000  # transport-level pings: half-open TCP connections are closed
ZMTP_HEARTBEAT_TIMEOUT_MS = 15000


@dataclass(frozen=True)
class CollectorStatus:
    """For a status line and metrics."""

    endpoint: str
    secure: bool
    running: bool
    intake: IntakeStats
    sensor_keys: int
    active_sensors: tuple[str, ...]
    replies_dropped: int
    last_store_error: str | None
    error: str | None  # why the serving thread stopped, if it failed


class Collector:
    """Receives, checks, stores and acknowledges sensor messages (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        bind: str,
        *,
        server_keys: KeyPair | None = None,
        keys_dir: str | os.PathLike[str] | None = None,
        allow_plaintext: bool = False,
        poll_interval_s: float = 0.1,
    ) -> None:
        self.store = store
        self.bind = bind
        self.server_keys = server_keys
        self.keys_dir = None if keys_dir is None else Path(keys_dir)
        self.secure = server_keys is not None and keys_dir is not None
        if not self.secure:
            if server_keys is not None or keys_dir is not None:
                raise ConfigError("the collector needs both its secret key and a keys directory of sensor public keys")
            if not allow_plaintext:
                raise ConfigError(
                    "the collector needs its secret key and a keys directory (or explicitly allow plaintext)"
                )
        self._names = load_key_directory(self.keys_dir) if self.keys_dir is not None else {}
        self.poll_interval_s = poll_interval_s
        self.intake = Intake(store)
        self.endpoint = bind
        self.replies_dropped = 0
        self.error: str | None = None
        self._heard: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context: zmq.Context[Any] | None = None
        self._socket: zmq.Socket[Any] | None = None
        self._auth: _KeyNameAuthenticator | None = None

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Collector:
        """Bind and serve in a background thread. Raises ``ConfigError`` if the endpoint cannot be bound."""
        if self._thread is not None:
            raise SensorError("collector already started")
        self._context = zmq.Context()
        try:
            if self.secure:
                self._auth = _KeyNameAuthenticator(self._context, self._names)
                self._auth.start()
                self._auth.configure_curve(domain="*", location=str(self.keys_dir))
            else:
                log.warning(
                    "collector %s is plaintext: anyone who can reach it can read and forge sensor messages", self.bind
                )
            self._socket = self._open_socket()
        except BaseException:
            self._close_transport()
            raise
        self._thread = threading.Thread(target=self._serve, name="collector", daemon=True)
        self._thread.start()
        log.info(
            "collector listening on %s (%s)",
            self.endpoint,
            f"CURVE, {len(self._names)} sensor keys" if self.secure else "plaintext",
        )
        return self

    def _open_socket(self) -> zmq.Socket[Any]:
        assert self._context is not None
        sock = self._context.socket(zmq.ROUTER)
        sock.linger = 0
        sock.setsockopt(zmq.MAXMSGSIZE, 4 * MAX_MESSAGE_BYTES)
        sock.setsockopt(zmq.HEARTBEAT_IVL, ZMTP_HEARTBEAT_IVL_MS)
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, ZMTP_HEARTBEAT_TIMEOUT_MS)
        if self.secure:
            assert self.server_keys is not None
            sock.curve_server = True
            sock.curve_secretkey = self.server_keys.secret
            sock.curve_publickey = self.server_keys.public
        try:
            sock.bind(self.bind)
        except zmq.ZMQError as exc:
            sock.close()
            raise ConfigError(f"cannot listen on {self.bind}: {exc.strerror}") from None
        self.endpoint = sock.getsockopt_string(zmq.LAST_ENDPOINT)
        return sock

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop serving and release the socket (the store stays open: it belongs to the caller)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.error("collector thread did not stop within %.1f s", timeout_s)
                return
        self._close_transport()

    close = stop

    def reload_keys(self) -> int:
        """Re-read the keys directory (sensors added or removed); returns how many keys are allowed now."""
        if self.keys_dir is None:
            return 0
        names = load_key_directory(self.keys_dir)
        self._names = names
        if self._auth is not None:
            self._auth.names = names
            self._auth.configure_curve(domain="*", location=str(self.keys_dir))
        return len(names)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> Collector:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- serving

    def _serve(self) -> None:
        sock = self._socket
        assert sock is not None
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        try:
            while not self._stop.is_set():
                if poller.poll(int(self.poll_interval_s * 1000)):
                    self._handle_batch(sock)
        except Exception as exc:  # a bug: say so in the status and the log, with the traceback
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("collector stopped by an unexpected error")
        finally:
            sock.close(linger=0)
            self._socket = None

    def _handle_batch(self, sock: zmq.Socket[Any]) -> None:
        frames: list[Frame] = []
        now = time.monotonic()
        while len(frames) < MAX_BATCH:
            try:
                parts = sock.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                break
            key_name = str(parts[-1].get("User-Id")) if self.secure else None
            frames.append(Frame(peer=parts[0].bytes, data=parts[-1].bytes if len(parts) > 1 else b"",
                                key_name=key_name, extra_parts=max(0, len(parts) - 2)))  # fmt: skip
            if key_name is not None:
                self._heard[key_name] = now
        for peer, reply in self.intake.handle(frames).items():
            try:
                sock.send_multipart([peer, encode_reply(reply)], zmq.NOBLOCK)
            except zmq.ZMQError:
                self.replies_dropped += 1  # peer gone or too slow: it resends and gets the ack then

    def _close_transport(self) -> None:
        if self._socket is not None and (self._thread is None or not self._thread.is_alive()):
            self._socket.close(linger=0)
            self._socket = None
        if self._auth is not None:
            self._auth.stop()
            self._auth = None
        if self._context is not None:
            self._context.term()
            self._context = None

    # ----------------------------------------------------------------- status

    def status(self) -> CollectorStatus:
        now = time.monotonic()
        active = tuple(sorted(name for name, t in list(self._heard.items()) if now - t <= ACTIVE_WINDOW_S))
        return CollectorStatus(
            endpoint=self.endpoint,
            secure=self.secure,
            running=self.running,
            intake=self.intake.stats.copy(),
            sensor_keys=len(self._names),
            active_sensors=active,
            replies_dropped=self.replies_dropped,
            last_store_error=self.intake.last_store_error,
            error=self.error,
        )

    def status_line(self) -> str:
        s = self.status()
        i = s.intake
        rejected = sum(i.rejected.values())
        why = f" ({', '.join(f'{k} {n}' for k, n in sorted(i.rejected.items()))})" if rejected else ""
        phones = (
            f" (phone sessions {i.by_kind['session']}, SMS {i.by_kind['sms']})"
            if i.by_kind["session"] or i.by_kind["sms"]
            else ""
        )
        line = (f"collector {s.endpoint}: {i.stored} stored{phones}, {i.duplicates} duplicates, "
                f"{rejected} rejected{why}, {len(s.active_sensors)} sensor(s) active")  # fmt: skip
        if s.last_store_error:
            line += f"; STORE FAILING: {s.last_store_error}"
        if s.error:
            line += f"; STOPPED: {s.error}"
        return line


class _KeyNameAuthenticator(ThreadAuthenticator):
    """ZAP handler whose User-Id for an accepted key is the key file's name (the sensor id)."""

    def __init__(self, context: Any, names: dict[bytes, str]) -> None:
        super().__init__(context, log=logging.getLogger(f"{__name__}.zap"))
        self.names = names

    def curve_user_id(self, client_public_key: bytes) -> str:
        # Runs in the ZAP thread: must not raise, or every later handshake would hang.
        key = z85.encode(client_public_key)
        return self.names.get(key, key.decode("ascii"))
