"""``fbs-sensor baseline``: the area baseline the detector judges against (``sensor/detect/baseline.py``).

``baseline import opencellid cell_towers.csv`` loads OpenCellID's GSM cells; drives teach it with
``replay --baseline DB --learn`` (cells judged normal only); ``baseline show`` lists what it knows.
"""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from sensor.detect.baseline import Baseline, default_path
from sensor.units import POSITION

_db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Baseline database (default: ~/.local/share/fbs-sensor/baseline.sqlite).",
)


@click.group("baseline")
def command() -> None:
    """The area baseline: cells known per area, from earlier drives and OpenCellID."""


@command.command("import")
@click.argument("source", type=click.Choice(["opencellid"]))
@click.argument("csv_file", type=click.Path(dir_okay=False))
@click.option("--mcc", help="Import only this country's cells (e.g. 460).")
@_db_option
def import_(source: str, csv_file: str, mcc: str | None, db_path: str | None) -> None:
    """Import reference cells (OpenCellID's cell_towers.csv; GSM rows)."""
    path = db_path or str(default_path())
    with Baseline(path) as b:
        n, skipped = b.import_opencellid(csv_file, mcc=mcc)
        total = b.count()
    click.echo(
        f"imported {n} GSM cells from {csv_file} into {path} ({skipped} rows skipped: other radio, "
        f"other MCC or malformed; {total} rows in the baseline)"
    )


@command.command("show")
@click.option("--near", type=POSITION, help="Only the area around LAT,LON.")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@_db_option
def show(near: tuple[float, float] | None, limit: int, db_path: str | None) -> None:
    """List what the baseline knows (around a position)."""
    path = db_path or str(default_path())
    pos = None if near is None else {"lat_deg": near[0], "lon_deg": near[1]}
    with Baseline(path) as b:
        rows, total = b.rows(pos, limit=limit), b.count()
    table = Table(title=f"{path}: {total} rows" + ("" if near is None else f", around {near[0]:.4f},{near[1]:.4f}"))
    for col in ("area", "MCC-MNC", "LAC", "CI", "ARFCN", "BSIC", "source", "seen", "T3212 min"):
        table.add_column(col)
    for r in rows:
        t = "-" if r["t3212_min_lo"] is None else f"{r['t3212_min_lo']}-{r['t3212_min_hi']}"
        table.add_row(
            r["area"],
            f"{r['mcc']}-{r['mnc']}",
            str(r["lac"]),
            str(r["cell_id"]),
            str(r["arfcn"] or "-"),
            str(r["bsic"] if r["bsic"] is not None else "-"),
            r["source"],
            str(r["n"]),
            t,
        )
    Console(width=None if sys.stdout.isatty() else 140).print(table)
