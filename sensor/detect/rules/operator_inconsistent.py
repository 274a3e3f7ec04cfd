"""Parameters unlike the same operator's other cells.

Operators configure their cells from one template: maximum phone power on the CCCH, minimum
access level, AGCH reservation, CCCH configuration, paging multiframes, permitted NCCs, and
whether SI2quater is sent (announced in SI3's rest octets, so judged from what the cell says, not
from whether we happened to decode it). A value that all the operator's other cells heard here
agree on and this cell does not is a sign of a hand-configured box. (SI13 follows GPRS: the
``missing_gprs`` rule's evidence.)
"""

from __future__ import annotations

from typing import Any

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule
from sensor.l3 import keys

PARAMS = (
    keys.MS_TXPWR_MAX_CCH,
    keys.RXLEV_ACCESS_MIN_DBM,
    keys.BS_AG_BLKS_RES,
    keys.CCCH_CONF,
    keys.BS_PA_MFRMS,
    keys.NCC_PERMITTED,
    keys.SI2QUATER_INDICATOR,
)


class OperatorInconsistent(Rule):
    id = "operator_inconsistent"
    title = "Parameters unlike the operator's other cells"
    weight = 0.2  # per differing parameter
    thresholds = {"min_operator_cells": 2.0, "max_scale": 3.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        peers = ctx.same_operator(cell)
        if len(peers) < self.t["min_operator_cells"]:
            return None
        diffs: list[str] = []
        for p in PARAMS:
            mine = cell.params.get(p)
            vals = [_h(c.params[p]) for c in peers if c.params.get(p) is not None]
            theirs = set(vals)
            if (
                mine is not None
                and len(vals) >= self.t["min_operator_cells"]
                and len(theirs) == 1
                and _h(mine) not in theirs
            ):
                diffs.append(f"{p.replace('_', ' ')} {_show(mine)} (others {_show(next(iter(theirs)))})")
        if not diffs:
            return None
        return self.evidence(
            f"its settings differ from the {len(peers)} other cells of {cell.mcc}-{cell.mnc} heard "
            f"here: {'; '.join(diffs)}",
            min(len(diffs), self.t["max_scale"]),
        )


def _h(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _show(v: Any) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v)
