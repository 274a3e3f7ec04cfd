"""The labelled SMS corpus: well formed, every category present, each text with its source, and the
split in the file the one ``assign_split`` draws (stratified, grouped by source, seeded)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sensor.errors import InputError
from sensor.intel.corpus import CATEGORIES, Entry, assign_split, by_split, load


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load()


def test_every_category_is_present_with_sources(entries):
    counts = Counter(e.label for e in entries)
    assert set(counts) == set(CATEGORIES)
    assert len(entries) >= 153
    assert all(e.source.startswith(("http://", "https://")) for e in entries)
    assert all(e.source_kind in {"news", "government", "vendor-doc", "issue-tracker", "blog"} for e in entries)
    assert len({e.text for e in entries}) == len(entries)  # no text twice


def test_the_split_in_the_file_is_the_seeded_one(entries):
    drawn = assign_split(entries)
    assert {e.id: e.split for e in entries} == drawn
    # a source's texts all sit on one side: an article's variants cannot leak across
    sides: dict[str, set[str]] = {}
    for e in entries:
        sides.setdefault(f"{e.label}|{e.source}", set()).add(e.split)
    assert all(len(s) == 1 for s in sides.values())
    held = Counter(e.label for e in by_split(entries, "heldout"))
    assert all(held[c] >= 1 for c in CATEGORIES)
    assert len(by_split(entries, "heldout")) == 57


def test_the_split_does_not_depend_on_file_order(entries):
    assert assign_split(list(reversed(entries))) == assign_split(entries)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('{"id": "a", "text": "x"}', "needs id, text"),
        (
            '{"id": "a", "text": "x", "label": "spam", "source": "http://x", "source_kind": "news", "split": "train"}',
            "label 'spam'",
        ),
        (
            '{"id": "a", "text": "x", "label": "fraud", "source": "http://x", "source_kind": "news", "split": "dev"}',
            "split 'dev'",
        ),
        (
            '{"id": "a", "text": "x", "label": "fraud", "source": "http://x", "source_kind": "news",'
            ' "split": "train", "extra": 1}',
            "unknown keys",
        ),
    ],
)
def test_a_malformed_line_is_named(tmp_path, line, message):
    path = tmp_path / "c.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load(path)


def test_duplicate_ids_are_refused(tmp_path):
    obj = {"id": "a", "text": "x", "label": "fraud", "source": "http://x", "source_kind": "news", "split": "train"}
    path = tmp_path / "c.jsonl"
    path.write_text((json.dumps(obj) + "\n") * 2, encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id a"):
        load(path)
