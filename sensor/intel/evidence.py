"""Evidence per fake station: the SMS it pushed and the phones it reached, as an interval that says
what the receiver missed, by category, against the 5,000-message threshold.

法释〔2017〕11号 (the 2017 SPC/SPP interpretation on 扰乱无线电通讯管理秩序罪) Art. 2(6): 5,000 or more
fraud, gambling, prostitution, malware or phishing-link messages sent from a 伪基站 make the case
情节严重. A receiver decodes only part of what a station sends; a count without what it may have
missed is not evidence. :func:`station_evidence` takes the station's CONTRACT.md ``session`` and
``sms`` objects (a replay's, or the collector's stored bodies) and states:

* ``sms``: ``[seen, seen + unread]``. *Seen*: every ``sms`` object (a message to one phone, also
  when a part of it was lost: it was pushed). *Unread*: the SMS that sessions read only in part may
  have carried undecoded. The model: every phone session of the station carries at most ``k`` SMS,
  ``k`` the most a fully decoded session of the station carried (at least 1: a station seen to push
  nothing in a complete session still may have pushed one in a session read in part); a session
  seen in part (followed but not complete), not followed (hopping, a traffic channel) or ciphered
  carried at most ``k`` minus the SMS decoded in it. Sessions that left no trace at all add ``k``
  each: how many, from the carrier's CCCH blocks lost (``ccch_blocks_ok``/``_failed`` of the cell's
  ``activity``): a session is seen at least when its Immediate Assignment is decoded, so each of the
  N sessions is seen with a chance of at least 1 - loss (loss: the share of CCCH blocks lost),
  independently (assignments come seconds apart); the bound on N is the largest for which seeing no
  more than the sessions seen still has a chance of ``1 - CONFIDENCE`` (one-sided binomial,
  :func:`missed_sessions_bound`), less the sessions seen. A station that pushes more than ``k`` in a
  session read in part is outside the model.
* ``phones``: ``[seen, seen + unknown]``: distinct keyed phones its sessions (or SMS) showed; each
  session without an identity decoded may be one more phone (as may each session missed). A phone
  that showed its TMSI in one session and its IMSI in another counts twice (keyed hashes of different
  identities cannot be joined): with fakes that reject every phone, as they do, TMSIs are not
  reallocated and this does not arise.
* ``by_category``: SMS seen per category (``null``: 8-bit data, no text); the unread ones have no
  category, so each category's figure is a lower bound and ``serious`` (the five legal categories
  together) is ``[seen, seen + unread]``, shown as "N of 5,000" with ``status`` "reached" (the lower
  end is at 5,000 or above), "may be reached" (only the upper end is) or "not reached".

Pure: dicts in, a JSON-ready dict out (``type`` "evidence").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .campaigns import is_whole
from .corpus import LEGAL_CATEGORIES

CONFIDENCE = 0.95  # of the upper bound on sessions the receiver missed
SERIOUS_SMS = 5000  # 法释〔2017〕11号 Art. 2(6): this many fraud/gambling/prostitution/malware/phishing SMS: 情节严重
MODEL = (
    "SMS: seen, plus up to k per session read in part, not followed or ciphered (k: the most a complete session "
    "carried, at least 1) less those decoded in it, plus k per session missed (at most: one-sided 95 % binomial "
    "bound from the share of CCCH blocks lost); phones: seen, plus one per session without an identity and per "
    "session missed"
)
BASIS = "法释〔2017〕11号 第二条第（六）项"


def threshold_status(low: int, high: int, threshold: int = SERIOUS_SMS) -> str:
    """ "reached", "may be reached" or "not reached" for a count known to lie in ``[low, high]``."""
    return "reached" if low >= threshold else "may be reached" if high >= threshold else "not reached"


def missed_sessions_bound(seen: int, loss: float, confidence: float = CONFIDENCE) -> int:
    """How many sessions beyond ``seen`` there may have been, when each was seen with a chance of at
    least ``1 - loss``: the largest N with P(Binomial(N, 1 - loss) <= seen) >= 1 - confidence, less
    ``seen``. ``loss`` 0: none; ``loss`` 1 (nothing decoded) cannot bound it: ValueError."""
    if not 0.0 <= loss < 1.0:
        raise ValueError(f"a share of blocks lost in [0, 1) bounds the sessions missed, not {loss}")
    if loss == 0.0:
        return 0
    from scipy import stats  # here: scipy.stats costs ~0.5 s of imports, and the dashboard imports this module

    q = 1.0 - loss
    top = int(math.ceil((seen + 10) / q * 4)) + 10  # P(<= seen) is far below 1 - confidence there
    n = np.arange(seen, top + 1)
    ok = n[stats.binom.cdf(seen, n, q) >= 1.0 - confidence]
    return int(ok.max()) - seen


def station_evidence(
    sessions: Iterable[Mapping[str, Any]],
    sms: Iterable[Mapping[str, Any]],
    *,
    ccch_blocks_ok: int = 0,
    ccch_blocks_failed: int = 0,
) -> dict[str, Any]:
    """The evidence object of one station from its ``session`` and ``sms`` objects and the CCCH
    blocks its carrier's ``activity`` counted (module doc)."""
    sessions = list(sessions)
    sms = list(sms)
    decoded_in: Counter[Any] = Counter(m.get("session") for m in sms if m.get("session") is not None)
    complete = [s for s in sessions if s.get("followed", True) and s.get("complete") and not s.get("ciphered")]
    in_part = [s for s in sessions if s.get("followed", True) and not s.get("complete") and not s.get("ciphered")]
    unread = [s for s in sessions if not s.get("followed", True) or s.get("ciphered")]
    k = max([int(s.get("sms") or 0) for s in complete] + [1])
    extra_sms = sum(max(0, k - decoded_in[s.get("id")]) for s in (*in_part, *unread))
    total = ccch_blocks_ok + ccch_blocks_failed
    loss = ccch_blocks_failed / total if total else 0.0
    missed = missed_sessions_bound(len(sessions), loss) if total and ccch_blocks_ok else 0
    extra_sms += k * missed
    phones = {s.get("phone") for s in sessions if s.get("phone")} | {m.get("phone") for m in sms if m.get("phone")}
    no_identity = sum(1 for s in sessions if not s.get("phone"))
    seen = len(sms)
    categories = Counter(m.get("category") for m in sms)
    serious = sum(categories[c] for c in LEGAL_CATEGORIES)
    serious_high = serious + extra_sms
    return {
        "type": "evidence",
        "schema": 1,
        "sms": {"seen": seen, "in_part": sum(1 for m in sms if not is_whole(m)), "interval": [seen, seen + extra_sms]},
        "phones": {
            "seen": len(phones),
            "interval": [len(phones), len(phones) + no_identity + missed],
        },
        "sessions": {
            "seen": len(sessions),
            "complete": len(complete),
            "in_part": len(in_part),
            "unread": len(unread),
            "missed_max": missed,
            "ccch_loss": round(loss, 4),
            "sms_per_session_max": k,
        },
        "by_category": {str(c): n for c, n in sorted(categories.items(), key=lambda kv: (kv[0] is None, str(kv[0])))},
        "serious": {
            "categories": list(LEGAL_CATEGORIES),
            "interval": [serious, serious_high],
            "threshold": SERIOUS_SMS,
            "shown": f"{serious:,} of {SERIOUS_SMS:,}"
            + (f" (at most {serious_high:,})" if serious_high > serious else ""),
            "status": threshold_status(serious, serious_high),
            "basis": BASIS,
        },
        "model": MODEL,
    }
