"""Signal strength a fixed mast cannot explain: much stronger than the baseline has ever seen this
cell at this place, or far stronger than every other cell of its operator heard here.

A fake station stands near the road and is turned up to pull phones; a real cell can be strong
too when the car passes its mast, so this is weak evidence. Also: a step in strength while the car
stands still (readings within ``standing_m`` of each other, median levels of the two halves more
than ``jump_db`` apart within ``jump_within_s``): fading of a parked receiver is slow, a
transmitter being turned up is not. Calibrated dBm are compared with the
baseline's dBm only; relative comparisons between cells heard together use dBFS (same gain).
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class PowerAnomaly(Rule):
    id = "power_anomaly"
    title = "Signal strength anomaly"
    weight = 0.15
    thresholds = {
        "above_baseline_db": 15.0,
        "above_operator_db": 30.0,
        "jump_db": 15.0,
        "jump_within_s": 5.0,
        "standing_m": 15.0,
    }

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        ident = cell.identity
        if ctx.baseline is not None and ident is not None and cell.rssi_dbm is not None:
            most = ctx.baseline.max_rssi_dbm(ident, ctx.where(cell))
            if most is not None and cell.rssi_dbm - most >= self.t["above_baseline_db"]:
                return self.evidence(
                    f"it is received at {cell.rssi_dbm:.0f} dBm here, {cell.rssi_dbm - most:.0f} dB "
                    f"stronger than ever before at this place"
                )
        jump = _jump_while_standing(cell.readings, self.t["standing_m"], self.t["jump_db"], self.t["jump_within_s"])
        if jump is not None:
            return self.evidence(
                f"its strength changed by {jump:.0f} dB within seconds while the car stood still: "
                f"a mast does not do that, a transmitter turned up or down does"
            )
        if cell.rssi_dbfs is None:
            return None
        peers = [c.rssi_dbfs for c in ctx.same_operator(cell) if c.rssi_dbfs is not None]
        if peers and cell.rssi_dbfs - max(peers) >= self.t["above_operator_db"]:
            return self.evidence(
                f"it is {cell.rssi_dbfs - max(peers):.0f} dB stronger than any other cell of its operator heard here"
            )
        return None


def _jump_while_standing(
    readings: tuple[tuple[float, float, float, float], ...], standing_m: float, jump_db: float, within_s: float
) -> float | None:
    """The largest step in median power between consecutive stretches of ``within_s`` seconds during
    which the receiver stayed within ``standing_m`` (None: no such step)."""
    from sensor.gps.geodesy import distance_m

    best = None
    for i in range(len(readings)):
        lat0, lon0, _, t0 = readings[i]
        stay = [r for r in readings[i:] if r[3] - t0 <= within_s and distance_m(lat0, lon0, r[0], r[1]) <= standing_m]
        if len(stay) < 6:
            continue
        half = len(stay) // 2
        a = sorted(r[2] for r in stay[:half])[half // 2]
        b = sorted(r[2] for r in stay[half:])[(len(stay) - half) // 2]
        if abs(b - a) >= jump_db and (best is None or abs(b - a) > abs(best)):
            best = b - a
    return None if best is None else abs(best)
