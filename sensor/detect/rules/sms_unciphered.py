"""SMS pushed on an unciphered channel: a cell that delivers short messages on a dedicated channel it
never ciphered.

A real network authenticates the phone and switches ciphering on (Ciphering Mode Command, TS 44.018
§3.4.7) before it delivers a message; a fake station has no keys to do so, which is why a passive
receiver can read what it pushes. Every SMS the sensor decodes was, by that fact, sent in clear.
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule


class SmsUnciphered(Rule):
    id = "sms_unciphered"
    title = "SMS delivered on an unciphered channel"
    weight = 0.6
    strong = True
    thresholds = {"min_sms": 1.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        act = cell.activity or {}
        sms = int(act.get("sms") or 0)
        if sms < self.t["min_sms"]:
            return None
        return self.evidence(
            f"it pushed {sms} SMS to phones on a channel it never ciphered: a real network switches "
            f"ciphering on before it delivers a message, a fake station has no keys to"
        )
