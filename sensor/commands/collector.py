"""``fbs-sensor collector``: receive sensors' messages over CurveZMQ and store them, until SIGINT/SIGTERM.

Registered by ``sensor/cli.py`` like the commands in ``sensor/commands/``.
"""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

import click

from sensor.errors import ConfigError, SensorError
from sensor.units import parse_bind


@click.command("collector")
@click.option("--bind", default="tcp://*:5555", show_default=True, metavar="ENDPOINT",
              help="ZeroMQ endpoint to listen on (tcp://127.0.0.1:0 picks a free port).")  # fmt: skip
@click.option(
    "--db",
    "db_path",
    required=True,
    metavar="PATH|URL",
    help="SQLite database file (created if missing), or postgresql://USER@HOST/DB for a shared PostgreSQL.",
)
@click.option(
    "--keys-dir", metavar="DIR", help="Public keys of the sensors allowed to connect (NAME.key; NAME = sensor id)."
)
@click.option("--secret-key", metavar="FILE", help="The collector's own NAME.key_secret (fbs-sensor keys new).")
@click.option(
    "--allow-plaintext", is_flag=True, help="Run without CURVE when no keys are given (anyone can read and forge)."
)
@click.option("--status-interval", type=click.FloatRange(min=0.1), default=10.0, show_default=True, metavar="SECONDS",
              help="How often to print the one-line status to standard error.")  # fmt: skip
@click.option("--dashboard", "dashboard_bind", metavar="HOST:PORT",
              help="Also serve the read-only web dashboard there (e.g. 127.0.0.1:8080; off by default).")  # fmt: skip
@click.option("--dashboard-token", metavar="TOKEN",
              help="Token the dashboard requires (generated and printed when bound beyond loopback).")  # fmt: skip
@click.option("--basemap", metavar="FILE", help="With --dashboard: a raster PMTiles archive drawn under its map "
              "(docs/basemap.md; config key basemap).")  # fmt: skip
def command(bind: str, db_path: str, keys_dir: str | None, secret_key: str | None, allow_plaintext: bool,
            status_interval: float, dashboard_bind: str | None, dashboard_token: str | None,
            basemap: str | None) -> None:  # fmt: skip
    """Run the collector in the foreground: store every sensor message once, acknowledge it after the commit."""
    from sensor.collector.open_store import store_from_url
    from sensor.collector.server import Collector
    from sensor.publish.keys import load_keypair

    if (keys_dir is None) != (secret_key is None):
        raise ConfigError("--keys-dir and --secret-key go together")
    if keys_dir is None and not allow_plaintext:
        raise ConfigError("give --keys-dir and --secret-key (or --allow-plaintext for an unauthenticated test set-up)")
    if basemap is not None and dashboard_bind is not None:
        from sensor.collector.basemap import open_basemap

        open_basemap(basemap)  # a bad archive stops here, before the collector listens
    server_keys = load_keypair(secret_key) if secret_key is not None else None
    store = store_from_url(db_path)
    stop = threading.Event()
    dashboard = None
    try:
        collector = Collector(store, bind, server_keys=server_keys, keys_dir=keys_dir, allow_plaintext=allow_plaintext)
        collector.start()
        if dashboard_bind is not None:
            from sensor.collector.dashboard import Dashboard

            try:
                host, port = parse_bind(dashboard_bind, "dashboard address", example="127.0.0.1:8080")
                dashboard = Dashboard(store, host, port, dashboard_token, basemap=basemap).start()
            except BaseException:
                collector.stop()
                raise
    except BaseException:
        store.close()
        raise

    def on_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    def on_hup(signum: int, frame: FrameType | None) -> None:
        try:
            click.echo(f"fbs-sensor collector: {collector.reload_keys()} sensor key(s) loaded", err=True)
        except SensorError as exc:  # keep serving with the keys it had
            click.echo(f"fbs-sensor collector: keys not reloaded: {exc}", err=True)

    previous = {sig: signal.signal(sig, handler) for sig, handler in
                ((signal.SIGINT, on_stop), (signal.SIGTERM, on_stop), (signal.SIGHUP, on_hup))}  # fmt: skip
    mode = f"CURVE, {collector.status().sensor_keys} sensor key(s)" if collector.secure else "PLAINTEXT"
    click.echo(f"fbs-sensor collector: listening on {collector.endpoint} ({mode}), store {db_path}", err=True)
    if dashboard is not None:
        click.echo(
            "fbs-sensor collector: dashboard on "
            f"{dashboard.url_with_token if dashboard.token_generated else dashboard.url}",
            err=True,
        )
    try:
        last_stored, last_t = 0, time.monotonic()
        while not stop.wait(status_interval):
            status = collector.status()
            now = time.monotonic()
            rate = (status.intake.stored - last_stored) / (now - last_t)
            last_stored, last_t = status.intake.stored, now
            click.echo(f"{collector.status_line()}, {rate:.0f} msg/s", err=True)
            if status.error:
                raise SensorError(f"collector stopped: {status.error}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if dashboard is not None:
            dashboard.stop()
        collector.stop()
        store.close()
    click.echo(f"{collector.status_line()}; stopped", err=True)
