"""IMSI asked for without authentication: a cell that takes a phone onto a dedicated channel and asks
for its IMSI before any Authentication Request.

A network knows its subscribers by TMSI and authenticates them (TS 24.008 §4.3.2); it asks for the
IMSI only when it cannot resolve a TMSI, and then authenticates and ciphers. An IMSI catcher has no
subscriber keys: it cannot authenticate, and the IMSI is what it is there for (the court records'
"IMSI collection"). The sensor reads this on the downlink alone, in sessions it followed.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class ImsiWithoutAuth(Rule):
    id = "imsi_without_auth"
    title = "IMSI asked for before any authentication"
    weight = 0.6
    strong = True
    thresholds = {"min_phones": 1.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        act = cell.activity or {}
        asked = int(act.get("imsi_requests_before_auth") or 0)
        if asked < self.t["min_phones"]:
            return None
        return self.evidence(
            f"it asked {asked} phone(s) for their IMSI without authenticating them first: a real network "
            f"authenticates the phones it serves; collecting IMSIs this way is what an IMSI catcher does"
        )
