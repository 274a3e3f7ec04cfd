"""The category of an SMS text, the way courts and anti-fraud teams sort what a fake station pushes:
fraud (诈骗), gambling (赌博), prostitution (招嫖), malware (木马病毒), phishing (钓鱼网站链接) — the five
kinds the 2017 judicial interpretation counts — or advertising (广告) or other, with the reasons.

The classification reads what the rest of the package found, never a second copy of it: the
extraction's findings (:mod:`.extract`: links with their registered domains from :mod:`.domains`,
phone numbers) and the sender analysis (:mod:`.sender`: the brand the text signs as, the brand whose
number sent it, and its reasons). Transparent rules decide: each cue of ``classify_rules.CUES`` that
the folded text carries adds its weight to its category, and the structural cues add theirs —

* ``link``: the text carries a link (phishing and malware both deliver through one);
* ``apk_link``: a link to an Android package (malware);
* ``brand_link``: the text speaks for a bank, operator or public service — a brand of the sender
  tables named anywhere in it (``firmware-config/senders``: aliases, or one of the brand's official
  numbers), or one of the institution words of ``classify_rules.INSTITUTION_WORDS`` (我行, 社保 …) —
  and links to a registered domain that none of the named brands lists (phishing). Only sourced
  domains count as a brand's own: a brand whose table entry lists none cannot vouch for any link;
* the sender analysis's reasons, each counted once toward the category ``classify_rules.SENDER_RULES``
  gives it, with the weight the sender analysis gave it (a spoofed service number, a brand from an
  ordinary number: phishing; a call-back number that is not the brand's: fraud).

The category with the largest sum wins if it beats ``OTHER_BASELINE`` (what a text with no marks
scores as other); ties go to the more harmful category (``PRIORITY``). Each verdict comes with its
reasons as ``{"rule", "weight", "detail"}``, like the detection rules', the detail written for an
analyst ("offers cash for points (积分, 兑换) and links to 10086sfw[.]cn"). Links in a detail are
defanged (:func:`.defang.defang`); the text itself is never fetched or followed.

:func:`classify_sms` is the one path (``enrich_sms`` calls it with the findings and analysis it
already has); :func:`classify` is the convenience entry for a bare text, running the same extraction
and sender analysis first. ``classify_model`` holds the trained alternative (character n-grams and a
linear model), ``classify_cv`` the measurement on the train split that decides whether it is used
(it is not: see ``METHOD``) and ``classify_eval`` the held-out figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sensor.intel import senders as senders_mod
from sensor.intel.classify_rules import BANK_WORDS, CUES, INSTITUTION_WORDS, SENDER_RULES, Cue
from sensor.intel.corpus import CATEGORIES
from sensor.intel.defang import defang
from sensor.intel.extract import extract
from sensor.intel.finding import Finding
from sensor.intel.sender import SenderAnalysis, analyse
from sensor.intel.senders import Brand, Senders
from sensor.intel.textmap import fold as fold_text

MAX_TEXT_CHARS = 16_384  # a concatenated SMS is at most 255 parts of 153 characters; beyond: not read
OTHER_BASELINE = 1.0
# Ties go to the first: what harms most, and what the count of 情节严重 needs, first.
PRIORITY = ("malware", "phishing", "gambling", "prostitution", "fraud", "advertising", "other")
# The rules decide alone: in grouped cross-validation on the train split (``classify_cv``,
# ``fbs-sensor evaluate --sms --cv --method``) the model alone is far worse and the hybrids tie the
# rules on the legal categories within one text, so the evidence path needs no optional dependency.
METHOD = "rules"


def fold(text: str) -> str:
    """The text as the phrase tables are written: NFKC per character with invisible characters
    dropped (:func:`.textmap.fold`: full-width letters and digits become ASCII), case-folded,
    bounded in length."""
    return fold_text(text[:MAX_TEXT_CHARS]).text.casefold()


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


def _prose(text: str, findings: Sequence[Finding]) -> str:
    """The text with its links and e-mail addresses blanked out, folded: where names are looked for
    (``10086pyzxa.com`` names no brand; the domain is judged as a link)."""
    chars = list(text[:MAX_TEXT_CHARS])
    for f in findings:
        if f.kind in ("url", "email"):
            for i in range(max(0, f.start), min(len(chars), f.end)):
                chars[i] = " "
    return fold("".join(chars))


def named_brands(text: str, findings: Sequence[Finding], analysis: SenderAnalysis, table: Senders) -> list[Brand]:
    """The brands the text speaks for: the one its signature names, those named anywhere else in
    it (outside links), and those whose official number it gives; each once."""
    named: dict[str, Brand] = {}
    if analysis.claimed_brand is not None:
        named[analysis.claimed_brand.id] = analysis.claimed_brand
    for b in table.brands_in(_prose(text, findings)):
        named.setdefault(b.id, b)
    for f in findings:
        if f.kind == "phone" and f.type == "cn_service_short":
            b = table.brand_of_number(f.value)
            if b is not None:
                named.setdefault(b.id, b)
    return list(named.values())


def _brand_link(
    folded: str, prose: str, links: list[Finding], brands: list[Brand], analysis: SenderAnalysis
) -> dict[str, Any] | None:
    words = [w for w in INSTITUTION_WORDS if w in prose]
    if not links or not (brands or words):
        return None
    own = {d for b in brands for d in b.domains}
    foreign = list(dict.fromkeys(f.domain or f.value for f in links if f.domain not in own or f.domain is None))
    if not foreign:
        return None
    spoofed = analysis.sender_brand is not None and any(
        r["rule"] == "sms_spoofed_service_number" for r in analysis.reasons
    )
    if spoofed and [b.id for b in brands] == [analysis.sender_brand.id]:  # type: ignore[union-attr]
        return None  # the sender analysis already said it: the brand's number linking elsewhere
    shown = defang(foreign[0][:64])
    if brands and own:
        listed = ", ".join(defang(d) for b in brands for d in b.domains)
        detail = f"claims to be {brands[0].name} and links to {shown}, not a domain of {brands[0].name} ({listed})"
    else:
        who = brands[0].name if brands else words[0]
        detail = f"speaks for {who} and links to {shown}, which no sourced domain of {who} vouches for"
    return _reason("brand_link", 2.0, detail)


def _structural(
    text: str, folded: str, findings: Sequence[Finding], analysis: SenderAnalysis, table: Senders
) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    links = [f for f in findings if f.kind == "url"]
    if links:
        hosts = list(dict.fromkeys(f.domain or f.value for f in links))
        shown = ", ".join(defang(h[:64]) for h in hosts[:3])
        out.append(("phishing", _reason("link", 0.6, f"carries a link ({shown})")))
        out.append(("malware", _reason("link", 0.6, f"carries a link ({shown})")))
    if any(f.value.casefold().split("?")[0].endswith(".apk") for f in links) or ".apk" in folded:
        out.append(("malware", _reason("apk_link", 2.5, "links to an Android package (.apk)")))
    prose = _prose(text, findings)
    banks = [w for w in BANK_WORDS if w in prose]
    cards = [f for f in findings if f.kind == "bank_card"]
    if banks and cards:  # the real-digit twin of the fraud_bare_card cue
        out.append(("fraud", _reason("fraud_bank_card", 1.5, f"a bank ({banks[0]}) and a card number to pay into")))
    got = _brand_link(folded, prose, links, named_brands(text, findings, analysis, table), analysis)
    if got is not None:
        out.append(("phishing", got))
    for r in analysis.reasons:
        category = SENDER_RULES.get(r["rule"])
        if category is not None:
            out.append((category, dict(r)))
    return out


def score(
    text: str, findings: Sequence[Finding], analysis: SenderAnalysis, table: Senders
) -> dict[str, list[dict[str, Any]]]:
    """Every reason that fired, by category."""
    folded = fold(text)
    squeezed = "".join(folded.split())  # 上 好 的 茶 叶: spaces put between characters to dodge filters
    has_link = any(f.kind == "url" for f in findings)
    fired: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORIES}
    for cue in CUES:
        if cue.link is not None and has_link != cue.link:
            continue
        found = _match(cue, folded) or _match(cue, squeezed)
        if found is not None:
            fired[cue.category].append(_reason(cue.rule, cue.weight, cue.why.format(found)))
    for category, reason in _structural(text, folded, findings, analysis, table):
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


def classify_sms(
    text: str, findings: Sequence[Finding], analysis: SenderAnalysis, senders: Senders | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The category of ``text`` and the reasons for it, from the extraction's ``findings`` of the
    text and the sender ``analysis`` (:func:`.sender.analyse`); ``senders``: the tables (default:
    the shipped ones plus the site's). The sender analysis's reasons that count toward the verdict
    are among its reasons, unchanged."""
    table = senders if senders is not None else senders_mod.default()
    return decide(score(text, findings, analysis, table))


def classify(
    text: str, sender: str | None = None, urls: Iterable[str] = (), senders: Senders | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The category of ``text`` (one of ``corpus.CATEGORIES``) and the reasons for it: the
    extraction and the sender analysis, then :func:`classify_sms`.

    ``sender`` is the originating address as decoded (digits, perhaps ``+86``); ``urls`` links known
    besides the text (a WAP push's, say): each is extracted like the text's links and counted with
    them (their spans are in the link, not the text)."""
    return decide(rule_scores(text, sender, urls, senders))


def rule_scores(
    text: str, sender: str | None = None, urls: Iterable[str] = (), senders: Senders | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every reason the rules fire for ``text``, by category (what :func:`classify` decides from:
    ``decide(rule_scores(...))``); the arguments are :func:`classify`'s."""
    table = senders if senders is not None else senders_mod.default()
    text = text[:MAX_TEXT_CHARS]
    findings = extract(text)
    seen = {f.value for f in findings if f.kind == "url"}
    for u in urls:
        findings += [f for f in extract(u) if f.kind == "url" and f.value not in seen]
        seen.update(f.value for f in findings if f.kind == "url")
    sender_type = "international" if sender and sender.strip().startswith("+") else "national"
    analysis = analyse(sender, sender_type if sender else None, text, findings, table)
    return score(text, findings, analysis, table)
