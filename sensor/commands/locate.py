"""``fbs-sensor locate``: where the collector's suspicious and fake transmitters are (or why that cannot be said).

Without ``--arfcn``/``--bsic`` every non-normal transmitter in the database is located; with them,
whatever matches (normal ones too: the user asked for them). ``--json`` prints CONTRACT.md
``location`` objects (plus ``mcc``, ``mnc``, ``lac``, ``verdict`` as extensions) and, for a
transmitter the data cannot locate, a ``location_refusal`` object; ``--track`` prints one ``track``
object per transmitter (sliding-window estimates and the moving test of ``sensor/locate/fit.py``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from sensor.collector.open_store import open_existing
from sensor.utc import utc_iso


def _result_object(t, result) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from sensor.collector.exports import identity, refusal_object
    from sensor.locate.estimate import Estimate, location_object

    ident = identity(t)
    if isinstance(result, Estimate):
        return {**location_object(ident, result), "mcc": t.mcc, "mnc": t.mnc, "lac": t.lac, "verdict": t.verdict}
    return {"type": "location_refusal", "schema": 1, **ident, "verdict": t.verdict, **refusal_object(result)}


def _track_object(t, tr) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from sensor.collector.exports import identity

    def part(result):  # type: ignore[no-untyped-def]
        obj = _result_object(t, result)
        return {k: v for k, v in obj.items() if k not in ("schema",)}

    return {
        "type": "track", "schema": 1, **identity(t), "verdict": t.verdict,
        "moving": tr.moving, "f_statistic": tr.f_statistic, "p_value": tr.p_value,
        "shift_m": None if tr.shift_m is None else round(tr.shift_m, 1),
        "fixed": part(tr.fixed),
        "points": [{"t_start_utc": utc_iso(p.t_start_s), "t_end_utc": utc_iso(p.t_end_s), "result": part(p.result)}
                   for p in tr.points],
        "method": tr.method,
    }  # fmt: skip


def _words(result) -> tuple[str, str, str, str, str]:  # type: ignore[no-untyped-def]
    from sensor.locate.estimate import Estimate
    from sensor.locate.guidance import look_words

    look = look_words(result.next_look)
    if isinstance(result, Estimate):
        note = "; ".join(
            w for w in ("mirror ambiguity: either side of the drive" if result.mirror_ambiguous else "", look) if w
        )
        return (
            f"{result.lat_deg:.6f}",
            f"{result.lon_deg:.6f}",
            f"{result.radius_m:.0f}",
            str(result.n_positions),
            note,
        )
    return ("", "", "", str(result.n_positions), "; ".join(w for w in (f"not located: {result.reason}", look) if w))


@click.command("locate")
@click.option("--db", "db_path", required=True, metavar="PATH", help="Collector database (SQLite).")
@click.option("--arfcn", type=click.IntRange(0, 1023), help="Only this ARFCN (normal transmitters too).")
@click.option("--bsic", type=click.IntRange(0, 63), help="Only this BSIC (normal transmitters too).")
@click.option("--json", "as_json", is_flag=True, help="JSON lines: location / location_refusal (or track) objects.")
@click.option("--track", "with_track", is_flag=True, help="Sliding-window track and moving test per transmitter.")
def command(db_path: str, arfcn: int | None, bsic: int | None, as_json: bool, with_track: bool) -> None:
    """Locate the suspicious and fake transmitters the collector has readings of."""
    from rich.console import Console
    from rich.table import Table

    from sensor.collector.alongside import heard_alongside
    from sensor.collector.exports import label, select
    from sensor.collector.transmitters import power_readings, transmitters
    from sensor.locate.moving import track

    explicit = arfcn is not None or bsic is not None
    with open_existing(db_path) as store:
        readings = store.readings(arfcn=arfcn, bsic=bsic)
        chosen = select(transmitters(readings), arfcn=arfcn, bsic=bsic, min_verdict=None if explicit else "suspicious")
        among = heard_alongside(store, chosen) if chosen and not with_track else []
    if not chosen:
        what = "matching transmitter" if explicit else "suspicious or fake transmitter"
        click.echo(f"fbs-sensor locate: no {what} in {db_path}", err=True)
        return
    out = sys.stdout
    if with_track:
        for t in chosen:
            tr = track(power_readings(t.readings))
            if as_json:
                out.write(json.dumps(_track_object(t, tr), allow_nan=False) + "\n")
                continue
            moving = {True: "MOVING", False: "not moving", None: "cannot tell (too few time segments)"}[tr.moving]
            shift = "" if tr.shift_m is None else f", segments {tr.shift_m:.0f} m apart"
            table = Table(title=f"{t.verdict}: {label(t)} — {moving}{shift}", title_justify="left")
            for col in ("from (UTC)", "to (UTC)", "lat", "lon", "radius m", "positions", "note"):
                table.add_column(col, justify="right" if col in ("radius m", "positions") else "left")
            for p in tr.points:
                table.add_row(utc_iso(p.t_start_s)[:19], utc_iso(p.t_end_s)[:19], *_words(p.result))
            table.add_row("all", "", *_words(tr.fixed))
            Console(file=out, width=160).print(table)
        return
    table = Table(title="transmitters", title_justify="left")
    for col in ("verdict", "transmitter", "lat", "lon", "radius m", "positions", "note"):
        table.add_column(col, justify="right" if col in ("radius m", "positions") else "left")
    for t in chosen:
        result = t.locate(among=among)
        if as_json:
            out.write(json.dumps(_result_object(t, result), allow_nan=False) + "\n")
        else:
            table.add_row(t.verdict, label(t), *_words(result))
    if not as_json:
        Console(file=out, width=160).print(table)
