"""A replay's ``session`` and ``sms`` objects against the simulator's truth (``fbs:scene`` in the
recording's metadata), as ``bench/bench_sessions.py`` and ``tests/test_replay_low_snr.py`` count them.

Counted over the sessions assigned from ``WARMUP_S`` on, up to the first whose truth outlasts the
recording (``span``), ours assigned in the same span. ``match``: our session of a truth session,
on its sub-channel, assigned at the same time or opened from its UA within it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sensor.gsm.tdma import FRAME_DURATION_S

WARMUP_S = 2.0  # the receiver finds the carriers in its first window
END_MARGIN_S = 0.5
MATCH_S = 0.05  # our session's assignment time against the truth's


def truth_of(meta: Path, cell: str) -> dict[str, Any]:
    scene = json.loads(meta.read_text())["global"]["fbs:scene"]
    return next(c for c in scene["cells"] if c["name"] == cell)


def span(truth: dict[str, Any], seconds: float) -> tuple[float, float]:
    """Assignments from WARMUP_S up to the first whose session outlasts the recording."""
    late = [s["t_s"] for s in truth["sessions"] if s["end_t_s"] > seconds - END_MARGIN_S]
    return WARMUP_S, min(late, default=seconds)


def match(ours: list[dict[str, Any]], t: dict[str, Any]) -> dict[str, Any] | None:
    """Our session of the truth's ``t``: its assignment at the same time, or opened from its UA."""
    same = [o for o in ours if (o["tn"], o["sub"]) == (t["tn"], t["sub"])]
    for o in same:
        if abs(o["t_s"] - t["t_s"]) < MATCH_S:
            return o
    end_s = t["t_s"] + (t["end_fn"] - t["assignment_fn"]) * FRAME_DURATION_S
    for o in same:
        if t["t_s"] <= o["t_s"] <= end_s:
            return o
    return None


def compare(objs: list[dict[str, Any]], truth: dict[str, Any], *, arfcn: int, seconds: float) -> dict[str, Any]:
    lo, hi = span(truth, seconds)
    want = [s for s in truth["sessions"] if lo <= s["t_s"] < hi]
    ours = [o for o in objs if o["type"] == "session" and o["arfcn"] == arfcn and lo <= o["t_s"] < hi]
    want_sms = [m for m in truth["sms"] if m["session"] in {s["session"] for s in want}]
    our_ids = {o["id"] for o in ours}
    sms = [m for m in objs if m["type"] == "sms" and m["arfcn"] == arfcn and m["session"] in our_ids]
    matched: dict[str, dict[str, Any]] = {}  # our id → truth session
    for t in want:
        o = match(ours, t)
        if o is not None and o["id"] not in matched:
            matched[o["id"]] = t
    exact = 0
    by_session: dict[str, list[dict[str, Any]]] = {}
    for m in sms:
        by_session.setdefault(m["session"], []).append(m)
    for oid, t in matched.items():
        got = {(m["sender"], m["text"]) for m in by_session.get(oid, []) if whole(m)}
        exact += sum((m["sender"], m["text"]) in got for m in want_sms if m["session"] == t["session"])
    texts = {(m["sender"], m["text"]) for m in want_sms}
    garbled = [m for m in sms if whole(m) and (m["sender"], m["text"]) not in texts]
    wrong = []
    for o in ours:
        t = matched.get(o["id"])
        said = (o["identity_requests"], o["result"], o["cause"], o["sms"])
        if o["complete"] and t is not None and said != (t["identity_requests"], t["result"], t["cause"], t["sms"]):
            wrong.append(o["id"])
    return {
        "span_s": [round(lo, 2), round(hi, 2)],
        "sessions": [len(ours), len(want)],
        "phones": [len({o["phone"] for o in ours if o["phone"] is not None}), len({s["phone"] for s in want})],
        "sms": [len(sms), len(want_sms)],
        "exact": exact,
        "partial": sum(not whole(m) for m in sms),
        "garbled": len(garbled),
        "in_part": sum(o["followed"] and not o["ciphered"] and not o["complete"] for o in ours),
        "false": sum(o["id"] not in matched for o in ours),
        "wrong": len(wrong),
        "missed": len(want) - len(matched),
    }


def whole(m: dict[str, Any]) -> bool:
    return m["of"] is None or m["parts"] == list(range(1, m["of"] + 1))
