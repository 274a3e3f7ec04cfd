"""Location updates rejected as if every phone were a foreign SIM: a cell that claims to be the phones'
operator and turns most location updates away with a cause meant for visitors.

Causes 11 (PLMN not allowed), 12 (location area not allowed), 13 (roaming not allowed in this location
area) and 15 (no suitable cells in location area), TS 24.008 §10.5.3.6 / Annex G, tell a SIM from
another network that it may not stay; they send a phone back to search for its own network. A real
cell rejects a few visitors this way; a catcher that imitates the phones' own operator rejects nearly
everyone it has milked (cause 13 by default in the common catcher software) so that they leave it.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3.ts24008 import REJECT_CAUSE

# TS 24.008 Annex G.1/G.2: the causes that tell a visiting SIM to go
FOREIGN_SIM_CAUSES = frozenset({11, 12, 13, 15})


class ForeignReject(Rule):
    id = "foreign_reject"
    title = "Location updates rejected with causes meant for foreign SIMs"
    weight = 0.5
    strong = True
    thresholds = {"min_rejects": 3.0, "min_share": 0.5}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        act = cell.activity or {}
        rejects = {int(c): int(n) for c, n in (act.get("lu_rejects") or {}).items() if str(c).isdigit()}
        foreign = {c: n for c, n in rejects.items() if c in FOREIGN_SIM_CAUSES}
        count, sessions = sum(foreign.values()), int(act.get("sessions") or 0)
        if count < self.t["min_rejects"] or sessions <= 0 or count / sessions < self.t["min_share"]:
            return None
        cause = max(foreign, key=lambda c: foreign[c])
        return self.evidence(
            f"it rejected {count} of {sessions} location updates with causes a network gives visiting "
            f"SIMs (mostly {cause}: {REJECT_CAUSE[cause]}) while claiming to be their own operator: "
            f"a fake station sending the phones it has milked back to their network"
        )
