"""An operator's MCC/MNC broadcast on an ARFCN outside that operator's allocation (band plan in
``firmware-config/bandplans/``). Network sharing between operators puts one operator's cells on
another's frequencies legitimately, so this rule is of moderate weight and needs company."""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class OffPlanArfcn(Rule):
    id = "off_plan_arfcn"
    title = "ARFCN outside the operator's allocation"
    weight = 0.35

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if ctx.allocations is None or cell.operator is None:
            return None
        if ctx.allocations.allowed(cell.mcc, cell.mnc, cell.arfcn, cell.band) is not False:
            return None
        name = ctx.allocations.operator(cell.mcc, cell.mnc) or f"{cell.mcc}-{cell.mnc}"
        return self.evidence(f"it claims to be {name} on ARFCN {cell.arfcn}, outside the frequencies {name} holds")
