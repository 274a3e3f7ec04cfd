"""Paging behaviour: a BCCH carrier handing out many immediate assignments while its CCCH pages
no phone.

A live network pages phones on every cell of a location area all the time (paging requests that
carry identities); a catcher has no network behind it to page for, but every phone that camps on
it asks for a channel to do its location update, so it sends immediate assignments. Empty paging
requests (the fill of an idle CCCH) are not paging.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys


class PagingBehaviour(Rule):
    id = "paging_behaviour"
    title = "Assignments without paging"
    weight = 0.4
    strong = True
    thresholds = {"min_assignments": 5.0, "min_ccch_blocks": 50.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        ccch = cell.ccch
        if sum(ccch.values()) < self.t["min_ccch_blocks"]:
            return None
        ia = ccch.get(keys.IMMEDIATE_ASSIGNMENT, 0) + ccch.get(keys.IMMEDIATE_ASSIGNMENT_EXTENDED, 0)
        paged = sum(v for k, v in ccch.items() if k in keys.PAGING_WITH_IDENTITY)
        if ia < self.t["min_assignments"] or paged > 0:
            return None
        return self.evidence(
            f"it gave {ia} channel assignments while paging no phone in {sum(ccch.values())} "
            f"CCCH blocks: phones come to it, no network calls them"
        )
