"""Everything an SMS text points to: links, e-mail, phone numbers, QQ/WeChat ids, bank cards, amounts.

:func:`extract` is total (any ``str`` in, a list out, no exception) and makes one pass of compiled
regular expressions per kind over the folded text (:mod:`.textmap`). Where two findings would
overlap, the more specific wins, in this order: link, e-mail, bank card, QQ, WeChat, amount, phone
(a number inside a link's path is part of the link; ``QQ 13812345678`` is a QQ id, not a phone
number). The findings come back in text order, each with its span in the text as written.

Texts are bounded: the longest SMS a phone can assemble is 255 parts of 160 characters (40,800);
only the first :data:`MAX_CHARS` characters of a longer text are looked at.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable, Iterator

from .accounts import find_accounts
from .cards import find_cards
from .finding import Finding
from .links import find_emails, find_links
from .money import find_amounts
from .phones import find_phones
from .textmap import Folded, fold

log = logging.getLogger(__name__)

MAX_CHARS = 65536

Finder = Callable[[Folded, str], Iterable[Finding]]
# Highest priority first (see the module doc).
FINDERS: tuple[Finder, ...] = (find_links, find_emails, find_cards, find_accounts, find_amounts, find_phones)
_PRIORITY = {"url": 0, "email": 1, "bank_card": 2, "qq": 3, "wechat": 4, "amount": 5, "phone": 6}


def _candidates(f: Folded, text: str) -> Iterator[Finding]:
    for finder in FINDERS:
        try:
            yield from finder(f, text)
        except Exception:  # one failing finder must not cost the others' findings
            log.exception("extraction: %s failed on a text of %d characters", finder.__name__, len(text))


def extract(text: str) -> list[Finding]:
    """The findings of ``text`` (see the module doc); ``[]`` for an empty or non-string text."""
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_CHARS]
    f = fold(text)
    found = sorted(_candidates(f, text), key=lambda x: (_PRIORITY[x.kind], x.start, -x.end))
    starts: list[int] = []  # the kept spans, disjoint, ordered by start
    ends: list[int] = []
    kept: list[Finding] = []
    for item in found:
        if item.end <= item.start:
            continue
        i = bisect.bisect_left(starts, item.start)
        if (i > 0 and ends[i - 1] > item.start) or (i < len(starts) and starts[i] < item.end):
            continue
        starts.insert(i, item.start)
        ends.insert(i, item.end)
        kept.append(item)
    kept.sort(key=lambda x: (x.start, x.end))
    return kept
