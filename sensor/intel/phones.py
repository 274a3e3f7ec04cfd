"""Telephone numbers in an SMS text, typed the way Chinese numbering works, E.164 where they parse.

Candidates are digit runs in the folded text (full-width and circled digits are plain there),
allowed to carry what spammers put inside: spaces, hyphens, dots, brackets (``(0755) 1234-5678``,
``138 1234 5678``) and the letters that look like digits (``4OO-800-1234``, ``138O0138OOO``: O
for 0, also at the end; l or I for 1, between digits). Each run is typed by its digits, in this order:

* ``foreign``/China by country code: ``+`` or ``00`` first (``+852 ...``, ``0086 138...``), or
  ``86`` before an 11-digit mobile; parsed and checked with ``phonenumbers``;
* ``cn_sms_port``: ``106`` and 2-17 more digits, the SMS service ports (value: the digits);
* ``cn_mobile``: 11 digits ``1[3-9]...`` (E.164 ``+86...``);
* ``cn_400`` / ``cn_800``: 10 digits from 400 or 800, the shared-cost and toll-free service numbers;
* ``cn_service_short``: 95xxx and 96xxx (5 digits, or 8 digits 95xxxxxx), 100xx (10086, 10010,
  10000) and 123xx (12306, 12315, 12345): the national service short numbers (value: the digits,
  they have no E.164 form), not when a money unit follows (``12345元``) nor a count word
  (``满10000积分``, ``10086条``: a count of points or messages, :data:`COUNT_AFTER`);
* ``cn_landline``: 0, an area code and a subscriber number that ``phonenumbers`` takes as a valid
  fixed line of China (E.164).

Anything else (verification codes, order numbers) is not a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneNumberType

from .cards import is_card
from .finding import Finding
from .textmap import Folded

_D = r"[0-9]"
_DL = r"[0-9OoIl]"  # a digit, or a letter that stands for one between digits
_SEP = r"[\s\-–—.·()/]{0,3}"
_CANDIDATE = re.compile(
    r"(?<![0-9a-z+])(?P<plus>\+\s?)?(?:\(\s?)?" + _D + r"(?:" + _SEP + _DL + r"){1,22}(?<=[0-9Oo])(?![0-9a-z])",
    re.IGNORECASE,
)
_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
_NOT_DIGIT = re.compile(r"[^0-9]")
# A count word right after a number: the number counts points, messages, people... (a measure word
# or counted noun), it is not dialled.
COUNT_AFTER = re.compile(
    r"\s{0,2}(?:积分|積分|分(?![机機行])|条|條|人(?!工)|次|个(?!人)|個(?!人)|名(?!下)|位|户(?!名)|戶(?!名)|件|份"
    r"|张|張|台|倍|步|小时|小時|秒|元|块|万|千|亿|角|%|rmb|cny|w\b)",
    re.IGNORECASE,
)  # not 人工 (拨打10086人工服务), 个人, 分机/分行, 名下, 户名
_MONEY_BEFORE = re.compile(r"(?:¥|\$|rmb|cny|人民币)\s{0,2}$", re.IGNORECASE)

_MOBILE = re.compile(r"1[3-9]\d{9}")
_SMS_PORT = re.compile(r"106\d{2,17}")
_SERVICE = re.compile(r"9[56]\d{3}|95\d{6}|100\d\d|123\d\d")
_TOLL = re.compile(r"(400|800)\d{7}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")


def classify(digits: str, international: bool = False) -> tuple[str, str] | None:
    """``(type, value)`` of a dialled number (digits only; ``international``: it was written with
    ``+`` or ``00``, which ``digits`` no longer carries), or None when it is no telephone number."""
    if international:
        return _international(digits)
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return "cn_mobile", "+" + digits
    if _SMS_PORT.fullmatch(digits):
        return "cn_sms_port", digits
    if _MOBILE.fullmatch(digits):
        return "cn_mobile", "+86" + digits
    m = _TOLL.fullmatch(digits)
    if m:
        return ("cn_400" if m.group(1) == "400" else "cn_800"), "+86" + digits
    if _SERVICE.fullmatch(digits):
        return "cn_service_short", digits
    if _LANDLINE.fullmatch(digits):
        try:
            number = phonenumbers.parse(digits, "CN")
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
            PhoneNumberType.FIXED_LINE,
            PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            return "cn_landline", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _international(digits: str) -> tuple[str, str] | None:
    if len(digits) < 7 or len(digits) > 17:
        return None
    if digits.startswith("86"):
        national = digits[2:]
        got = classify(national)
        if got is not None:
            return got
        return None
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return "foreign", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PIECE = re.compile(_DL + r"+", re.IGNORECASE)
_MAX_PIECES = 8  # a number is written in at most this many groups (+86 0755 1234 5678: 4)


def find_phones(f: Folded, original: str) -> Iterator[Finding]:
    """Phone findings (kind ``phone``) in the folded text ``f`` of ``original``.

    A run that is not one number as a whole (two numbers side by side, a number beside a date) is
    read as consecutive groups: the longest run of groups from the left that is a number, then on."""
    text = f.text
    for m in _CANDIDATE.finditer(text):
        international = m.group("plus") is not None
        if not international and is_card(_NOT_DIGIT.sub("", m.group(0))):
            continue  # a bank card (found as one), not numbers to split
        got = _typed(m.group(0), international)
        if got is not None:
            yield from _finding(f, original, m.start(), m.end(), got)
            continue
        pieces = [(p.start() + m.start(), p.end() + m.start()) for p in _PIECE.finditer(m.group(0))]
        i = 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + _MAX_PIECES), i, -1):
                start, end = pieces[i][0], pieces[j - 1][1]
                if not text[start].isdigit() or not (text[end - 1].isdigit() or text[end - 1] in "Oo"):
                    continue
                got = _typed(text[start:end], international and i == 0)
                if got is not None:
                    yield from _finding(f, original, start, end, got)
                    i = j
                    break
            else:
                i += 1


def _typed(written: str, international: bool) -> tuple[str, str] | None:
    digits = _NOT_DIGIT.sub("", written.translate(_TO_DIGIT))
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    return classify(digits, international)


def _finding(f: Folded, original: str, start: int, end: int, got: tuple[str, str]) -> Iterator[Finding]:
    kind, value = got
    text = f.text
    if kind == "cn_service_short" and (
        COUNT_AFTER.match(text, end) or _MONEY_BEFORE.search(text, max(0, start - 6), start)
    ):
        return
    a, b = f.span(start, end)
    yield Finding("phone", value, original[a:b], a, b, type=kind)
