"""Bank card numbers in an SMS text (the account a victim is told to pay into).

16 to 19 digits, written whole or in groups (``6222 0202 0000 1234 567``, ``6222-0202-...``),
starting with 3 to 6 (American Express/JCB/Diners, Visa, Mastercard, UnionPay's 62) and passing
the Luhn check (ISO/IEC 7812-1 Annex B), which one mistyped or invented number in ten does.
Type ``unionpay`` for 62..., ``card`` otherwise; the value is the digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .finding import Finding
from .textmap import Folded

_CARD_RE = re.compile(r"(?<![0-9])[3-6](?:[\s\-]?[0-9]){15,18}(?![0-9])")
_NOT_DIGIT = re.compile(r"[^0-9]")


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812-1 check digit: double every second digit from the right, sum digit sums."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def is_card(digits: str) -> bool:
    """16-19 digits starting with 3-6, Luhn-valid, not one repeated digit."""
    return 16 <= len(digits) <= 19 and digits[0] in "3456" and len(set(digits)) > 1 and luhn_ok(digits)


def find_cards(f: Folded, original: str) -> Iterator[Finding]:
    for m in _CARD_RE.finditer(f.text):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if not is_card(digits):
            continue
        start, stop = f.span(m.start(), m.end())
        issuer = "unionpay" if digits.startswith("62") else "card"
        yield Finding("bank_card", digits, original[start:stop], start, stop, type=issuer)
