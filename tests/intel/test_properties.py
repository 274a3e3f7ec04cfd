"""Extraction is total and its findings are well-formed, whatever the text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.intel import extract
from sensor.intel.finding import KINDS
from sensor.intel.textmap import fold

# Text drawn from the characters that matter to the matchers, so that near-misses are common.
ALPHABET = st.sampled_from(
    list("0123456789abcdefghijklmnopqrstuvwxyzOolI.-:/ @+()[]¥$,_*")
    + list("点點。．，：／ｈｔｐｗｃｏｍ１２３元万块扣微信企鹅群号【】工商银行退订回T")
    + ["\u200b", "\u00ad", "\ufeff", "①", "ｑｑ", "ＶＸ", "\n", "\t", "\ud800"]
)
TEXTS = st.one_of(st.text(), st.lists(ALPHABET, max_size=120).map("".join))

_E164 = re.compile(r"^\+[1-9]\d{6,15}$")
_DIGITS = re.compile(r"^\d{3,20}$")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_extraction_is_total_and_well_formed(text: str) -> None:
    found = extract(text)
    last_end = 0
    for f in found:
        assert f.kind in KINDS
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.raw
        assert f.start >= last_end  # in text order, no overlaps
        last_end = f.end
        assert f.value and f.value == f.value.strip()
        if f.kind == "phone":
            assert _E164.match(f.value) or _DIGITS.match(f.value)
        elif f.kind in ("qq", "bank_card"):
            assert f.value.isdigit()
        elif f.kind == "amount":
            assert re.fullmatch(r"\d+(\.\d+)?", f.value) and f.type in ("CNY", "USD")
        elif f.kind == "url":
            assert f.value.isascii() and " " not in f.value
            assert f.domain is None or (f.domain.isascii() and f.domain == f.domain.lower())


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_maps_every_character_back(text: str) -> None:
    f = fold(text)
    assert len(f.text) == len(f.origin)
    assert list(f.origin) == sorted(f.origin)
    assert all(0 <= i < len(text) for i in f.origin)


def test_non_text_gives_nothing() -> None:
    assert extract("") == []
    assert extract(None) == []  # type: ignore[arg-type]
    assert extract(b"http://a.com") == []  # type: ignore[arg-type]


# Texts built to make a backtracking matcher go exponential: long runs of what almost matches.
HOSTILE = [
    "a." * 32768,
    "w " * 32768,
    "1-" * 32768,
    "1 " * 32768,
    ("x" * 63 + " 点 ") * 1000,
    "http://" + "a-" * 32000,
    "QQ" * 32768,
    "微信" * 32768,
    "4" * 65536,
    "【" * 65536,
    "¥1," * 20000,
    ("i*c*b*c" + "." * 3) * 6000,
]


def test_hostile_64k_texts_are_extracted_whole() -> None:
    # What they cost is measured by bench/bench_intel.py (the worst of such texts), not timed here.
    for text in HOSTILE:
        found = extract(text)
        assert all(text[f.start : f.end] == f.raw for f in found)
