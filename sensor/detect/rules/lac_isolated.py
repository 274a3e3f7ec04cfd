"""A LAC unlike its surroundings (SnoopSnitch: a LAC shared by none of >= 3 neighbours).

A fake station picks a LAC of its own so that every phone that camps on it performs a location
update (and gives away its identity). A real cell at a LAC boundary shares its LAC with cells on
its side of the boundary, and is listed back by its neighbours, so this rule alone stays below
"suspicious" (weight 0.35); it adds up with the others.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class LacIsolated(Rule):
    id = "lac_isolated"
    title = "LAC unlike its surroundings"
    weight = 0.35
    thresholds = {"min_operator_cells": 3.0, "weak_scale": 0.4}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if cell.lac is None or cell.operator is None:
            return None
        peers = [c for c in ctx.same_operator(cell) if c.lac is not None]
        if not peers or any(c.lac == cell.lac for c in peers):
            return None
        op = f"{cell.mcc}-{cell.mnc}"
        if len(peers) >= self.t["min_operator_cells"]:
            lacs = ", ".join(str(x) for x in sorted({c.lac for c in peers}))  # type: ignore[type-var]
            return self.evidence(
                f"its LAC {cell.lac} is used by none of the {len(peers)} other cells of {op} "
                f"heard here (they use {lacs})"
            )
        return self.evidence(f"its LAC {cell.lac} is used by no other cell of {op} heard here", self.t["weak_scale"])
