"""Carrier frequency offset against the other cells heard in the same tuning.

Operator base stations are locked to GPS or the transport network and stay within ±0.05 ppm
(TS 45.010 §5.1 allows 0.05 ppm); the receiver's own error shifts every carrier alike. So the
spread between cells heard together is the cells' own error, whatever the receiver's clock: a cell
several tenths of a ppm off the consensus runs on a free-running oscillator, as cheap SDR-based
catchers do. With fewer than ``min_reference_cells`` other cells, the calibrated receiver ppm
(``calibration/<serial>.toml``) is the reference instead. Published detectors do not use this.
"""

from __future__ import annotations

import statistics

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class CarrierOffset(Rule):
    id = "carrier_offset"
    title = "Carrier frequency off the network's"
    weight = 0.65
    strong = True
    thresholds = {"weak_ppm": 0.2, "strong_ppm": 0.5, "min_reference_cells": 2.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        mine = cell.offset_ppm
        if mine is None:
            return None
        refs = [c.offset_ppm for c in ctx.others(cell) if c.offset_ppm is not None]
        if len(refs) >= self.t["min_reference_cells"]:
            ref = statistics.median(refs)  # type: ignore[type-var]
            basis = f"the other {len(refs)} cells heard with it"
        elif ctx.receiver_ppm is not None:
            ref = -ctx.receiver_ppm  # a receiver whose clock is high by p ppm sees carriers p ppm low
            basis = "the calibrated receiver"
        else:
            return None
        off = mine - ref
        if abs(off) < self.t["weak_ppm"]:
            return None
        hz = off * (cell.downlink_hz or 0.0) / 1e6
        detail = (
            f"its carrier is {off:+.2f} ppm ({hz:+.0f} Hz) off {basis}; operator cells are locked to "
            f"within 0.05 ppm, a cheap transmitter is not"
        )
        if abs(off) >= self.t["strong_ppm"]:
            return self.evidence(detail)
        span = self.t["strong_ppm"] - self.t["weak_ppm"]
        return self.evidence(detail, 0.3 + 0.5 * (abs(off) - self.t["weak_ppm"]) / span, strong=False)
