"""Fill the intelligence fields of a CONTRACT.md ``sms`` object from its text and sender.

``sensor.sessions.output.sms_object`` leaves ``urls``, ``domains``, ``numbers``, ``category``,
``reasons`` and ``campaign`` null (not looked at yet); :func:`enrich_sms` looks. It sets

* ``urls``: the links as written in the text (never fetched), in text order;
* ``domains``: their registered domains, each once (IP hosts have none);
* ``numbers``: the phone numbers found in the text, E.164 where they have one (service short
  numbers and 106 ports as their digits), each once;
* ``category``: the legal category (:func:`.classify.classify_sms`, fed with the findings and the
  sender analysis made here);
* ``reasons``: the sender analysis's reasons (:mod:`.sender`), then the classification's that are
  not one of those (a sender reason that counted toward the category is listed once);

and the extensions (CHANGELOG.md) ``findings`` (every finding with kind, type, value, raw text and
span: links, e-mail, phones, QQ and WeChat ids, bank cards, amounts), ``signature`` (the 【】 text
at the start or end, or null), ``claimed_brand`` and ``sender_brand`` (brand ids of the sender
table, or null). ``campaign`` is left as it is (campaigns fill it). An object whose ``text`` is
null (8-bit data) gets empty lists and a null ``category``: looked at, nothing found, no text to
classify.

The lists are bounded (the text is hostile, and the object must fit one 256 KiB envelope:
``sensor/publish/envelope.py``): ``urls``, ``domains``, ``numbers`` and ``findings`` keep their
first :data:`LIST_MAX` entries, and an object that lost any gains the extension ``lists_cut``
(``{"findings": 3151, "numbers": 3151}``: how many each list lost). The category is decided on
every finding. Measured: a 255-part text of 3,251 mobile numbers made a 425,885-byte envelope
(refused, the SMS lost) before the bound, well under the limit after it.

Called by the replay command on every ``sms`` object it prints and by the daemon on every ``sms`` body
it publishes (``sensor/daemon/phones.py``).
"""

from __future__ import annotations

from typing import Any

from sensor.sessions import SmsRecord, sms_object

from . import senders as senders_mod
from .classify import classify_sms
from .extract import extract
from .sender import analyse
from .senders import Senders

LIST_MAX = 100  # entries kept per list of an sms object; a genuine SMS carries a handful


def enrich_sms(obj: dict[str, Any], senders: Senders | None = None) -> dict[str, Any]:
    """Fill ``obj`` in place (see the module doc) and return it. ``senders``: the official-sender
    tables (default: the shipped ones plus the site's)."""
    table = senders if senders is not None else senders_mod.default()
    text = obj.get("text")
    findings = extract(text) if isinstance(text, str) else []
    urls = [f.raw for f in findings if f.kind == "url"]
    domains = list(dict.fromkeys(f.domain for f in findings if f.kind == "url" and f.domain))
    numbers = list(dict.fromkeys(f.value for f in findings if f.kind == "phone"))
    sender = obj.get("sender")
    analysis = analyse(
        sender if isinstance(sender, str) else None,
        obj.get("sender_type") if isinstance(obj.get("sender_type"), str) else None,
        text if isinstance(text, str) else None,
        findings,
        table,
    )
    cut = {}
    for name, items in (("urls", urls), ("domains", domains), ("numbers", numbers), ("findings", findings)):
        if len(items) > LIST_MAX:
            cut[name] = len(items) - LIST_MAX
    obj["urls"] = urls[:LIST_MAX]
    obj["domains"] = domains[:LIST_MAX]
    obj["numbers"] = numbers[:LIST_MAX]
    reasons = list(analysis.reasons)
    category = None
    if isinstance(text, str):
        category, verdict_reasons = classify_sms(text, findings, analysis, table)
        said = {r["rule"] for r in reasons}
        reasons += [r for r in verdict_reasons if r["rule"] not in said]
    obj["category"] = category
    obj["reasons"] = reasons
    obj["findings"] = [f.as_dict() for f in findings[:LIST_MAX]]
    if cut:
        obj["lists_cut"] = cut
    obj["signature"] = analysis.signature
    obj["claimed_brand"] = analysis.claimed_brand.id if analysis.claimed_brand else None
    obj["sender_brand"] = analysis.sender_brand.id if analysis.sender_brand else None
    return obj


def analysed_sms(record: SmsRecord) -> dict[str, Any]:
    """CONTRACT.md's ``sms`` object of a completed SMS with its intelligence fields filled: what
    every output of the sensor (replay, scan, what the daemon publishes) carries."""
    return enrich_sms(sms_object(record))
