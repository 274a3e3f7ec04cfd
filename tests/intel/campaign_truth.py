"""A replay's campaigns and evidence against the simulator's truth, as
``tests/test_replay_campaigns.py`` and ``bench/bench_campaigns.py`` count them.

A truth campaign is *recovered* when every whole SMS of it that the replay reported (same sender and
text as a truth SMS of it) carries one campaign id, no whole SMS of another campaign carries that id,
and the template they carry is the truth's template with each placeholder named by its kind
(``KINDS``: what the fill puts there) and the generators' fixed text unchanged. SMS reported with
parts missing must carry the id of their campaign too (``partial_wrong`` counts those that do not).

Evidence: :func:`sensor.intel.evidence.station_evidence` of the fake's sessions assigned inside the
span of ``tests/sessions/against_truth.py`` (from 2 s on, up to the first whose truth outlasts the
recording) and their SMS; the truth's SMS and distinct phones of the same span must lie inside the
stated intervals.
"""

from __future__ import annotations

import re
from typing import Any

from sensor.intel.evidence import station_evidence
from sensor.sim.campaigns import CampaignSpec
from tests.sessions.against_truth import span, whole

# fake-campaigns.toml's placeholder names → the kind a campaign template names them by
KINDS = {"url": "link", "phone": "number", "points": "number", "money": "amount", "qq": "account", "name": "name"}


def expected_template(spec: CampaignSpec) -> str:
    """The template the sensor should find for ``spec``: its placeholders by kind, braces doubled."""
    parts = re.split(r"(\{[a-z_]+\})", spec.template)
    return "".join(
        f"{{{KINDS[p[1:-1]]}}}" if re.fullmatch(r"\{[a-z_]+\}", p) else p.replace("{", "{{").replace("}", "}}")
        for p in parts
    )


def campaigns_against_truth(
    objs: list[dict[str, Any]], truth: dict[str, Any], specs: list[CampaignSpec], *, arfcn: int
) -> list[dict[str, Any]]:
    """One row per truth campaign: name, expected template, the ids and templates ours carry, ok."""
    of_text = {(m["sender"], m["text"]): m["campaign"] for m in truth["sms"]}
    sms = [m for m in objs if m["type"] == "sms" and m["arfcn"] == arfcn]
    rows = []
    for k, spec in enumerate(specs):
        mine = [m for m in sms if whole(m) and of_text.get((m["sender"], m["text"])) == k]
        ids = {m["campaign"] for m in mine}
        others = {m["campaign"] for m in sms if whole(m) and of_text.get((m["sender"], m["text"]), k) != k}
        templates = {m["campaign_template"] for m in mine}
        want = expected_template(spec)
        partial_wrong = sum(
            1
            for m in sms
            if not whole(m) and m["sender"] == spec.sender and ids and m["campaign"] not in ids  # its sender's campaign
        )
        rows.append(
            {
                "campaign": spec.name,
                "sms": len(mine),
                "ids": sorted(ids),
                "templates": sorted(templates),
                "expected": want,
                "partial_wrong": partial_wrong,
                "ok": len(mine) > 0
                and len(ids) == 1
                and not ids & others
                and templates == {want}
                and not partial_wrong,
            }
        )
    return rows


def evidence_against_truth(
    objs: list[dict[str, Any]], truth: dict[str, Any], *, arfcn: int, seconds: float
) -> dict[str, Any]:
    """The evidence of the span and the truth's counts of it; ``inside``: both truths in their intervals."""
    lo, hi = span(truth, seconds)
    ours = [o for o in objs if o["type"] == "session" and o["arfcn"] == arfcn and lo <= o["t_s"] < hi]
    ids = {o["id"] for o in ours}
    sms = [m for m in objs if m["type"] == "sms" and m["arfcn"] == arfcn and m["session"] in ids]
    want = [s for s in truth["sessions"] if lo <= s["t_s"] < hi]
    want_sms = [m for m in truth["sms"] if m["session"] in {s["session"] for s in want}]
    cell = next(o for o in objs if o["type"] == "cell" and o["arfcn"] == arfcn)
    activity = cell.get("activity") or {}
    evidence = station_evidence(ours, sms, ccch_blocks_ok=activity.get("ccch_blocks_ok", 0),
                                ccch_blocks_failed=activity.get("ccch_blocks_failed", 0))  # fmt: skip
    truth_sms, truth_phones = len(want_sms), len({s["phone"] for s in want})
    (s_lo, s_hi), (p_lo, p_hi) = evidence["sms"]["interval"], evidence["phones"]["interval"]
    return {
        "evidence": evidence,
        "truth_sms": truth_sms,
        "truth_phones": truth_phones,
        "inside": s_lo <= truth_sms <= s_hi and p_lo <= truth_phones <= p_hi,
    }
