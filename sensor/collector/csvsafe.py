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

from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_GUARDED = (*FORMULA_STARTS, "'")
_QUOTE_IF = (",", '"', "\r", "\n")


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


def _field(value: Any) -> str:
    text = str(protect(value))
    if any(c in text for c in _QUOTE_IF):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> str:
    """``header`` then ``rows`` as CSV, every cell :func:`protect`-ed: RFC 4180 quoting (a cell holding
    ``,``, ``"``, CR or LF is quoted, ``"`` doubled), rows ending in ``\\n``. Written here rather than
    with ``csv.writer``: with a ``\\n`` line end, Python 3.11's writer leaves a lone CR unquoted,
    and an SMS text holding one would split its row for every reader."""
    return "".join(_line([_field(v) for v in row]) for row in (header, *rows))


def _line(fields: list[str]) -> str:
    return ('""' if fields == [""] else ",".join(fields)) + "\n"  # one empty cell is not an empty line
