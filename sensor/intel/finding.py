"""One thing found in an SMS text: what kind, its normalised value, the text as written, where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The kinds of finding, and the ``type`` each may carry:
#   url        "link", "short_link" (a known link shortener), "ip" (an IP-address host)
#   email      None
#   phone      "cn_mobile", "cn_landline", "cn_400", "cn_800", "cn_service_short" (95xxx, 96xxx,
#              100xx, 123xx), "cn_sms_port" (106...), "foreign"
#   qq         "qq", "qq_group"
#   wechat     None
#   bank_card  "unionpay" (62...), "card" (another issuer; Luhn-valid either way)
#   amount     the currency: "CNY", "USD"
KINDS = ("url", "email", "phone", "qq", "wechat", "bank_card", "amount")


@dataclass(frozen=True, slots=True)
class Finding:
    """``start``/``end``: the span in the text as written (``text[start:end] == raw``)."""

    kind: str
    value: str
    raw: str
    start: int
    end: int
    type: str | None = None
    domain: str | None = None  # url and email: the registered domain, None for an IP host

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (CHANGELOG: the ``findings`` extension of ``sms`` objects)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "type": self.type,
            "value": self.value,
            "raw": self.raw,
            "span": [self.start, self.end],
        }
        if self.kind in ("url", "email"):
            out["domain"] = self.domain
        return out
