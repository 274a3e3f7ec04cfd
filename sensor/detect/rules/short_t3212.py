"""A short periodic location-update timer T3212 (TS 44.018 §10.5.2.11, in minutes here).

A catcher sets a short timer so that phones report their identity often. SnoopSnitch scores
T3212 below 5 decihours (30 min) as strong and below 9 (54 min) as weak; live networks rarely go
below 60 min. An operator that uses a low value on all its cells is not suspicious for it: the rule
compares with the same operator's other cells where they are heard.
T3212 = 0 means no periodic updating at all and is not judged.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys


class ShortT3212(Rule):
    id = "short_t3212"
    title = "Short location-update timer"
    weight = 0.45
    strong = True
    thresholds = {"strong_below_min": 30.0, "weak_below_min": 54.0, "weak_scale": 0.35}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        t = cell.params.get(keys.T3212_MIN)
        if not isinstance(t, (int, float)) or t <= 0 or t >= self.t["weak_below_min"]:
            return None
        usual = ctx.operator_median(cell, keys.T3212_MIN)
        if usual is not None and usual <= t:
            return None  # the operator's other cells use it too
        than = "" if usual is None else f" (the operator's other cells: every {usual:g} min)"
        detail = f"it asks phones to report their location every {t:g} minutes{than}"
        if t < self.t["strong_below_min"]:
            return self.evidence(detail)
        return self.evidence(detail, self.t["weak_scale"], strong=False)
