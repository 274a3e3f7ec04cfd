"""``fbs-sensor report``: a period of the collector's database as one HTML file an analyst can mail
(and its data as JSON): the work is in ``sensor/report/``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sensor.commands.stores import existing_db_option, open_to_read
from sensor.errors import InputError

SCHEMA_HELP = """\b
--json writes one object: {"type":"report","schema":1,"from","to","generated_utc",
"collected": false when nothing at all is stored for the period,
"totals":{"readings","positioned","flagged","sensors","stations","sessions","phones","sms","hexagons"},
"h3_resolution", "hexagons":[{"h3","readings","flagged","fake","suspicious","boundary":[[lat,lon],...]}]
(only hexagons with readings: one not listed was not covered),
"days":[{"date","readings","flagged","sessions","sms"}] (every day of the period),
"hours":[{"hour" 0-23 UTC,"readings","flagged","sessions","sms"}],
"districts": null without --area, else [{"name","readings","flagged","stations","sms"}],
"stations":[{"mcc","mnc","lac","cell_id","arfcn","bsic","verdict","verdicts","readings","first_utc",
"last_utc","sensors","reasons":[{"rule","detail"}] (of its gravest latest reading),
"location":{"lat_deg","lon_deg","radius_m"}|null,"not_located","district",
"sessions","phones","sms"}],
"sms_categories":[{"category","sms"}],
"top":{"senders":[{"sender","sms","rules"}],"domains":[{"domain" (defanged),"sms"}],
"numbers":[{"number","sms"}],"texts":[{"text" (links defanged),"category","sms"}]}}.
"flagged": readings judged fake or suspicious.
"""


@click.command("report", epilog=SCHEMA_HELP)
@existing_db_option
@click.option("--from", "from_date", required=True, metavar="DATE", help="First day, YYYY-MM-DD (UTC).")
@click.option("--to", "to_date", required=True, metavar="DATE", help="Last day, included, YYYY-MM-DD (UTC).")
@click.option(
    "--area",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Districts as GeoJSON (Polygon/MultiPolygon features, named by their 'name' property).",
)
@click.option(
    "--basemap",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A raster PMTiles archive drawn under the maps (tiles embedded; nothing fetched).",
)
@click.option(
    "--resolution",
    type=click.IntRange(5, 10),
    default=8,
    show_default=True,
    help="H3 resolution of the hexagons (8: ~0.74 km² each).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The HTML report to write.",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the report's data as JSON (schema below).",
)
def command(
    db_path: str,
    from_date: str,
    to_date: str,
    area: Path | None,
    basemap: Path | None,
    resolution: int,
    out_path: Path,
    json_path: Path | None,
) -> None:
    """A period's fake-station activity as one self-contained HTML report (and JSON)."""
    from sensor.report.basemap import Basemap
    from sensor.report.build import build_report
    from sensor.report.districts import load_districts
    from sensor.report.page import render
    from sensor.report.period import parse_period

    period = parse_period(from_date, to_date)
    districts = None
    if area is not None:
        districts, skipped = load_districts(area)
        if skipped:
            click.echo(f"fbs-sensor report: {area}: {skipped} features that are not polygons skipped", err=True)
    tiles = Basemap(basemap) if basemap is not None else None
    try:
        store = open_to_read(db_path)
        with store:
            report = build_report(store, period, resolution=resolution, districts=districts)
        page = render(report, tiles)
    finally:
        if tiles is not None:
            tiles.close()
    for path, text in ((out_path, page), (json_path, json.dumps(report, ensure_ascii=False, indent=1))):
        if path is None:
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    t = report["totals"]
    click.echo(
        f"fbs-sensor report: {out_path}: "
        + (
            f"{t['readings']:,} readings, {t['stations']} stations, {t['sms']:,} SMS, {t['hexagons']} hexagons"
            if report["collected"]
            else f"nothing was collected from {period.first} to {period.last}"
        ),
        err=True,
    )
