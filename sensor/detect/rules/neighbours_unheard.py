"""Neighbours that are not there: ARFCNs in the BA list on which nothing is heard.

Only ARFCNs the receiver could have heard count: an RTL-SDR tuning covers about ten channels, a
HackRF's or a band scan's many more. A neighbour outside them is unheard, not absent. (The area
baseline is no substitute: it knows the carriers earlier drives happened to decode, not which
carriers are empty.) A real cell's neighbours are real cells nearby; a catcher's list is often
made up.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class NeighboursUnheard(Rule):
    id = "neighbours_unheard"
    title = "Listed neighbours not heard anywhere"
    weight = 0.35
    thresholds = {"min_checkable": 3.0, "min_fraction": 0.75}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if not cell.neighbours:
            return None
        heard = ctx.heard_arfcns
        checkable = [a for a in cell.neighbours if a != cell.arfcn and ctx.could_hear(a)]
        missing = [a for a in checkable if a not in heard]
        if len(checkable) < self.t["min_checkable"] or len(missing) < self.t["min_fraction"] * len(checkable):
            return None
        shown = ", ".join(str(a) for a in missing[:6]) + (" ..." if len(missing) > 6 else "")
        return self.evidence(
            f"{len(missing)} of the {len(checkable)} neighbour ARFCNs it lists that could be checked "
            f"carry no cell here ({shown})"
        )
