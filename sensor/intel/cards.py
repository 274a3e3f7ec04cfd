"""Bank card numbers in an SMS text (the account a victim is told to pay into).

16 to 19 digits, written whole or in groups (``6222 0202 0000 1234 567``, ``6222-0202-...``),
starting with 3 to 6 (American Express/JCB/Diners, Visa, Mastercard, UnionPay's 62) and passing
the Luhn check (ISO/IEC 7812-1 Annex B), which one mistyped or invented number in ten does.

Groups joined by dots (``621226.240200.6159780``) are a card too, but dotted digit runs are also
amounts, versions and addresses, so there the groups must be of three digits or more and the length
one its issuer's numbers have (:data:`BIN_LENGTHS`: UnionPay 62 16-19, Visa 4 16 or 19, Mastercard
51-55 and 2221-2720 16, JCB 3528-3589 16-19).
Type ``unionpay`` for 62..., ``card`` otherwise; the value is the digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .finding import Finding
from .textmap import Folded

_CARD_RE = re.compile(r"(?<![0-9])[3-6](?:[\s\-]?[0-9]){15,18}(?![0-9])")
_DOTTED_RE = re.compile(r"(?<![0-9.])[2-6][0-9]{2,18}(?:\.[0-9]{3,18}){1,5}(?![0-9]|\.[0-9])")
_NOT_DIGIT = re.compile(r"[^0-9]")

# Issuer prefix → the lengths its card numbers have (ISO/IEC 7812 issuer ranges as the networks
# publish them); first match wins.
BIN_LENGTHS: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = (
    (re.compile(r"62"), frozenset({16, 17, 18, 19})),
    (re.compile(r"4"), frozenset({16, 19})),
    (re.compile(r"5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720"), frozenset({16})),
    (re.compile(r"35(?:2[89]|[3-8])"), frozenset({16, 17, 18, 19})),
)


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


def has_issuer_length(digits: str) -> bool:
    """True when the number's length is one its issuer's prefix (:data:`BIN_LENGTHS`) allows."""
    for prefix, lengths in BIN_LENGTHS:
        if prefix.match(digits):
            return len(digits) in lengths
    return False


def _candidates(text: str) -> Iterator[tuple[re.Match[str], str]]:
    for m in _CARD_RE.finditer(text):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if is_card(digits):
            yield m, digits
    for m in _DOTTED_RE.finditer(text):
        digits = _NOT_DIGIT.sub("", m.group(0))
        if has_issuer_length(digits) and luhn_ok(digits) and len(set(digits)) > 1:
            yield m, digits


def find_cards(f: Folded, original: str) -> Iterator[Finding]:
    for m, digits in _candidates(f.text):
        start, stop = f.span(m.start(), m.end())
        issuer = "unionpay" if digits.startswith("62") else "card"
        yield Finding("bank_card", digits, original[start:stop], start, stop, type=issuer)
