"""A cell that no heard neighbour of its operator lists back.

Operators plan neighbour relations both ways: the cells around a real cell list its ARFCN. A fake
station's ARFCN appears in nobody's list. A newly deployed cell may not be listed yet either, so
this rule is of moderate weight.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class NotListedBack(Rule):
    id = "not_listed_back"
    title = "Not listed as a neighbour by any cell around"
    weight = 0.3
    thresholds = {"min_listing_cells": 2.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if cell.operator is None:
            return None
        listing = [c for c in ctx.same_operator(cell) if c.neighbours is not None and c.arfcn != cell.arfcn]
        if len(listing) < self.t["min_listing_cells"]:
            return None
        if any(cell.arfcn in c.neighbours for c in listing):  # type: ignore[operator]
            return None
        return self.evidence(
            f"none of the {len(listing)} other cells of {cell.mcc}-{cell.mnc} heard here lists "
            f"ARFCN {cell.arfcn} as a neighbour"
        )
