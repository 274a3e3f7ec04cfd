"""A transient cell: switched on or off while the receiver was listening.

A real cell is on all the time; a car driving into its coverage hears it rise out of the noise,
weak at first. A carrier that appears strong in the middle of a stretch of listening to its
channel, or vanishes while strong, was switched, as catchers are for a short operation. (A
scanner listens to each channel in turns: only the stretch that contains the cell counts; and a
strong cell found where the previous visit to its channel found nothing had appeared since.)
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class Transient(Rule):
    id = "transient"
    title = "Switched on or off while observed"
    weight = 0.3
    thresholds = {
        "appear_after_s": 1.0,
        "vanish_before_s": 1.0,
        "absent_before_s": 5.0,
        "min_snr_db": 12.0,
        "both_scale": 1.5,
    }

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        if cell.first_t_s is None or cell.last_t_s is None or cell.snr_db is None or cell.snr_db < self.t["min_snr_db"]:
            return None
        first, last = ctx.span_at(cell.arfcn, cell.first_t_s), ctx.span_at(cell.arfcn, cell.last_t_s)
        events = []
        if first is not None and cell.first_t_s - first[0] >= self.t["appear_after_s"]:
            events.append(f"appeared {cell.first_t_s - first[0]:.1f} s after we started listening to its channel")
        if last is not None and last[1] - cell.last_t_s >= self.t["vanish_before_s"]:
            events.append(f"vanished {last[1] - cell.last_t_s:.1f} s before we stopped listening")
        gap = ctx.appeared.get(cell.key)
        if gap is not None and gap >= self.t["absent_before_s"]:
            events.append(f"was not there when we listened to its channel {gap:.0f} s earlier")
        if not events:
            return None
        return self.evidence(
            f"it {' and '.join(events)}, at {cell.snr_db:.0f} dB SNR: switched, not faded",
            1.0 if len(events) == 1 else self.t["both_scale"],
        )
