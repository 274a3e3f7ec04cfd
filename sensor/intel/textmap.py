"""An SMS text folded for matching, with the way back to the characters as written.

Spammers write links and numbers so that filters miss them: full-width forms (ｈｔｔｐ, ．ｃｏｍ,
１３８), circled or styled digits (①③⑧), invisible characters between the letters (zero-width
space, soft hyphen, word joiner). :func:`fold` applies Unicode NFKC to each character (full-width and
compatibility forms become their plain ASCII letters and digits), drops the invisible ones, and keeps
for every folded character the index of the character it came from, so a match in the folded text
is reported as a span of the text as written.

Folding character by character keeps the map exact (NFKC of a whole string may compose across
characters); an ASCII text is its own fold.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Characters that render as nothing: inserted between letters to break a filter's match.
INVISIBLE = frozenset(
    "\u00ad"  # soft hyphen
    "\u034f"  # combining grapheme joiner
    "\u061c"  # Arabic letter mark
    "\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b\u200c\u200d\u200e\u200f"  # zero-width space / (non-)joiner, LRM, RLM
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"  # bidi isolates
    "\u3164\ufeff\uffa0"  # Hangul fillers, BOM
    "\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07"  # variation selectors
    "\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f"
)


class _FoldTable(dict):
    """``str.translate`` table filled on demand: code point → its NFKC form ("" if invisible).
    Characters that do not fold to exactly one character are noted in ``irregular``."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set(INVISIBLE)

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        got = "" if ch in INVISIBLE else "".join(c for c in unicodedata.normalize("NFKC", ch) if c not in INVISIBLE)
        if len(got) != 1:
            self.irregular.add(ch)
        if len(self) < 16384:
            self[cp] = got
        return got


_TABLE = _FoldTable()


@dataclass(frozen=True, slots=True)
class Folded:
    """``text`` folded; ``origin[i]`` is the index in the text as written of folded character i."""

    text: str
    origin: Sequence[int]
    length: int  # of the text as written

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span ``[start, end)`` of the folded text as a span of the text as written."""
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else self.length
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def fold(text: str) -> Folded:
    """NFKC per character, invisible characters dropped, with the map back (see the module doc)."""
    if text.isascii():
        return Folded(text, range(len(text)), len(text))
    folded = text.translate(_TABLE)
    if _TABLE.irregular.isdisjoint(text):
        return Folded(folded, range(len(text)), len(text))  # one character for one: most SMS
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        got = ch if ch.isascii() else _TABLE[ord(ch)]
        for c in got:
            out.append(c)
            origin.append(i)
    return Folded("".join(out), tuple(origin), len(text))
