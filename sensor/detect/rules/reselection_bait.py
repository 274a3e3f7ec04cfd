"""Cell reselection bait: a cell reselection offset (CRO) or temporary offset that makes phones
prefer it whatever its real signal (TS 45.008 §6.4: C2 = C1 + CRO − TEMPORARY_OFFSET·H(...)).

SnoopSnitch flags a raw CRO above 40 (above 80 dB); icc flags above 25 dB. Operators use a few dB.
A CRO far above the same operator's other cells, or above the absolute limit, is the lure. With
PENALTY_TIME = 31 the offset is subtracted instead (TS 45.008 §6.4: C2 = C1 − CRO): such a cell asks
phones to prefer it less, so its CRO is no lure whatever its size (real networks send this: the
vf_call6 capture's Vodafone cell has CRO 80 dB with PENALTY_TIME 31).
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys


class ReselectionBait(Rule):
    id = "reselection_bait"
    title = "Cell reselection offset far above the operator's"
    weight = 0.5
    strong = True
    thresholds = {
        "strong_cro_db": 60.0,
        "weak_cro_db": 25.0,
        "above_operator_db": 20.0,
        "weak_scale": 0.6,
        "max_hysteresis_db": 12.0,
        "hysteresis_scale": 0.2,
    }

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        cro = cell.params.get(keys.CRO_DB)
        if cell.params.get(keys.PENALTY_TIME_SUBTRACTS_CRO) is True:
            cro = None  # the offset makes the cell less attractive, not more
        hyst = cell.params.get(keys.CELL_RESELECT_HYSTERESIS_DB)
        usual = ctx.operator_median(cell, keys.CRO_DB)
        if isinstance(cro, (int, float)):
            above = "" if usual is None else f", where the operator's other cells use {usual:g} dB"
            if cro >= self.t["strong_cro_db"]:
                return self.evidence(
                    f"it adds {cro:g} dB to its own signal in the phones' cell choice (reselection "
                    f"offset){above}: a lure"
                )
            if cro >= self.t["weak_cro_db"] and (usual is None or cro - usual >= self.t["above_operator_db"]):
                return self.evidence(f"its cell reselection offset is {cro:g} dB{above}", self.t["weak_scale"])
        if isinstance(hyst, (int, float)) and hyst >= self.t["max_hysteresis_db"]:
            usual_h = ctx.operator_median(cell, keys.CELL_RESELECT_HYSTERESIS_DB)
            if usual_h is None or hyst > usual_h:
                return self.evidence(
                    f"its reselection hysteresis is {hyst:g} dB, which keeps phones from leaving it",
                    self.t["hysteresis_scale"],
                    strong=False,
                )
        return None
