"""The category of an SMS text, the way courts and anti-fraud teams sort what a fake station pushes:
fraud (诈骗), gambling (赌博), prostitution (招嫖), malware (木马病毒), phishing (钓鱼网站链接) — the five
kinds the 2017 judicial interpretation counts — or advertising (广告) or other, with the reasons.

Transparent rules decide: each cue of ``classify_rules.CUES`` that the folded text carries adds its
weight to its category, and three structural cues add theirs — a link whose domain is not that of
the brand the text claims (phishing), a link to an ``.apk`` (malware), a link from a number that is
an official service number (phishing: banks and operators say their service numbers send no links).
The category with the largest sum wins if it beats ``OTHER_BASELINE`` (what a text with no marks
scores as other); ties go to the more harmful category (``PRIORITY``). Each verdict comes with its
reasons as ``{"rule", "weight", "detail"}``, like the detection rules', the detail written for an
analyst ("offers cash for points (积分, 兑换) and links to 10086sfw[.]cn"). Links in a detail are
defanged; the text itself is never fetched or followed.

``classify_model`` holds the trained alternative (character n-grams and a linear model) and
``classify_eval`` the measurement that decides whether it is used (it is not: see ``METHOD``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sensor.intel.classify_rules import BRAND_DOMAINS, CUES, Cue
from sensor.intel.corpus import CATEGORIES

MAX_TEXT_CHARS = 16_384  # a concatenated SMS is at most 255 parts of 153 characters; beyond: not read
OTHER_BASELINE = 1.0
# Ties go to the first: what harms most, and what the count of 情节严重 needs, first.
PRIORITY = ("malware", "phishing", "gambling", "prostitution", "fraud", "advertising", "other")
# The rules decide alone: on the held-out part the model, alone or as a fallback, did not help
# (``fbs-sensor evaluate --sms --method`` prints the three).
METHOD = "rules"

_URL_CHARS = r"[a-z0-9._~:/?#@!$&'*+,;=%-]"  # ASCII only: a link ends where the Chinese resumes
_LINK = re.compile(
    rf"(?:https?://|https?-|www\.|wap\.){_URL_CHARS}+"
    r"|(?<![a-z0-9.@-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\."
    r"(?:com|cn|net|cc|org|club|fyi|icu|pw|me|im|top|xyz|vip|link|info|apk|tk|co)"
    rf"(?![a-z0-9-])(?:/{_URL_CHARS}*)?"
)
_SECOND_LEVEL = {"com", "net", "org", "gov", "edu", "ac"}  # com.cn, gov.cn ...: one label more
_SERVICE_NUMBER = re.compile(r"(?:100\d\d|955\d\d|1233\d|12123|12321|96110)")


def fold(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and case folding, bounded in length."""
    return unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).casefold()


def links_in(folded: str) -> list[str]:
    """Links as they stand in folded text: with or without scheme, ``www.``/``wap.`` or a bare
    domain with a common suffix. The full extraction (obfuscations, 点com) is the extraction
    module's; this finds what the rules need when the caller gives no ``urls``."""
    return [m.group(0).rstrip(".,:;!?…·") for m in _LINK.finditer(folded)]


def host_of(link: str) -> str:
    rest = re.sub(r"^https?(?:://|-)", "", link.casefold())
    return re.split(r"[/?#:]", rest, maxsplit=1)[0].strip(".")


def site_of(host: str) -> str:
    """The registered part of a host, approximately (two labels, three under com.cn/gov.cn ...)."""
    labels = [p for p in host.split(".") if p]
    if len(labels) >= 3 and labels[-1] == "cn" and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def defang(host: str) -> str:
    return host.replace(".", "[.]")


def _match(cue: Cue, folded: str) -> str | None:
    """The phrases found, one per group (joined), or None if a group has none."""
    found = []
    for group in cue.groups:
        hit = next((p for p in group if p in folded), None)
        if hit is None:
            return None
        found.append(hit)
    return ", ".join(found)


def _reason(rule: str, weight: float, detail: str) -> dict[str, Any]:
    return {"rule": rule, "weight": round(weight, 2), "detail": detail}


def _structural(folded: str, links: list[str], sender: str | None) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    hosts = [h for h in (host_of(x) for x in links) if h]
    if links:
        shown = ", ".join(defang(h) for h in hosts[:3]) or "an address"
        out.append(("phishing", _reason("link", 0.6, f"carries a link ({shown})")))
        out.append(("malware", _reason("link", 0.6, f"carries a link ({shown})")))
    if any(x.endswith(".apk") or ".apk?" in x for x in links) or ".apk" in folded:
        out.append(("malware", _reason("apk_link", 2.5, "links to an Android package (.apk)")))
    claimed = [b for b in BRAND_DOMAINS if b in folded]
    if claimed and hosts:
        own = {d for b in claimed for d in BRAND_DOMAINS[b]}
        foreign = [h for h in hosts if site_of(h) not in own]
        if foreign:
            out.append(
                (
                    "phishing",
                    _reason(
                        "brand_link",
                        2.0,
                        f"claims to be {claimed[0]} and links to {defang(site_of(foreign[0]))}, "
                        f"not a domain of {claimed[0]}",
                    ),
                )
            )
    if sender is not None:
        digits = re.sub(r"^(?:\+?86)", "", re.sub(r"[\s-]", "", sender))
        if links and _SERVICE_NUMBER.fullmatch(digits):
            out.append(
                (
                    "phishing",
                    _reason(
                        "service_number_link",
                        1.5,
                        f"a link from service number {digits}: banks and operators send none from theirs",
                    ),
                )
            )
        elif claimed and re.fullmatch(r"1[3-9]\d{9}", digits):
            out.append(
                (
                    "phishing",
                    _reason("personal_number_brand", 1.0, f"claims to be {claimed[0]} from a personal mobile number"),
                )
            )
    return out


def score(text: str, sender: str | None = None, urls: Iterable[str] = ()) -> dict[str, list[dict[str, Any]]]:
    """Every reason that fired, by category."""
    folded = fold(text)
    links = [fold(u) for u in urls] or links_in(folded)
    fired: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    for cue in CUES:
        if cue.link is not None and bool(links) != cue.link:
            continue
        found = _match(cue, folded)
        if found is not None:
            fired[cue.category].append(_reason(cue.rule, cue.weight, cue.why.format(found)))
    for category, reason in _structural(folded, links, sender):
        fired[category].append(reason)
    return fired


def decide(fired: dict[str, list[dict[str, Any]]]) -> tuple[str, list[dict[str, Any]]]:
    """The verdict from the reasons that fired: the highest sum over the baseline of other."""
    sums = {c: sum(r["weight"] for r in rs) for c, rs in fired.items()}
    sums["other"] = sums["other"] + OTHER_BASELINE
    best = max(PRIORITY, key=lambda c: (sums[c], -PRIORITY.index(c)))
    reasons = sorted(fired[best], key=lambda r: -r["weight"])
    if best == "other":
        beaten = [c for c in PRIORITY[:-1] if sums[c] > 0]
        if not reasons and not beaten:
            reasons = [_reason("no_marks", 0.0, "no mark of fraud, gambling, prostitution, malware, phishing or ads")]
        for c in beaten:
            rules = ", ".join(r["rule"] for r in fired[c])
            reasons.append(
                _reason("outweighed", 0.0, f"{c} marks ({rules}) sum {sums[c]:.1f}, not above {sums['other']:.1f}")
            )
    return best, reasons


def classify(text: str, sender: str | None = None, urls: Iterable[str] = ()) -> tuple[str, list[dict[str, Any]]]:
    """The category of ``text`` (one of ``corpus.CATEGORIES``) and the reasons for it.

    ``sender`` is the originating address as decoded (digits, perhaps ``+86``); ``urls`` the links the
    extraction found (else the rules find plain ones themselves)."""
    return decide(score(text, sender, urls))
