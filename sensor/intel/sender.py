"""Sender analysis: the originating address against the official numbers and the brand the text claims.

A fake station writes any TP-OA it likes, so a message "from 95588" proves nothing; what gives it
away is a mismatch between who the number belongs to, who the text says it is, and where its link
or call-back number leads. Each mismatch is a reason (``{"rule", "weight", "detail"}``, as the
detection rules write them), with a stable rule id:

* ``sms_spoofed_service_number`` (0.9): the sender is a brand's official number and the text links
  to a registered domain that is none of that brand's listed domains (only for brands whose table
  entry lists domains);
* ``sms_brand_sender_mismatch`` (0.85): the text signs as brand X and comes from brand Y's number;
* ``sms_brand_from_ordinary_number`` (0.7): the text signs as a brand and comes from an ordinary
  subscriber: a mobile or landline number, a foreign number, or an alphanumeric name (Chinese
  networks deliver brands' messages from their service numbers or 106 SMS ports);
* ``sms_link_from_service_number`` (0.8): the sender is a national service short number (95xxx,
  96xxx, 100xx, 123xx: a bank's, an operator's, a public service's) whose brand lists no domain in
  the table (or is not in it), and the text carries a link: the link cannot be checked against the
  brand, and the banks and operators quoted in the corpus's reports tell customers that messages
  from their service numbers carry none (the check above replaces this one where domains are listed);
* ``sms_callback_not_official`` (0.5): the text signs as a brand (or comes from its number) and
  gives a number to call that is none of that brand's (mobile, landline, 400/800 or another
  brand's service number).

A 106 port sender is not judged: brands legitimately send through SMS gateways.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .defang import defang
from .finding import Finding
from .phones import classify
from .senders import Brand, Senders
from .signature import signatures

RULES = {
    "sms_spoofed_service_number": 0.9,
    "sms_brand_sender_mismatch": 0.85,
    "sms_link_from_service_number": 0.8,
    "sms_brand_from_ordinary_number": 0.7,
    "sms_callback_not_official": 0.5,
}
_ORDINARY = {
    "cn_mobile": "a mobile number",
    "cn_landline": "a landline number",
    "foreign": "a foreign number",
    "alphanumeric": "an alphanumeric name",
}
_CALLBACK_TYPES = {"cn_mobile", "cn_landline", "cn_400", "cn_800", "cn_service_short", "foreign"}


@dataclass(frozen=True, slots=True)
class SenderAnalysis:
    sender_type: str | None  # the sender typed as phones.classify types it, or "alphanumeric"/None
    sender_brand: Brand | None  # whose official number the sender is
    signature: str | None  # the text's signature, as written (folded)
    claimed_brand: Brand | None  # the brand the signature names
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _reason(rule: str, detail: str) -> dict[str, Any]:
    return {"rule": rule, "weight": RULES[rule], "detail": detail}


def national_sender(
    sender: str | None, sender_type: str | None, calling_codes: set[str]
) -> tuple[str | None, str | None]:
    """``(national digits or None, type)`` of an originating address as the ``sms`` object has it."""
    if not sender:
        return None, None
    s = sender.strip()
    digits = s[1:] if s.startswith("+") else s
    if not digits.isdigit() or sender_type == "alphanumeric":
        return None, "alphanumeric"
    international = s.startswith("+") or sender_type == "international" or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    for code in calling_codes:
        if digits.startswith(code) and (international or classify(digits[len(code) :]) is not None):
            national = digits[len(code) :]
            got = classify(national)
            return national, got[0] if got else None
    if international:
        got = classify(digits, international=True)
        return None, got[0] if got else "foreign"
    got = classify(digits)
    return digits, got[0] if got else None


def analyse(
    sender: str | None,
    sender_type: str | None,
    text: str | None,
    findings: Sequence[Finding],
    senders: Senders,
) -> SenderAnalysis:
    national, typed = national_sender(sender, sender_type, senders.calling_codes)
    sender_brand = senders.brand_of_number(national) if national else None
    signature = claimed = None
    for sig in signatures(text or ""):
        brand = senders.brand_named(sig)
        if brand is not None or signature is None:
            signature, claimed = sig, brand
        if brand is not None:
            break
    reasons: list[dict[str, Any]] = []
    shown = (sender or "")[:24]
    if sender_brand is not None and sender_brand.domains:
        foreign_domains = sorted(
            {f.domain for f in findings if f.kind == "url" and f.domain and f.domain not in sender_brand.domains}
            | {f.value for f in findings if f.kind == "url" and f.type == "ip"}
        )
        if foreign_domains:
            reasons.append(
                _reason(
                    "sms_spoofed_service_number",
                    f"sender {shown} is {sender_brand.name}'s service number; the link goes to "
                    f"{', '.join(defang(d[:64]) for d in foreign_domains[:3])}, "
                    f"not {', '.join(defang(d) for d in sender_brand.domains)}",
                )
            )
    links = [f for f in findings if f.kind == "url"]
    if typed == "cn_service_short" and links and (sender_brand is None or not sender_brand.domains):
        whose = f"{sender_brand.name}'s service number, no domain listed" if sender_brand else "a service number"
        reasons.append(
            _reason(
                "sms_link_from_service_number",
                f"sender {shown} is {whose}; the text links to "
                f"{', '.join(dict.fromkeys(defang((f.domain or f.value)[:64]) for f in links[:3]))}",
            )
        )
    if claimed is not None and sender_brand is not None and claimed.id != sender_brand.id:
        reasons.append(
            _reason(
                "sms_brand_sender_mismatch",
                f"signed 【{signature}】 ({claimed.name}) but sent from {shown}, {sender_brand.name}'s number",
            )
        )
    if claimed is not None and typed in _ORDINARY:
        reasons.append(
            _reason(
                "sms_brand_from_ordinary_number",
                f"signed 【{signature}】 ({claimed.name}) but sent from {_ORDINARY[typed]}, {shown}",
            )
        )
    brand = claimed or sender_brand
    if brand is not None:
        others = []
        for f in findings:
            if f.kind != "phone" or f.type not in _CALLBACK_TYPES:
                continue
            number = f.value[3:] if f.value.startswith("+86") else f.value
            if number in brand.numbers:
                continue
            others.append(f.value)
        if others:
            reasons.append(
                _reason(
                    "sms_callback_not_official",
                    f"{brand.name} is named but the number to call is {', '.join(others[:3])}, "
                    f"not {', '.join(brand.numbers)}",
                )
            )
    return SenderAnalysis(typed, sender_brand, signature, claimed, reasons)
