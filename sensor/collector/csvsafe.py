"""CSV that a spreadsheet opens as data: cells protected from formula injection.

A spreadsheet (Excel, LibreOffice, Google Sheets) takes a cell that starts with ``=``, ``+``, ``-``
or ``@`` as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``), and one starting
with a tab or carriage return can hide such a start. Whatever a fake station sent (SMS text, links,
numbers, sender names) and whatever a sensor named itself is hostile, so every *text* cell that
starts with one of those characters gets a leading single quote (the OWASP "CSV injection"
advice): spreadsheets show it as text. So that the guard can be undone exactly, a cell that
itself starts with ``'`` gets one more; a program reading the file strips one leading ``'`` from a
cell that starts with ``'`` followed by one of those characters or another ``'`` to get the value
back (:func:`unprotect`). Numbers (int, float) are written as numbers: a negative level stays ``-23.1``.
Unknown values (None) are empty cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = (*FORMULA_STARTS, "'")


def protect(value: Any) -> Any:
    """``value`` as a CSV cell: None → "", a string starting with a formula character or ``'`` → ``'`` + it."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_GUARDED):
        return "'" + value
    return value


def unprotect(cell: str) -> str:
    """The value :func:`protect` wrote as ``cell`` (for readers of the file, and the tests)."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1] in _GUARDED else cell


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """``header`` then ``rows`` as CSV (RFC 4180 quoting, ``\\n`` line ends), every cell :func:`protect`-ed."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([protect(h) for h in header])
    for row in rows:
        w.writerow([protect(v) for v in row])
    return buf.getvalue()
