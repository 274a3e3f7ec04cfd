"""A known cell identity (MCC/MNC/LAC/CI) on another ARFCN or BSIC: a cloned cell.

Operators give every cell its own CI within a LAC. The same identity on two carriers means one of
them is a copy. Which one: the one the area baseline knows on its ARFCN and BSIC is the original;
failing that, the one whose ARFCN the other cells list as a neighbour. When neither tells them
apart, both get reduced weight (one of them is a clone; the other rules decide which).
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class ClonedIdentity(Rule):
    id = "cloned_identity"
    title = "Cloned cell identity"
    weight = 0.7
    strong = True
    thresholds = {"ambiguous_scale": 0.5}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        ident = cell.identity
        if ident is None:
            return None
        twins = [c for c in ctx.others(cell) if c.identity == ident]
        where = f"cell {ident[0]}-{ident[1]} LAC {ident[2]} CI {ident[3]}"
        if ctx.baseline is not None:
            known = ctx.baseline.carriers_of(ident, ctx.where(cell))
            if known and (cell.arfcn, cell.bsic) not in known:
                pairs = ", ".join(f"ARFCN {a} BSIC {b}" for a, b in sorted(known, key=lambda p: (p[0], p[1] or -1)))
                return self.evidence(f"it uses the identity of {where}, which this area's baseline knows on {pairs}")
            if known:
                return None  # the original, where the baseline expects it
        if not twins:
            return None
        listed = {a for c in ctx.cells if c.neighbours for a in c.neighbours}
        me_listed = cell.arfcn in listed
        twins_listed = [t for t in twins if t.arfcn in listed]
        others = ", ".join(t.label for t in twins)
        if twins_listed and not me_listed:
            return self.evidence(
                f"it copies the identity of {where} on {others}, which the neighbouring cells list and it is not"
            )
        if me_listed and not twins_listed:
            return None
        return self.evidence(
            f"the identity of {where} is also broadcast on {others}: one of them is a clone", self.t["ambiguous_scale"]
        )
