"""Extraction over the real corpus: every corpus text with a link or a number has its hand-checked
findings in ``data/corpus_findings.jsonl`` (kind, type, value, and the registered domain of a link),
and the extraction finds exactly those.

A row marked ``defect`` is a text the extraction gets wrong today: ``expected`` is what the text
really carries and the test holds that the extraction still differs, so a fix shows up here (move
the row to the plain ones) and a regression elsewhere cannot hide. ``note`` says why a row expects
less than a reader sees (numbers and links the source masked or cut are not findings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sensor.intel.corpus import load
from sensor.intel.extract import extract

ROWS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "corpus_findings.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
TEXTS = {e.id: e.text for e in load()}
# what makes a text one "with a link or a number": a run of three digits, a scheme, www, a dotted name
_LINK_OR_NUMBER = re.compile(r"\d{3,}|https?:|www|[a-z0-9]\.(?:com|cn|net|cc|im|pw|club|fyi|apk)", re.I)


def _found(text: str, *, domains: bool = True) -> list[dict[str, str | None]]:
    out = []
    for f in extract(text):
        d = {"kind": f.kind, "type": f.type, "value": f.value}
        if f.kind == "url" and domains:
            d["domain"] = f.domain
        out.append(d)
    return out


def _pair(row: dict) -> tuple[list[dict], list[dict]]:
    """(found, expected) in the same terms: a row whose links give no domain (a host without a
    public suffix) compares links without it."""
    expected = [{k: v for k, v in d.items() if k in ("kind", "type", "value", "domain")} for d in row["expected"]]
    domains = all("domain" in d for d in expected if d["kind"] == "url")
    return _found(TEXTS[row["id"]], domains=domains), expected


def test_every_text_with_a_link_or_number_has_a_row():
    rows = {r["id"] for r in ROWS}
    assert len(rows) == len(ROWS)
    assert rows <= set(TEXTS)
    wanted = {i for i, t in TEXTS.items() if _LINK_OR_NUMBER.search(t) or extract(t)}
    assert wanted <= rows, sorted(wanted - rows)
    assert len(rows) >= 80


@pytest.mark.parametrize("row", [r for r in ROWS if "defect" not in r], ids=lambda r: r["id"])
def test_the_extraction_finds_what_the_text_carries(row):
    found, expected = _pair(row)
    assert found == expected


def test_known_extraction_defects_are_still_there():
    # a row may record a defect ("defect": why); if this fails, the extraction was fixed for that
    # text: drop the row's "defect" (one test over the rows, not one per row: none are left now)
    fixed = [r["id"] for r in ROWS if "defect" in r and (not r["defect"] or _pair(r)[0] == _pair(r)[1])]
    assert fixed == []


def test_defects_are_few():
    # the eleven recorded before (sms-010 spaced link, -023 突破1亿, -087 满10000积分, -123 http://….apk,
    # -129 dotted card, -172/-469/-470/-481 masked x figures, -296 host ended by 。, -433 一块 a piece)
    # are fixed by general rules, each with its hand-written cases in test_extract_cases.py
    defects = [r["id"] for r in ROWS if "defect" in r]
    assert defects == []
