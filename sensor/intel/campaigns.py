"""SMS campaigns: texts that differ only in filled-in numbers, names or links, grouped into one
campaign with its template.

A fake station pushes one text to every phone it catches, with another link, call-back number,
customer name or sum filled in for each (to dodge filters that block a repeated text, or to track who
clicked). Grouping them is what turns thousands of messages into the few campaigns an analyst acts on.

How (pure, deterministic, batched):

1. *Skeleton* (:func:`skeleton`): what extraction finds (``extract``: links, e-mail, phone numbers,
   QQ/WeChat ids, bank cards, amounts) and any other run of digits is masked, each by one
   placeholder character of its kind (``PLACEHOLDERS``). Texts with the same skeleton are one
   campaign without further ado (a dictionary, no comparison).
2. *Near-duplicates*: a skeleton not seen yet joins the campaign whose first skeleton (its
   *founder*) is the most similar, when that similarity (RapidFuzz's normalised Indel similarity,
   1 - insertions and deletions / both lengths, placeholders one character each) is at least
   ``SIMILARITY`` (``SAME_SENDER_SIMILARITY`` when both came from the same sender: a filled-in
   prize phrase can be a third of a short text); else it founds a campaign. A name or a prize
   filled in is what remains different after masking. A text with parts missing (``of`` > parts
   decoded) is compared by partial similarity (the best-matching stretch of the founder; a fragment
   shorter than ``MIN_PARTIAL`` only with campaigns of its sender) and never shapes a template while
   a whole text does. Where several campaigns are like enough, those of the same sender come first.
3. *Template* (:func:`template_of`): the founder aligned with every other skeleton of the campaign
   kept (the first ``MAX_EXAMPLES``; longest-common-subsequence alignment, RapidFuzz's Indel opcodes):
   what every one of them shares is fixed text, every stretch where one differs is a placeholder; a
   fixed island shorter than ``MIN_ISLAND`` characters, or made of Latin letters and digits only (a
   piece of a word), between two varying stretches is part of them (two names that share a space or
   a syllable are one placeholder). A placeholder is ``{link}``,
   ``{email}``, ``{number}``, ``{account}`` (QQ, WeChat), ``{card}`` or ``{amount}`` when what it
   stands for is one masked finding in the founder, else ``{name}`` (a filled-in word, name or
   phrase). Braces of the text itself are doubled (``{{``, ``}}``), as in a format string.

The campaign id (``cmp:`` + 12 hex of the SHA-256 of the founder's template) depends on the founder
alone, so the same first text gives the same id on every sensor; the collector groups what all
sensors stored again (``Store.campaigns``), so the campaigns of different cars and days merge there
whatever ids the sensors gave.

Work is bounded whatever a station sends: texts are cut at ``MAX_TEXT`` characters, a new skeleton
is compared with the founders of the newest ``MAX_COMPARED`` campaigns (campaigns run for days, not
years), and at most ``MAX_SKELETONS`` are remembered for the exact lookup.

``CampaignBook`` keeps the campaigns of a run (explicit state): ``replay`` fills every ``sms`` object
of a recording in one batch, the daemon each batch of SMS as it publishes them (an id once
published never changes; the template carried is the one known then).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from .extract import extract
from .finding import Finding

SIMILARITY = 0.8  # normalised Indel similarity of two skeletons of one campaign (measured: bench_campaigns)
SAME_SENDER_SIMILARITY = 0.65  # ... when both come from the same sender
MAX_EXAMPLES = 32  # skeletons per campaign its template is aligned over
MIN_ISLAND = 3  # shorter fixed text between two varying stretches varies with them
MIN_PARTIAL = 12  # a shorter fragment of a text with parts missing joins only a campaign of its sender
MAX_COMPARED = 5_000  # a new skeleton is compared with the founders of the newest this many campaigns
MAX_SKELETONS = 200_000  # skeletons remembered for the exact lookup (then only compared)
MAX_TEXT = 2_000  # characters of a text compared (hostile input: bounded work); concatenated SMS ≤ ~1,600

# finding kind → placeholder name; digits nothing found: "number"; what varies otherwise: "name"
PLACEHOLDERS = {"url": "link", "email": "email", "phone": "number", "qq": "account", "wechat": "account",
                "bank_card": "card", "amount": "amount"}  # fmt: skip
_NAMES = ("link", "email", "number", "account", "card", "amount", "name")
_MARK = {name: chr(0xF0000 + i) for i, name in enumerate(_NAMES)}  # supplementary private use: never in SMS text
_NAME_OF = {c: n for n, c in _MARK.items()}
_DIGITS = re.compile(r"\d+(?:[.,:/\-]\d+)*")
# numbers next to numbers (8,669.32 of which a part was found as something else): one number
_RUNS = re.compile(f"{_MARK['number']}(?:[.,:/\\-]?{_MARK['number']})+")


def skeleton(text: str, findings: Sequence[Finding] | None = None) -> str:
    """``text`` (at most ``MAX_TEXT`` characters) with each finding and each other run of digits
    replaced by its placeholder character; ``findings``: extraction's, when already made."""
    found = extract(text) if findings is None else findings
    out: list[str] = []
    at = 0
    for f in sorted(found, key=lambda f: f.start):
        if f.start < at or f.kind not in PLACEHOLDERS:
            continue
        out.append(_DIGITS.sub(_MARK["number"], _strip_marks(text[at : f.start])))
        out.append(_MARK[PLACEHOLDERS[f.kind]])
        at = f.end
    out.append(_DIGITS.sub(_MARK["number"], _strip_marks(text[at:])))
    return _RUNS.sub(_MARK["number"], "".join(out))[:MAX_TEXT]


def _strip_marks(text: str) -> str:
    """A text's own characters that look like placeholders (hostile input) made U+FFFD."""
    return text.translate({ord(c): "\ufffd" for c in _NAME_OF}) if any(c in text for c in _NAME_OF) else text


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def render(skel: str) -> str:
    """A skeleton as template text: placeholders ``{kind}``, the text's braces doubled."""
    return "".join(f"{{{_NAME_OF[c]}}}" if c in _NAME_OF else _escape(c) for c in skel)


def campaign_id(founder: str) -> str:
    """The id of the campaign a skeleton founds."""
    return "cmp:" + hashlib.sha256(render(founder).encode()).hexdigest()[:12]


def template_of(founder: str, others: Iterable[str]) -> str:
    """The template of a campaign: ``founder`` aligned with ``others`` (see the module doc)."""
    n = len(founder)
    kept = [True] * n
    gap = [False] * (n + 1)  # something inserted before founder[i] by some member
    for other in others:
        for tag, i1, i2, _, _ in Indel.opcodes(founder, other).as_list():
            if tag in ("delete", "replace"):
                kept[i1:i2] = [False] * (i2 - i1)
            if tag in ("insert", "replace"):
                gap[i1] = True
    # tokens: fixed text, or a varying stretch holding the founder's characters there
    tokens: list[list[Any]] = []  # [is_var, text]
    for i in range(n + 1):
        if gap[i]:
            _push(tokens, True, "")
        if i < n:
            _push(tokens, not kept[i], founder[i])
    merged: list[list[Any]] = []  # fixed islands shorter than MIN_ISLAND between varying stretches vary
    for k, (var, text) in enumerate(tokens):
        inner = 0 < k < len(tokens) - 1 and tokens[k - 1][0] and tokens[k + 1][0]
        _push(merged, var or (inner and (len(text) < MIN_ISLAND or _word_piece(text))), text)
    parts = []
    for var, text in merged:
        if not var:
            parts.append(render(text))
        elif len(text) == 1 and text in _NAME_OF:
            parts.append(f"{{{_NAME_OF[text]}}}")
        else:
            parts.append("{name}")
    return "".join(parts)


def _word_piece(text: str) -> bool:
    """Latin letters and digits only: a piece of a word ("ang" of "Wang Li" and "Liu Yang")."""
    return text.isascii() and text.isalnum()


def _push(tokens: list[list[Any]], var: bool, text: str) -> None:
    if tokens and tokens[-1][0] == var:
        tokens[-1][1] += text
    else:
        tokens.append([var, text])


@dataclass
class Campaign:
    """One campaign of a book: its id, founder skeleton, the skeletons its template is made of, and
    how many texts joined it."""

    id: str
    founder: str
    sender: str | None
    whole: bool  # founded by a whole text (else by a text with parts missing, until a whole one joins)
    examples: list[str] = field(default_factory=list)
    texts: int = 0
    _template: str | None = None

    @property
    def template(self) -> str:
        if self._template is None:
            self._template = template_of(self.founder, self.examples)
        return self._template

    def add_example(self, skel: str) -> None:
        if skel != self.founder and skel not in self.examples and len(self.examples) < MAX_EXAMPLES:
            self.examples.append(skel)
            self._template = None


class CampaignBook:
    """The campaigns of a run, filled batch by batch (the module doc says how)."""

    def __init__(self, similarity: float = SIMILARITY) -> None:
        self.similarity = similarity
        self.campaigns: list[Campaign] = []
        self._founders: list[str] = []  # campaigns[i].founder
        self._by_skeleton: dict[str, Campaign] = {}

    def assign(self, texts: Sequence[str | None], *, senders: Sequence[str | None] | None = None,
               whole: Sequence[bool] | None = None,
               findings: Sequence[Sequence[Finding] | None] | None = None) -> list[Campaign | None]:  # fmt: skip
        """The campaign of each text (None for a missing text), whole texts first, in order;
        ``senders[i]``: who sent text i; ``whole[i]`` False: text i has parts missing;
        ``findings[i]``: extraction's, when made."""
        n = len(texts)
        is_whole = [True] * n if whole is None else list(whole)
        out: list[Campaign | None] = [None] * n
        order = [i for i in range(n) if is_whole[i]] + [i for i in range(n) if not is_whole[i]]
        for i in order:
            text = texts[i]
            if not isinstance(text, str) or not text:
                continue
            skel = skeleton(text, None if findings is None else findings[i])
            out[i] = self._place(skel, None if senders is None else senders[i], is_whole[i])
        return out

    def _place(self, skel: str, sender: str | None, whole: bool) -> Campaign:
        found = self._by_skeleton.get(skel)
        if found is None:
            found = self._nearest(skel, sender, whole)
            if found is None:
                found = Campaign(campaign_id(skel), skel, sender, whole)
                self.campaigns.append(found)
                self._founders.append(skel)
            elif whole and not found.whole:  # a whole text takes over the template of a partial one
                found.founder, found.whole, found.examples, found._template = skel, True, [], None
                self._founders[self.campaigns.index(found)] = skel
            if whole or not found.whole:
                found.add_example(skel)
            if len(self._by_skeleton) < MAX_SKELETONS:
                self._by_skeleton[skel] = found
        found.texts += 1
        return found

    def _nearest(self, skel: str, sender: str | None, whole: bool) -> Campaign | None:
        """The campaign whose founder is most like ``skel`` (the first of equals), if like enough."""
        if not self.campaigns:
            return None
        first = max(0, len(self.campaigns) - MAX_COMPARED)
        founders, campaigns = self._founders[first:], self.campaigns[first:]
        if whole:
            scores = process.cdist([skel], founders, scorer=Indel.normalized_similarity)[0]
        else:
            scores = process.cdist([skel], founders, scorer=fuzz.partial_ratio)[0] / 100.0
        same = np.array([sender is not None and c.sender == sender for c in campaigns])
        need = np.where(same, min(self.similarity, SAME_SENDER_SIMILARITY), self.similarity)
        if not whole and len(skel) < MIN_PARTIAL:  # a fragment ("{number}。") says nothing: its sender does
            need = np.where(same, need, np.inf)
        ok = np.flatnonzero(scores >= need)
        if ok.size == 0:
            return None
        ok = ok[same[ok]] if same[ok].any() else ok  # one sender's campaigns first
        return campaigns[int(ok[np.argmax(scores[ok])])]

    def fill(self, objs: Sequence[dict[str, Any]]) -> None:
        """Set ``campaign`` (the id) and ``campaign_template`` of ``sms`` objects in place, as one batch;
        an object without text gets None for both."""
        got = self.assign([o.get("text") for o in objs], senders=[o.get("sender") for o in objs],
                          whole=[is_whole(o) for o in objs], findings=[findings_of(o) for o in objs])  # fmt: skip
        for o, c in zip(objs, got, strict=True):
            o["campaign"] = None if c is None else c.id
        for o, c in zip(objs, got, strict=True):  # the templates once the whole batch has joined
            o["campaign_template"] = None if c is None else c.template


def findings_of(obj: Mapping[str, Any]) -> list[Finding] | None:
    """The ``findings`` an ``sms`` object carries (``enrich_sms`` made them: extraction is not run
    again), or None when it has none or they do not fit its text (a stored body is whatever a sensor
    sent: then the text is extracted again)."""
    text, found = obj.get("text"), obj.get("findings")
    if not isinstance(text, str) or not isinstance(found, list):
        return None
    out = []
    for f in found:
        try:
            start, end = (int(x) for x in f["span"])
            finding = Finding(
                str(f["kind"]), str(f["value"]), str(f["raw"]), start, end, f.get("type"), f.get("domain")
            )
        except (KeyError, TypeError, ValueError):
            return None
        if not 0 <= start <= end <= len(text) or text[start:end] != finding.raw:
            return None
        out.append(finding)
    return out


def is_whole(obj: Mapping[str, Any]) -> bool:
    """An ``sms`` object with every part decoded (or not concatenated)."""
    of, parts = obj.get("of"), obj.get("parts")
    return of is None or (isinstance(parts, list) and len(parts) >= of)


def fill_campaigns(objs: Sequence[dict[str, Any]], book: CampaignBook | None = None) -> CampaignBook:
    """Fill the ``sms`` objects' campaigns from ``book`` (a new one when None); returns the book."""
    book = book if book is not None else CampaignBook()
    book.fill(objs)
    return book
