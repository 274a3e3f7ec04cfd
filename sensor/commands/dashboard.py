"""``fbs-sensor dashboard``: the read-only web dashboard of a collector database, on its own.

For the analysts' desks and a patrol laptop: serves an existing SQLite database (never creates
one) or a PostgreSQL URL until SIGINT/SIGTERM (``sensor/collector/dashboard.py``: bound to
127.0.0.1 by default; beyond loopback a token is required, generated and printed once when not
given). The collector's ``--dashboard`` serves the same page next to a running collector.
``--basemap FILE`` (or the config key ``basemap``, which the collector's ``--basemap`` shares) draws a
local raster PMTiles archive under the map (``docs/basemap.md``).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click

from sensor.commands.stores import existing_db_option, open_to_read
from sensor.units import parse_bind


@click.command("dashboard")
@existing_db_option
@click.option("--bind", default="127.0.0.1:8080", show_default=True, metavar="HOST:PORT",
              help="Address to serve on (port 0 picks a free one).")  # fmt: skip
@click.option("--token", metavar="TOKEN", help="Token the page requires (generated and printed when bound beyond "
              "loopback).")  # fmt: skip
@click.option("--basemap", metavar="FILE", help="A raster PMTiles archive of the patrol area drawn under the map, "
              "served from this machine (docs/basemap.md; config key basemap).")  # fmt: skip
def command(db_path: str, bind: str, token: str | None, basemap: str | None) -> None:
    """Serve the read-only web dashboard of a collector database: alerts per transmitter, map, table."""
    from sensor.collector.basemap import open_basemap
    from sensor.collector.dashboard import Dashboard

    host, port = parse_bind(bind, "dashboard address", example="127.0.0.1:8080")
    if basemap is not None:
        open_basemap(basemap)  # a bad archive stops here, before the database is opened
    store = open_to_read(db_path)
    stop = threading.Event()
    try:
        dash = Dashboard(store, host, port, token, basemap=basemap).start()
    except BaseException:
        store.close()
        raise

    def on_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    click.echo(f"fbs-sensor dashboard: {dash.url_with_token if dash.token_generated else dash.url} "
               f"(store {db_path}); Ctrl-C stops", err=True)  # fmt: skip
    try:
        stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        dash.stop()
        store.close()
    click.echo("fbs-sensor dashboard: stopped", err=True)
