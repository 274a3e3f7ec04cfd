"""The embedded collector: when no collector is configured, the sensor runs one in-process (SQLite
in the state folder, on a loopback port) and talks to it over the same CurveZMQ link as to a
remote one — the whole path is exercised, nothing is special-cased. Keys are made on first use in
``STATE/keys/`` and kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sensor.collector.server import Collector
from sensor.collector.sqlite_store import SqliteStore
from sensor.publish.keys import KeyPair, create_keypair, load_keypair


@dataclass(slots=True)
class Embedded:
    collector: Collector
    store: SqliteStore
    endpoint: str
    server_public: bytes
    sensor_keys: KeyPair

    def stop(self) -> None:
        self.collector.stop()
        self.store.close()


def _pair(folder: Path, name: str) -> KeyPair:
    secret = folder / f"{name}.key_secret"
    if not secret.is_file():
        create_keypair(folder, name)
    return load_keypair(secret)


def start_embedded(state_dir: Path, sensor_id: str) -> Embedded:
    keys = state_dir / "keys"
    allowed = keys / "sensors"
    allowed.mkdir(parents=True, exist_ok=True)
    server = _pair(keys, "collector")
    sensor = _pair(keys, sensor_id)
    public = allowed / f"{sensor_id}.key"
    if not public.is_file():
        public.write_bytes((keys / f"{sensor_id}.key").read_bytes())
    store = SqliteStore(state_dir / "collector.sqlite")
    collector = Collector(store, "tcp://127.0.0.1:0", server_keys=server, keys_dir=allowed).start()
    return Embedded(collector, store, collector.endpoint, server.public, sensor)
