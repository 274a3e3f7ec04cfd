"""QQ and WeChat ids in an SMS text: the keyword spammers use, then the id.

QQ: ``QQ``, ``扣扣``, ``企鹅``/``企鵝``, ``抠抠``, ``Q`` (alone, before ``:`` or ``号``), optionally
``群`` (a group: type ``qq_group``) and ``号``, then a QQ number: 5 to 11 digits, not starting with
0, spaces or hyphens allowed between digits (``扣扣 123 456 789``).

WeChat: ``微信``, the homophones and look-alikes (``威信``, ``薇信``, ``徽信``, ``维信``, ``V信``),
``VX``/``WX``, ``weixin``/``wechat``, ``加V``/``+V``/``加薇``, or ``V`` before a colon; optionally
``号``; then a WeChat id: a letter then 5-19 letters, digits, ``_`` or ``-`` (WeChat's rule), or a
5-11 digit number (a phone or QQ number used as the id). Values keep the id as written (case too),
separators removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .finding import Finding
from .textmap import Folded

_FILLER = r"[\s:=\-—~*,号號码碼是为為加一下]{0,5}"
_QQ_RE = re.compile(
    r"(?:(?<![a-z])qq(?![a-z])|扣扣|企鹅|企鵝|抠抠|摳摳|(?<![a-z])q(?=\s?[:群号號]))"
    r"(?P<group>\s?群)?" + _FILLER + r"(?P<id>[1-9](?:[\s\-]?[0-9]){4,10})(?![0-9])",
    re.IGNORECASE,
)
_WX_RE = re.compile(
    r"(?:微信|威信|薇信|徽信|维信|維信|[vV]\s?信|(?<![a-z])(?:vx|wx|weixin|wechat|vchat)(?![a-z])"
    r"|(?:加|\+|➕)\s?(?:v|微|薇)(?![a-z])|(?<![a-z])v(?=\s?:))"
    + _FILLER
    + r"(?P<id>[a-z][a-z0-9_\-]{5,19}|[1-9][0-9]{4,10})(?![a-z0-9_\-])",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[\s\-]")


def find_accounts(f: Folded, original: str) -> Iterator[Finding]:
    """QQ findings (kind ``qq``) and WeChat findings (kind ``wechat``)."""
    for m in _QQ_RE.finditer(f.text):
        start, stop = f.span(m.start(), m.end())
        value = _SPACES.sub("", m.group("id"))
        yield Finding("qq", value, original[start:stop], start, stop, type="qq_group" if m.group("group") else "qq")
    for m in _WX_RE.finditer(f.text):
        start, stop = f.span(m.start(), m.end())
        yield Finding("wechat", m.group("id"), original[start:stop], start, stop)
