"""A cell never seen in this area before (learned from earlier drives or imported from
OpenCellID). Reference databases are incomplete and operators add cells, so this is weak on its own;
it only judges where the baseline knows some cells around (an empty area proves nothing)."""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class UnknownToBaseline(Rule):
    id = "unknown_to_baseline"
    title = "Not in the area baseline"
    weight = 0.15

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        ident = cell.identity
        if ctx.baseline is None or ident is None:
            return None
        if ctx.baseline.knows(ident, ctx.where(cell)):
            return None
        if not ctx.baseline.has_area(ctx.where(cell)):
            return None
        return self.evidence(
            f"cell {ident[0]}-{ident[1]} LAC {ident[2]} CI {ident[3]} was never seen in this area before"
        )
