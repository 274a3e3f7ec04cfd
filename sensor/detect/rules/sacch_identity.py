"""The identity a cell gives phones on its dedicated channels (SI6 on the SACCH, TS 44.018 §9.1.40)
differs from the one it broadcasts (SI3 on the BCCH, §9.1.35).

A network builds SI3 and SI6 from one cell configuration: the same MCC, MNC, LAC and cell identity.
A catcher that broadcasts a borrowed or changed identity but leaves its dedicated-channel software
on another configuration gives itself away to every phone it takes onto an SDCCH. Judged only when
both were decoded (SI6 arrives only while a phone is on a dedicated channel; no SI6 is not a finding).
"""

from __future__ import annotations

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys


def _name(mcc: object, mnc: object, lac: object, ci: object) -> str:
    return f"{mcc}-{mnc} LAC {lac} CI {ci}"


class SacchIdentity(Rule):
    id = "sacch_identity"
    title = "Another identity on its dedicated channels"
    weight = 0.8
    strong = True

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        p = cell.params
        sacch = (p.get(keys.SACCH_MCC), p.get(keys.SACCH_MNC), p.get(keys.SACCH_LAC), p.get(keys.SACCH_CELL_ID))
        if cell.identity is None or any(v is None for v in sacch) or sacch == cell.identity:
            return None
        return self.evidence(
            f"it broadcasts the identity {_name(*cell.identity)} but tells the phones it serves that it is "
            f"{_name(*sacch)}: a network's cell says the same in both"
        )
