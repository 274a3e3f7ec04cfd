"""What a cell broadcasts changed while it was observed.

Operators change a cell's configuration rarely and never its identity on air; a catcher operator
retunes its box (a new LAC to force fresh location updates, a different neighbour list). An identity
change is strong; other parameter changes are weak.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class SiChanged(Rule):
    id = "si_changed"
    title = "Broadcast changed on air"
    weight = 0.45
    strong = True
    thresholds = {"params_scale": 0.35}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if not cell.changes:
            return None
        what = sorted({name for _, _, names in cell.changes for name in names})
        when = next((t for t, _, _ in cell.changes if t is not None), None)
        at = "" if when is None else f" at {when:.1f} s"
        if "identity" in what:
            return self.evidence(f"its identity (LAC or cell ID) changed on air{at}")
        return self.evidence(
            f"its broadcast changed on air{at} ({', '.join(what)})", self.t["params_scale"], strong=False
        )
