"""Signal strength a fixed mast cannot explain: much stronger than the baseline has ever seen this
cell at this place, or far stronger than every other cell of its operator heard here.

A fake station stands near the road and is turned up to pull phones; a real cell can be strong
too when the car passes its mast, so this is weak evidence. Calibrated dBm are compared with the
baseline's dBm only; relative comparisons between cells heard together use dBFS (same gain).
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class PowerAnomaly(Rule):
    id = "power_anomaly"
    title = "Signal strength anomaly"
    weight = 0.15
    thresholds = {"above_baseline_db": 15.0, "above_operator_db": 30.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        ident = cell.identity
        if ctx.baseline is not None and ident is not None and cell.rssi_dbm is not None:
            most = ctx.baseline.max_rssi_dbm(ident, ctx.where(cell))
            if most is not None and cell.rssi_dbm - most >= self.t["above_baseline_db"]:
                return self.evidence(f"it is received at {cell.rssi_dbm:.0f} dBm here, {cell.rssi_dbm - most:.0f} dB "
                                     f"stronger than ever before at this place")
        if cell.rssi_dbfs is None:
            return None
        peers = [c.rssi_dbfs for c in ctx.same_operator(cell) if c.rssi_dbfs is not None]
        if peers and cell.rssi_dbfs - max(peers) >= self.t["above_operator_db"]:
            return self.evidence(f"it is {cell.rssi_dbfs - max(peers):.0f} dB stronger than any other cell of its "
                                 f"operator heard here")
        return None
