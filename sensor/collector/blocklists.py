"""CSV block lists of what fake stations' SMS pointed at: links, registered domains, phone numbers.

One row per value (``indicators.gather``), sorted by value, with the columns

* urls: ``url`` (the value to block: as the phone would open it, ``http://`` put in front of a link
  written without scheme), ``defanged`` (``hxxp://a[.]b/``, for people), ``type`` (link,
  short_link, ip), then the common columns, then ``as_written`` (the spellings in the texts);
* domains: ``domain`` (the registered domain), ``defanged``, then the common columns;
* numbers: ``number`` (E.164, or the digits of a service short number), ``digits`` (the same
  without ``+``: a cell that never needs the formula guard), ``type`` (cn_mobile, cn_400, ...),
  the common columns, ``as_written``;

common: ``first_seen_utc``, ``last_seen_utc``, ``sms`` (how many SMS carried it), ``stations``
(the sending transmitters' labels, ``; ``-separated), ``sensors``, ``categories`` (``fraud:3;
phishing:1``). Several values in one cell are joined by ``; ``. Cells are protected from formula
injection (``csvsafe``: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
``'``; so an E.164 number reads ``'+8613800138000`` in ``number`` and ``8613800138000`` in
``digits``). Official numbers and domains are held back (``indicators``).
"""

from __future__ import annotations

from sensor.collector.csvsafe import csv_text
from sensor.collector.indicators import Gathered, Seen
from sensor.intel.defang import defang

LISTS = ("urls", "domains", "numbers")  # the --format blocklist-<name> choices
KIND_OF = {"urls": "url", "domains": "domain", "numbers": "phone"}
COMMON = ("first_seen_utc", "last_seen_utc", "sms", "stations", "sensors", "categories")
HEADERS = {
    "urls": ("url", "defanged", "type", *COMMON, "as_written"),
    "domains": ("domain", "defanged", *COMMON),
    "numbers": ("number", "digits", "type", *COMMON, "as_written"),
}


def _common(s: Seen) -> list[object]:
    return [
        s.first_seen_utc,
        s.last_seen_utc,
        s.count,
        "; ".join(sorted(s.stations.values())),
        "; ".join(sorted(s.sensors)),
        "; ".join(f"{c}:{n}" for c, n in sorted(s.categories.items())),
    ]


def _row(name: str, s: Seen) -> list[object]:
    if name == "urls":
        return [s.value, defang(s.value), s.type, *_common(s), "; ".join(s.written)]
    if name == "domains":
        return [s.value, defang(s.value), *_common(s)]
    return [s.value, s.value.lstrip("+"), s.type, *_common(s), "; ".join(s.written)]


def blocklist_csv(name: str, gathered: Gathered) -> str:
    """The block list ``name`` (one of :data:`LISTS`) as CSV text, header first."""
    return csv_text((_row(name, s) for s in gathered.seen[KIND_OF[name]]), HEADERS[name])
