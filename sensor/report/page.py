"""The report as one self-contained HTML page: inline SVG plots, inline CSS, no script, no request.

A Content-Security-Policy meta tag (``default-src 'none'; style-src 'unsafe-inline'; img-src data:``)
forbids anything else the page could load, should a text ever slip through; every interpolated
value is escaped (``svg.esc``) and the data's texts (cell identities, SMS senders, defanged
domains, numbers) are never markup. Where nothing was collected the page says so: a hexagon or
district nobody drove is "not covered", never "no station".
"""

from __future__ import annotations

import math
from typing import Any

from sensor.report.basemap import Basemap
from sensor.report.svg import Frame, bar_rows, esc, hbars, heat, map_svg, polygon, tiles

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:900px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e4e4e4;padding:3px 6px;
text-align:left;vertical-align:top}td.n,th.n{text-align:right}.note{color:#555}.empty{background:#fff3cd;padding:8px}
svg.plot{display:block;margin:6px 0;font:11px system-ui,sans-serif}svg text{fill:#222}
.ground{fill:#f4f4f4}.hatch{stroke:#c8c8c8;stroke-width:3}.uncovered{opacity:.75}
polygon{stroke:#fff;stroke-width:.6}.clean{fill:#9fd3a0}.cov{fill:#2b6cb0}.key{stroke:#888}
.station{fill:#111;stroke:#fff;stroke-width:1.5}.region{fill:none;stroke:#111;stroke-dasharray:4 3}
.label{font-weight:bold;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3}
.b-flag{fill:#c0392b}.b-sms{fill:#8e44ad}.b-read{fill:#2b6cb0}.b-cat{fill:#8e44ad}.axis{stroke:#999}
.tick{text-anchor:middle;fill:#555}.series{font-weight:bold}.max{fill:#555}
.sms{white-space:pre-wrap}.v-fake{color:#b00}.v-suspicious{color:#b36b00}code{font-size:12px;word-break:break-all}
"""


def _n(value: int) -> str:
    return f"{value:,}"


def _maps(report: dict[str, Any], basemap: Basemap | None) -> tuple[str, str]:
    hexes, stations = report["hexagons"], report["stations"]
    points = [tuple(v) for h in hexes for v in h["boundary"]]
    points += [(s["location"]["lat_deg"], s["location"]["lon_deg"]) for s in stations if s["location"]]
    frame = Frame.around(points)
    under = tiles(frame, basemap) if basemap is not None else []
    top_flag = max((h["flagged"] for h in hexes), default=0)
    top_read = max((h["readings"] for h in hexes), default=0)
    heat_layers, cover_layers = [], []
    for h in hexes:
        if h["flagged"]:
            heat_layers.append(
                polygon(
                    frame,
                    h["boundary"],
                    "hot",
                    f"{h['h3']}: {h['flagged']:,} fake-station readings of {h['readings']:,}",
                    heat(h["flagged"], top_flag),
                )
            )
        else:
            heat_layers.append(
                polygon(
                    frame,
                    h["boundary"],
                    "clean",
                    f"{h['h3']}: covered ({h['readings']:,} readings), no fake-station reading",
                )
            )
        share = math.sqrt(h["readings"] / top_read) if top_read else 0
        cover_layers.append(
            polygon(
                frame,
                h["boundary"],
                "cov",
                f"{h['h3']}: {h['readings']:,} readings",
                f"fill-opacity:{0.15 + 0.8 * share:.2f}",
            )
        )
    for k, s in enumerate(stations, 1):
        loc = s["location"]
        if not loc:
            continue
        x, y = frame.px(loc["lat_deg"], loc["lon_deg"])
        r = frame.metres_px(loc["lat_deg"], loc["radius_m"])
        heat_layers.append(
            f'<circle class="region" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
            f'<circle class="station" cx="{x:.1f}" cy="{y:.1f}" r="5"><title>station {k}: '
            f"{esc(s['verdict'])}, ARFCN {esc(s['arfcn'])}</title></circle>"
            f'<text class="label" x="{x + 7:.1f}" y="{y - 7:.1f}">{k}</text>'
        )
    heat_svg = map_svg(
        "heat-map",
        "Fake-station activity per hexagon",
        frame,
        heat_layers,
        [(heat(1, 1), "fake-station readings (darker: more)"), ("fill:#9fd3a0", "covered, no fake-station reading")],
        under,
    )
    cover_svg = map_svg(
        "coverage-map",
        "Readings per hexagon",
        frame,
        cover_layers,
        [("fill:#2b6cb0", "readings (darker: more)")],
        under,
    )
    return heat_svg, cover_svg


def _timeline(report: dict[str, Any]) -> tuple[str, str]:
    days, hours = report["days"], report["hours"]
    rows = [
        ("fake-station readings", "flagged", "b-flag"),
        ("SMS pushed", "sms", "b-sms"),
        ("all readings (coverage)", "readings", "b-read"),
    ]
    day_svg = bar_rows(
        "days",
        "Activity per day",
        [d["date"][5:] for d in days],
        [(name, [d[f] for d in days], css) for name, f, css in rows],
        every=max(1, math.ceil(len(days) / 15)),
    )
    hour_svg = bar_rows(
        "hours",
        "Activity by hour of day (UTC)",
        [f"{h['hour']:02d}" for h in hours],
        [(name, [h[f] for h in hours], css) for name, f, css in rows],
        every=2,
    )
    return day_svg, hour_svg


def _table(head: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    th = "".join(f"<th{' class=n' if k in numeric else ''}>{esc(h)}</th>" for k, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if k in numeric else ''}>{c}</td>" for k, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _identity(s: dict[str, Any]) -> str:
    def part(v: Any) -> str:
        return "?" if v is None else str(v)

    return f"{part(s['mcc'])}-{part(s['mnc'])} LAC {part(s['lac'])} CI {part(s['cell_id'])}"


def _stations(report: dict[str, Any]) -> str:
    stations = report["stations"]
    if not stations:
        return (
            f"<p>No fake or suspicious station in the {_n(report['totals']['readings'])} readings collected: "
            "only where the coverage map shows readings (elsewhere nobody looked).</p>"
        )
    rows = []
    for k, s in enumerate(stations, 1):
        loc = s["location"]
        where = (
            f"{loc['lat_deg']:.5f}, {loc['lon_deg']:.5f} (± {loc['radius_m']:,.0f} m, 95 %)"
            if loc
            else f"not located: {s['not_located'] or 'no fit'}"
        )
        rows.append(
            [
                str(k),
                f'<span class="v-{esc(s["verdict"])}">{esc(s["verdict"])}</span>',
                esc(_identity(s)),
                f"{esc(s['arfcn'])} / {esc('?' if s['bsic'] is None else s['bsic'])}",
                esc(where),
                esc(s["district"] or "—"),
                esc(s["first_utc"][:16].replace("T", " ")),
                esc(s["last_utc"][:16].replace("T", " ")),
                _n(s["readings"]),
                _n(s["sensors"]),
                _n(s["phones"]),
                _n(s["sms"]),
                "<br>".join(f"<code>{esc(r['rule'])}</code>: {esc(r['detail'])}" for r in s["reasons"]),
            ]
        )
    return _table(
        [
            "#",
            "verdict",
            "identity",
            "ARFCN / BSIC",
            "location",
            "district",
            "first (UTC)",
            "last (UTC)",
            "readings",
            "sensors",
            "phones reached",
            "SMS pushed",
            "why",
        ],
        rows,
        {8, 9, 10, 11},
    )


def _districts(report: dict[str, Any]) -> str:
    districts = report["districts"]
    if districts is None:
        return '<p class="note">No district map given (<code>--area districts.geojson</code>).</p>'
    rows = []
    for d in districts:
        if d["readings"]:
            rows.append([esc(d["name"]), _n(d["readings"]), _n(d["flagged"]), _n(d["stations"]), _n(d["sms"])])
        else:
            rows.append([esc(d["name"]), "not covered", "—", "—", _n(d["sms"]) if d["sms"] else "—"])
    return _table(
        ["district", "readings", "fake-station readings", "stations located in it", "SMS"], rows, {1, 2, 3, 4}
    )


def _tops(report: dict[str, Any]) -> str:
    top = report["top"]

    def code(v: Any) -> str:
        return f"<code>{esc(v)}</code>"

    # (title, list, column heads, cells of an entry, what to say when there is none)
    lists = [
        ("Top spoofed senders", "senders", ["spoofed sender", "SMS", "why"],
         lambda s: [code(s["sender"]), _n(s["sms"]), esc(", ".join(s["rules"]))], "No spoofed sender"),
        ("Top domains", "domains", ["domain (defanged)", "SMS"], lambda d: [code(d["domain"]), _n(d["sms"])],
         "No link in the SMS"),
        ("Top call-back numbers", "numbers", ["call-back number", "SMS"],
         lambda x: [code(x["number"]), _n(x["sms"])], "No call-back number in the SMS"),
        ("Most pushed texts", "texts", ["text as received (links defanged)", "category", "SMS"],
         lambda x: [f'<span class="sms">{esc(x["text"])}</span>', esc(x["category"] or "—"), _n(x["sms"])],
         "No SMS text"),
    ]  # fmt: skip
    out = []
    for title, name, head, cells, none in lists:
        entries = top[name]
        body = (
            _table(head, [cells(e) for e in entries], {len(head) - 1}) if entries else f"<p>{none} in this period.</p>"
        )
        out.append(f"<h3>{esc(title)}</h3>{body}")
    return "".join(out)


def render(report: dict[str, Any], basemap: Basemap | None = None) -> str:
    """The page of a report (``build.build_report``'s dict); ``basemap``: raster tiles under the maps."""
    t = report["totals"]
    period = f"{report['from']} – {report['to']}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        f"<title>Fake base station report {esc(period)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Fake base station report, {esc(period)} (UTC)</h1>",
        f'<p class="note">Generated {esc(report["generated_utc"][:19].replace("T", " "))} UTC by fbs-sensor. '
        f"H3 hexagons of resolution {esc(report['h3_resolution'])}. Texts sent by fake stations are shown as "
        "received; links and domains are defanged.</p>",
    ]
    if not report["collected"]:
        out.append(
            f'<p class="empty" id="nothing-collected">Nothing was collected between {esc(report["from"])} '
            f"and {esc(report['to'])}: no reading, session or SMS is stored for these days. This says "
            "nothing about fake stations there: nobody was listening.</p></body></html>"
        )
        return "".join(out)
    out.append(
        f'<p id="summary">{_n(t["readings"])} readings from {_n(t["sensors"])} sensors ({_n(t["positioned"])} '
        f"with a position, over {_n(t['hexagons'])} hexagons); {_n(t['flagged'])} fake-station readings; "
        f"{_n(t['stations'])} fake or suspicious stations; {_n(t['phones'])} phones reached in "
        f"{_n(t['sessions'])} sessions; {_n(t['sms'])} SMS pushed.</p>"
    )
    heat_svg, cover_svg = _maps(report, basemap)
    day_svg, hour_svg = _timeline(report)
    cats = [(c["category"], c["sms"]) for c in report["sms_categories"]]
    out += [
        "<h2>Fake-station activity</h2>",
        '<p class="note">Fake or suspicious readings per hexagon; numbered dots are the stations below with '
        "their 95 % region. Hatched ground: no reading at all (not covered), which is not the same as no station."
        "</p>",
        heat_svg,
        "<h2>Coverage</h2>",
        '<p class="note">Readings per hexagon: where the patrols actually listened.</p>',
        cover_svg,
        "<h2>Activity over the days</h2>",
        day_svg,
        "<h2>Activity by hour of day (UTC)</h2>",
        hour_svg,
        "<h2>Districts</h2>",
        _districts(report),
        "<h2>Stations found</h2>",
        _stations(report),
        "<h2>SMS categories</h2>",
        hbars("sms-categories", "SMS per category", cats, "b-cat"),
        _tops(report),
        "</body></html>",
    ]
    return "".join(out)
