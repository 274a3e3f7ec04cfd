"""No GPRS/EDGE where the operator's other cells have it (2G-only catchers offer no data service)."""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys


class MissingGprs(Rule):
    id = "missing_gprs"
    title = "No GPRS where the operator has it"
    weight = 0.3
    thresholds = {"min_operator_cells": 2.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if cell.params.get(keys.GPRS) is not False:
            return None
        with_gprs = [c for c in ctx.same_operator(cell) if c.params.get(keys.GPRS) is True]
        if len(with_gprs) < self.t["min_operator_cells"]:
            return None
        return self.evidence(
            f"it offers no GPRS data service while {len(with_gprs)} other cells of {cell.mcc}-{cell.mnc} heard here do"
        )
