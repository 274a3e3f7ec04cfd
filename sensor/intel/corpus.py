"""The labelled SMS corpus (``sensor/data/sms_corpus/corpus.jsonl``): real fraud and spam texts as public
sources printed them (news reports quoting the SMS, police and anti-fraud warnings, vendor
documentation, public issue trackers), each with its source, its legal category and its side of a fixed
train/held-out split. The README beside the file says where each kind of text comes from and how it
was labelled.

The split is written into the file so figures are reproducible, and :func:`assign_split` recomputes
it (a test holds the file to it). The first ``DRAWN_UP_TO`` texts were split stratified by category
and grouped by source (every text of one article falls on the same side, so the near-identical
variants an article quotes cannot sit on both sides), drawn with a fixed seed. Every text added after
them takes its side by a rule fixed before any classifier output is seen: the side its source's
earlier texts already have, else held out when ``sha256(source) mod 3 == 0`` — so adding texts never
moves an old one, and no one chooses where a new one goes. A line of a large data set
(``source_kind`` ``dataset``) is grouped with the other lines of its file that share its template
(:func:`split_group`), so a campaign's copies fall on one side.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sensor.errors import InputError

# The five kinds of message whose sending from a fake base station the 2017 judicial interpretation on
# 扰乱无线电通讯管理秩序罪 (法释〔2017〕11号, Art. 2(6)) counts towards 情节严重, then advertising and
# everything else (legitimate notifications, verification codes, operator messages).
LEGAL_CATEGORIES = ("fraud", "gambling", "prostitution", "malware", "phishing")
CATEGORIES = (*LEGAL_CATEGORIES, "advertising", "other")
CATEGORY_ZH = {
    "fraud": "诈骗",
    "gambling": "赌博",
    "prostitution": "招嫖",
    "malware": "木马病毒",
    "phishing": "钓鱼网站链接",
    "advertising": "广告",
    "other": "其他",
}
SPLITS = ("train", "heldout")
SPLIT_SEED = 23
HELDOUT_SHARE = 0.3
DRAWN_UP_TO = 153  # sms-001 … sms-153: the seeded, grouped draw; later ids: the hash rule
_FIELDS = {"id", "text", "label", "source", "source_kind", "split", "note"}


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    text: str
    label: str
    source: str  # the URL the text was copied from
    source_kind: str  # news, government, vendor-doc, issue-tracker, blog, dataset
    split: str  # train or heldout
    note: str = ""


def corpus_path() -> Path:
    return Path(str(resources.files("sensor").joinpath("data", "sms_corpus", "corpus.jsonl")))


def load(path: Path | None = None) -> list[Entry]:
    """Every entry of the corpus, in file order; a malformed line is an ``InputError`` naming it."""
    path = path or corpus_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    entries: list[Entry] = []
    seen: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not {"id", "text", "label", "source", "source_kind", "split"} <= obj.keys():
            raise InputError(f"{path}:{n}: an entry needs id, text, label, source, source_kind and split")
        if set(obj) - _FIELDS:
            raise InputError(f"{path}:{n}: unknown keys {sorted(set(obj) - _FIELDS)}")
        if obj["label"] not in CATEGORIES:
            raise InputError(f"{path}:{n}: label {obj['label']!r} is not one of {', '.join(CATEGORIES)}")
        if obj["split"] not in SPLITS:
            raise InputError(f"{path}:{n}: split {obj['split']!r} is not train or heldout")
        if not all(isinstance(obj[k], str) and obj[k] for k in ("id", "text", "source")):
            raise InputError(f"{path}:{n}: id, text and source must be non-empty strings")
        if obj["id"] in seen:
            raise InputError(f"{path}:{n}: duplicate id {obj['id']}")
        seen.add(obj["id"])
        entries.append(Entry(**{k: obj.get(k, "") for k in _FIELDS}))
    return entries


def _number(entry_id: str) -> int | None:
    head, _, tail = entry_id.partition("-")
    return int(tail) if head == "sms" and tail.isdigit() else None


def _drawn(entry: Entry) -> bool:
    n = _number(entry.id)
    return n is not None and n <= DRAWN_UP_TO


def hashed_side(source: str) -> str:
    """A later text's side when its source has no earlier text: held out when the SHA-256 of the
    source (UTF-8) is 0 modulo 3, about a third of the new sources."""
    return "heldout" if int(hashlib.sha256(source.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "train"


_HAN = re.compile("[\u4e00-\u9fff]")
TEMPLATE_CHARS = 12  # a dataset line's template: its first 12 Chinese characters


def split_group(entry: Entry) -> str:
    """What keeps texts together across the split. For a text from a news page or an issue its
    source (an article's variants stay together). For a line of a large data set (``source_kind``
    ``dataset``, the source a file URL with ``#L<line>``) the file and the line's template — its
    first :data:`TEMPLATE_CHARS` Chinese characters, so a campaign's copies that differ only in a
    filter-dodging symbol or a masked number fall on one side; a line with fewer Chinese
    characters is its own group."""
    if entry.source_kind != "dataset":
        return entry.source
    han = "".join(_HAN.findall(entry.text))
    if len(han) < TEMPLATE_CHARS:
        return entry.source
    return f"{entry.source.split('#', 1)[0]}#{han[:TEMPLATE_CHARS]}"


def assign_split(entries: list[Entry], *, seed: int = SPLIT_SEED, share: float = HELDOUT_SHARE) -> dict[str, str]:
    """Each entry's side, by id. The first ``DRAWN_UP_TO`` texts: per category, the source groups in
    a seeded shuffle go to held-out until it holds about ``round(share × n)`` of the category's texts
    (at least one; a group that would overshoot by more than a quarter is passed over); a category
    with a single text is held out (the rules are what can recognise it, the model never sees it).
    Later texts: the side their group (:func:`split_group`: the source, or a data set's template)
    already has (among the drawn texts, or else among earlier later texts by id), else
    :func:`hashed_side` of the group."""
    split = _draw([e for e in entries if _drawn(e)], seed=seed, share=share)
    by_source: dict[str, str] = {}
    for e in sorted(entries, key=_order):  # the earliest text of a source decides for its later ones
        if e.id in split:
            by_source.setdefault(split_group(e), split[e.id])
    for e in sorted((e for e in entries if not _drawn(e)), key=_order):
        group = split_group(e)
        split[e.id] = by_source.setdefault(group, hashed_side(group))
    return split


def _order(e: Entry) -> tuple[int, str]:
    n = _number(e.id)
    return (n if n is not None else 1 << 30, e.id)


def _draw(entries: list[Entry], *, seed: int, share: float) -> dict[str, str]:
    by_label: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for e in entries:
        by_label[e.label][e.source].append(e.id)
    split: dict[str, str] = {}
    for label in sorted(by_label):
        groups = by_label[label]
        sources = sorted(groups)
        random.Random(f"{seed}:{label}").shuffle(sources)
        total = sum(len(ids) for ids in groups.values())
        want = max(1, round(share * total))
        slack = max(1, want // 4)
        held_sources: list[str] = []
        held = 0
        for source in sources:  # a group that would overshoot by more than the slack is skipped
            if held < want and held + len(groups[source]) <= want + slack:
                held_sources.append(source)
                held += len(groups[source])
        if not held_sources:  # every group is too big: the smallest one goes
            held_sources.append(min(sources, key=lambda s: (len(groups[s]), sources.index(s))))
        for source in sources:
            for i in groups[source]:
                split[i] = "heldout" if source in held_sources else "train"
    return split


def by_split(entries: list[Entry], split: str) -> list[Entry]:
    return [e for e in entries if e.split == split]
