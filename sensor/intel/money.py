"""Money amounts in an SMS text, in yuan (or dollars), as a plain decimal.

Written with a currency sign or word before (``¥5000``, ``￥5,000.00``, ``RMB 3000``, ``人民币2万``,
``$100``) or a unit after (``5000元``, ``5万``, ``3.5万元``, ``2w``, ``500块``, ``10亿``), digits or
Chinese numerals (``伍万元``, ``五千元``, ``三百万``). ``万`` (10^4), ``亿`` (10^8), ``千``/``k``
(10^3) and ``w`` (spam shorthand for 万) multiply. A bare ``N万`` (no currency, no 元) followed by a
counting word (``5万人``, ``3万次``, ``10万积分``) or after a counted noun and a verb of reaching
(``短信突破1亿``, ``用户已达5万``) is a count, not money. ``块`` is the colloquial yuan and also the
measure word for a piece (``鲜花饼一块``): a whole one to nine 块 is money only followed by ``钱`` or
after a price word (``只要一块``, ``仅需3块``); more is money (``五百块``). The value is the amount
in the currency's unit without exponent or trailing zeros: ``3.5万`` → ``"35000"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from .finding import Finding
from .textmap import Folded

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,15}(?:\.\d{1,6})?)"
_CN = r"(?P<cn>[零〇一二两三四五六七八九十百千万亿壹贰貳叁參肆伍陆陸柒捌玖拾佰仟萬億]{1,12})"
_MULT = r"(?P<mult>万|萬|千|亿|億|w|k)?"
_CUR_BEFORE = r"(?P<cur>¥|\$|rmb|cny|usd|人民币)"
_UNIT_AFTER = r"(?P<unit>元|圆|块|rmb|cny|美元|美金|刀)"

# after a bare N万: a counting word makes it a count (5万人), not money
_NOT_COUNTED = r"(?![a-z人次个個条條名户戶家位天年件份积積粉票张張台步倍单單遍])"
# before a bare N万/N亿: a counted noun, then at most a verb of reaching, makes it a count
_COUNTED_BEFORE = re.compile(
    r"(?:短信|信息|消息|积分|積分|用户|用戶|人数|人數|粉丝|粉絲|会员|會員|次数|次數|访问|訪問|下载|下載|点击|點擊"
    r"|注册|註冊|转发|轉發|播放|阅读|閱讀)"
    r"(?:突破|达到|達到|超过|超過|累计|累計|已达|已達|已有|已经|已經|达|達|超|逾|过|過|近|约|約|共|已|有)?\s{0,2}\Z"
)
# before a few 块: a price word makes it yuan (只要一块), else it may be a piece (鲜花饼一块)
_PRICE_BEFORE = re.compile(
    r"(?:价|價|仅|僅|只要|只需|只收|需|花|付|赚|賺|返|充|红包|紅包|现金|現金|奖励|獎勵|¥|￥)\s{0,2}\Z"
)

_PATTERNS = (
    re.compile(_CUR_BEFORE + r"\s{0,2}" + _NUM + r"\s{0,2}" + _MULT + r"(?:\s{0,2}(?:元|圆|块))?", re.IGNORECASE),
    re.compile(r"(?<![0-9.,])" + _NUM + r"\s{0,2}" + _MULT + r"\s{0,2}" + _UNIT_AFTER, re.IGNORECASE),
    re.compile(r"(?<![0-9.,])" + _NUM + r"\s{0,2}(?P<mult>万|萬|亿|億|w)" + _NOT_COUNTED, re.IGNORECASE),
    re.compile(_CN + r"(?P<unit>元|圆|块)"),
)
_MULTIPLIER = {"万": 10**4, "萬": 10**4, "w": 10**4, "千": 10**3, "k": 10**3, "亿": 10**8, "億": 10**8}
_CN_DIGIT = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "貳": 2, "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNIT = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}


def chinese_number(s: str) -> int | None:
    """``伍万`` → 50000, ``三百二十`` → 320, ``十五`` → 15, ``一亿五千万`` → 150000000; None when it is
    not a well-formed number (two digits in a row, a bare unit)."""
    value = section = 0
    digit: int | None = None
    seen = False
    for ch in s:
        if ch in _CN_DIGIT:
            d = _CN_DIGIT[ch]
            if d == 0:
                continue
            if digit is not None:
                return None
            digit, seen = d, True
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit, seen = None, True
        elif ch in _CN_BIG:
            section += digit or 0
            digit = None
            if not section and not value:
                return None
            if _CN_BIG[ch] == 10**4:
                value += section * 10**4
            else:
                value = (value + section) * 10**8
            section = 0
        else:
            return None
    if not seen:
        return None
    return value + section + (digit or 0)


def _plain(d: Decimal) -> str:
    d = d.normalize()
    text = format(d, "f")
    return text


def find_amounts(f: Folded, original: str) -> Iterator[Finding]:
    text = f.text
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            try:
                if groups.get("cn"):
                    n = chinese_number(groups["cn"])
                    if n is None or n == 0:
                        continue
                    amount = Decimal(n)
                else:
                    amount = Decimal(groups["num"].replace(",", ""))
            except InvalidOperation:
                continue
            mult = (groups.get("mult") or "").lower()
            if (
                groups.get("unit") is None
                and groups.get("cur") is None
                and _COUNTED_BEFORE.search(text, max(0, m.start() - 8), m.start())
            ):
                continue  # 短信突破1亿: a count of messages
            if (
                groups.get("unit") == "块"
                and not mult
                and not groups.get("cur")
                and amount < 10
                and amount == amount.to_integral_value()  # 9.9块 is a price; pieces are whole
                and not text.startswith("钱", m.end())
                and not _PRICE_BEFORE.search(text, max(0, m.start() - 4), m.start())
            ):
                continue  # 一块: a piece
            if mult:
                amount *= _MULTIPLIER[mult]
            marks = ((groups.get("cur") or "") + (groups.get("unit") or "")).lower()
            currency = "USD" if any(k in marks for k in ("$", "usd", "美", "刀")) else "CNY"
            end = m.end() + (1 if groups.get("unit") == "块" and text.startswith("钱", m.end()) else 0)
            start, stop = f.span(m.start(), end)
            yield Finding("amount", _plain(amount), original[start:stop], start, stop, type=currency)
