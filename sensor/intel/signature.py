"""The brand a text claims: its signature, ``【工商银行】`` (or ``[ICBC]``, ``〖...〗``, ``［...］``)
at the start or the end of the text.

Chinese commercial SMS carry the sender's name in 【】, by rule at the start, in practice at either
end; an opt-out tail may follow the closing one (``…【工商银行】退订回T``). Only those two places
count: a bracket in the middle is quoting, not signing. The signature's text is returned as
written; :meth:`sensor.intel.senders.Senders.brand_named` says which brand it names.
"""

from __future__ import annotations

import re

from .textmap import fold

_BRACKETED = r"[【\[〖〔「『](?P<sig>[^【】\[\]〖〗〔〕「」『』\n]{1,24})[】\]〗〕」』]"
_AT_START = re.compile(r"^[\s\W_]{0,3}?" + _BRACKETED)
# an opt-out tail after a closing signature: 退订回T, 回TD退订, 拒收请回复R, 回N退 ...
_OPT_OUT = (
    r"(?:[\s,.，。;；!！]*"
    r"(?:退订|回复?\s?[a-z]{1,2}\s?退|拒收|回复?\s?t\s?d?\s?退订|退订回\s?[a-z]{1,2})"
    r"[^【】\[\]]{0,12})?"
)
_AT_END = re.compile(_BRACKETED + _OPT_OUT + r"[\s\W_]{0,3}$", re.IGNORECASE)


def signatures(text: str) -> list[str]:
    """The signature texts at the start and at the end (as written, folded), each once, in order."""
    if not isinstance(text, str) or not text:
        return []
    folded = fold(text[:4096] if len(text) <= 4096 else text[:512] + "\n" + text[-512:]).text
    found: list[str] = []
    m = _AT_START.match(folded)
    if m:
        found.append(m.group("sig").strip())
    m = _AT_END.search(folded[-64:])
    if m and m.group("sig").strip() not in found:
        found.append(m.group("sig").strip())
    return [s for s in found if s]
