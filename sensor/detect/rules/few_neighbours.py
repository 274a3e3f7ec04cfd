"""An empty or near-empty neighbour list (SI2/2bis/2ter BA list).

A catcher lists no neighbours so that a phone camped on it has nowhere to go. A real cell lists
several; a rural cell may list only one, which is weak evidence. No SI2 received yet means the
list is unknown, not empty: the rule does not judge then.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class FewNeighbours(Rule):
    id = "few_neighbours"
    title = "Empty or near-empty neighbour list"
    weight = 0.45
    strong = True
    thresholds = {"max_weak": 1.0, "weak_scale": 0.3}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if cell.neighbours is None:
            return None
        n = len(cell.neighbours)
        if n == 0:
            return self.evidence("it lists no neighbour cells, so a phone camped on it cannot move to another cell")
        if n <= self.t["max_weak"]:
            return self.evidence(
                f"it lists only {n} neighbour cell{'s' if n != 1 else ''}", self.t["weak_scale"], strong=False
            )
        return None
