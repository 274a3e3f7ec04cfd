"""Shared pieces of the transport tests (publish/ and collector/): bodies, keys, endpoints, collectors."""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sensor.collector.server import Collector
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.store import StoreError
from sensor.publish.keys import KeyPair, create_keypair, load_keypair, load_public_key
from sensor.publish.link import Link
from sensor.publish.outbox import Outbox
from tests.gps.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# `fbs-sensor collector` without importing the whole CLI (the receiver's imports take seconds):
# a process the tests start, kill and restart quickly.
COLLECTOR_MAIN = (
    "import sys; from sensor.commands.collector import command; "
    "command.main(sys.argv[1:], prog_name='fbs-sensor collector')"
)

# Quick timers for tests: a dead collector is noticed within a second, resends after half a second.
FAST_LINK = dict(ack_timeout_s=0.5, heartbeat_interval_s=0.3, liveness_s=1.0, backoff_initial_s=0.05, backoff_max_s=0.4)


def cell_body(i: int = 0, **changes: Any) -> dict[str, Any]:
    """A CONTRACT.md cell object (as cells.cell_object makes it), varied by ``i``."""
    body: dict[str, Any] = {
        "type": "cell", "schema": 1, "arfcn": 1 + i % 124, "band": "P-GSM900",
        "downlink_hz": 935.2e6 + 0.2e6 * (1 + i % 124),
        "bsic": i % 64, "mcc": "262", "mnc": "01", "lac": 1000 + i % 7, "cell_id": i % 65536,
        "neighbours": [3, 5, 7], "cell_channels": None, "si": {"3": "49061b3b2d72f2203aa8d0033c546506b900008020420b"},
        "params": {"t3212_min": 60}, "rssi_dbfs": -30.5, "rssi_dbm": None, "snr_db": 18.2, "freq_offset_hz": 812.0,
        "freq_offset_ppm": 0.86, "first_t_s": 0.1, "last_t_s": 4.2,
        "position": {"lat_deg": 48.137, "lon_deg": 11.575, "alt_m": 520.0, "fix": "3d", "hdop": 0.9, "age_s": 0.2},
        "verdict": "normal", "score": 0.0, "reasons": [],
    }  # fmt: skip
    body.update(changes)
    return body


def detection_body(i: int = 0, **changes: Any) -> dict[str, Any]:
    """A CONTRACT.md detection object."""
    body: dict[str, Any] = {
        "type": "detection", "schema": 1, "arfcn": 1 + i % 124, "bsic": i % 64, "mcc": "262", "mnc": "01",
        "lac": 1000, "cell_id": i % 65536, "verdict": "fake", "score": 0.97,
        "reasons": [{"rule": "cloned_identity", "weight": 0.7, "detail": "it copies the identity of a neighbour"}],
        "position": None, "t_s": 1.5,
    }  # fmt: skip
    body.update(changes)
    return body


def session_body(i: int = 0, **changes: Any) -> dict[str, Any]:
    """A session body as the daemon publishes it (CONTRACT.md session + t_utc, position, cell identity,
    identities), varied by ``i``: phone ``i`` of a fake on ARFCN 64 BSIC 17, asked for its IMSI and
    rejected with cause 13 after one SMS."""
    body: dict[str, Any] = {
        "type": "session", "schema": 1, "id": f"01JEZ0RUN0000000000000000-64-17-{i}", "arfcn": 64, "bsic": 17,
        "t_s": 12.0 + i, "end_t_s": 14.5 + i, "channel": "SDCCH/8", "tn": 1, "sub": i % 8, "hopping": False,
        "followed": True, "procedure": "location_update", "phone": f"k1:{i:016x}", "identity_type": "tmsi",
        "identity_requests": ["imsi"], "auth": False, "ciphered": False, "sms": 1, "result": "lu_reject", "cause": 13,
        "timing_advance": 2, "complete": True, "t_utc": f"2026-12-07T10:00:{i % 60:02d}.000000Z",
        "position": {"lat_deg": 31.2304, "lon_deg": 121.4737 + 0.001 * i, "alt_m": None, "fix": "3d", "hdop": 1.0,
                     "age_s": 0.3},
        "mcc": "460", "mnc": "00", "lac": 9999, "cell_id": 1, "identities": "keyed",
    }  # fmt: skip
    body.update(changes)
    return body


def sms_body(i: int = 0, **changes: Any) -> dict[str, Any]:
    """An sms body as the daemon publishes it, the SMS of :func:`session_body` ``i``."""
    body: dict[str, Any] = {
        "type": "sms", "schema": 1, "arfcn": 64, "bsic": 17, "t_s": 13.0 + i,
        "session": f"01JEZ0RUN0000000000000000-64-17-{i}", "phone": f"k1:{i:016x}", "sender": "10086",
        "sender_type": "national", "coding": "ucs2", "text": f"【中国移动】积分兑换 {i}: http://10086-jf.example/",
        "parts": None, "of": None, "flash": False, "silent": False, "sc_timestamp": "2026-12-07T18:00:00+08:00",
        "urls": None, "domains": None, "numbers": None, "category": None, "reasons": None, "campaign": None,
        "t_utc": f"2026-12-07T10:00:{i % 60:02d}.500000Z", "position": None,
        "mcc": "460", "mnc": "00", "lac": 9999, "cell_id": 1, "identities": "keyed",
    }  # fmt: skip
    body.update(changes)
    return body


@dataclass(frozen=True)
class Keys:
    """A collector key pair, an allowed sensor ("car1", "car2") and a stranger ("intruder")."""

    allowed_dir: Path
    server: KeyPair
    server_public: bytes
    server_public_file: Path
    server_secret_file: Path

    def sensor(self, name: str) -> KeyPair:
        return load_keypair(self.allowed_dir.parent / "secrets" / f"{name}.key_secret")

    def secret_file(self, name: str) -> Path:
        return self.allowed_dir.parent / "secrets" / f"{name}.key_secret"


def make_keys(root: Path) -> Keys:
    secrets, allowed = root / "secrets", root / "allowed"
    server_public, server_secret = create_keypair(root, "collector")
    for name in ("car1", "car2", "intruder"):
        public, _ = create_keypair(secrets, name)
        if name != "intruder":
            (allowed / public.name).parent.mkdir(parents=True, exist_ok=True)
            (allowed / public.name).write_bytes(public.read_bytes())
    return Keys(allowed, load_keypair(server_secret), load_public_key(server_public), server_public, server_secret)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FlakyStore(SqliteStore):
    """Fails its first ``failures`` commits, as a database that is briefly full or restarting."""

    def __init__(self, path: Path, failures: int) -> None:
        super().__init__(path)
        self.failures = failures

    def save_many(self, envelopes: Any, *, received_utc: str | None = None) -> list[bool]:
        if self.failures:
            self.failures -= 1
            raise StoreError(f"database {self.path}: saving failed: database or disk is full")
        return super().save_many(envelopes, received_utc=received_utc)


def start_collector(keys: Keys, db: Path, bind: str = "tcp://127.0.0.1:0") -> tuple[Collector, SqliteStore]:
    store = SqliteStore(db)
    return Collector(store, bind, server_keys=keys.server, keys_dir=keys.allowed_dir).start(), store


def collector_args(keys: Keys, db: Path, bind: str, *extra: str) -> list[str]:
    return [
        "--bind",
        bind,
        "--db",
        str(db),
        "--keys-dir",
        str(keys.allowed_dir),
        "--secret-key",
        str(keys.server_secret_file),
        *extra,
    ]


def wait_for_line(path: Path, text: str, timeout_s: float = 30.0) -> str:
    """The first line of a growing log file that contains ``text``."""

    def lines() -> list[str]:
        return [line for line in path.read_text(errors="replace").splitlines() if text in line] if path.exists() else []

    wait_until(lambda: bool(lines()), timeout_s, f"{text!r} in {path.name}")
    return lines()[0]


def open_link(keys: Keys, outbox: Outbox, endpoint: str, name: str, **options: Any) -> Link:
    return Link(
        outbox,
        endpoint,
        client_keys=keys.sensor(name),
        server_public_key=keys.server_public,
        **{**FAST_LINK, **options},
    )


__all__ = [
    "COLLECTOR_MAIN",
    "FAST_LINK",
    "PYTHON",
    "REPO",
    "FlakyStore",
    "Keys",
    "cell_body",
    "collector_args",
    "detection_body",
    "free_port",
    "make_keys",
    "open_link",
    "start_collector",
    "wait_for_line",
    "wait_until",
]  # fmt: skip
