"""The labelled SMS corpus: well formed, every category present, each text with its source, and the
split in the file the one ``assign_split`` gives (the first texts: stratified, grouped by source,
seeded; later ones: their source's side, else a hash of the source)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sensor.errors import InputError
from sensor.intel.corpus import (
    CATEGORIES,
    DRAWN_UP_TO,
    LEGAL_CATEGORIES,
    Entry,
    assign_split,
    by_split,
    hashed_side,
    load,
    split_group,
)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return load()


def test_every_category_is_present_with_sources(entries):
    counts = Counter(e.label for e in entries)
    assert set(counts) == set(CATEGORIES)
    assert len(entries) >= 300  # the floor
    assert all(counts[c] >= 20 for c in LEGAL_CATEGORIES)
    assert all(e.source.startswith(("http://", "https://")) for e in entries)
    kinds = {"news", "government", "vendor-doc", "issue-tracker", "blog", "dataset"}
    assert all(e.source_kind in kinds for e in entries)
    assert len({e.text for e in entries}) == len(entries)  # no text twice


def test_the_split_in_the_file_is_the_seeded_one(entries):
    drawn = assign_split(entries)
    assert {e.id: e.split for e in entries} == drawn
    # a source's texts (a data set's template) all sit on one side: variants cannot leak across
    sides: dict[str, set[str]] = {}
    for e in entries:
        sides.setdefault(f"{e.label}|{split_group(e)}", set()).add(e.split)
    assert all(len(s) == 1 for s in sides.values())
    held = Counter(e.label for e in by_split(entries, "heldout"))
    assert all(held[c] >= 1 for c in CATEGORIES)
    assert len(by_split(entries, "heldout")) == 209


def test_the_split_does_not_depend_on_file_order(entries):
    assert assign_split(list(reversed(entries))) == assign_split(entries)


def test_added_texts_never_move_the_drawn_ones_and_take_their_side_by_rule(entries):
    drawn = {e.id: e.split for e in entries if int(e.id[4:]) <= DRAWN_UP_TO}
    assert len(drawn) == DRAWN_UP_TO
    old = entries[0]
    more = [
        *entries,
        Entry("sms-900", "新来源的短信", "fraud", "https://example.org/a", "news", "train"),
        Entry("sms-901", "老来源的又一条短信", "gambling", old.source, "news", "train"),
    ]
    split = assign_split(more)
    assert {i: split[i] for i in drawn} == drawn  # nothing drawn moves
    assert split["sms-900"] == hashed_side("https://example.org/a")
    assert split["sms-901"] == old.split  # an article's texts stay together
    assert hashed_side("https://example.org/a") in ("train", "heldout")
    sides = [hashed_side(f"https://example.org/{i}") for i in range(300)]
    assert 70 < sides.count("heldout") < 130  # about a third


def test_a_data_sets_copies_of_one_template_share_a_side():
    url = "https://example.org/spam.txt"
    tea = "prostitution"
    a = Entry("sms-901", "}朋友｜最近好吗？有上好的茶叶，还是原来的味道。", tea, f"{url}#L5", "dataset", "train")
    b = Entry("sms-902", ";朋友！最近好吗？有 上 好 的 茶 叶，还是原来", tea, f"{url}#L9", "dataset", "train")
    c = Entry("sms-903", "澳门欢迎您！携手四大赌场联合经营", "gambling", f"{url}#L7", "dataset", "train")
    short = Entry("sms-904", "嫩模 xxxxxxxxxxx", "prostitution", f"{url}#L8", "dataset", "train")
    assert split_group(a) == split_group(b) == f"{url}#朋友最近好吗有上好的茶叶"
    assert split_group(c) != split_group(a)
    assert split_group(short) == short.source  # too few Chinese characters: its own group
    news = Entry("sms-905", "澳门欢迎您！携手四大赌场联合经营", "gambling", "https://example.org/a#x", "news", "train")
    assert split_group(news) == news.source
    split = assign_split([a, b, c, short])
    assert split["sms-901"] == split["sms-902"] == hashed_side(split_group(a))
    sides = [hashed_side(f"https://example.org/{i}") for i in range(300)]
    assert 70 < sides.count("heldout") < 130  # about a third


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
