"""Parameters unlike the same operator's other cells.

Operators configure their cells from one template: maximum phone power on the CCCH, minimum
access level, AGCH reservation, CCCH configuration, paging multiframes, permitted NCCs, and which
optional SI messages they send (SI2quater, SI13). A value that all the operator's other cells heard
here agree on and this cell does not is a sign of a hand-configured box. Presence of SI13/SI2quater
is judged only after a full SI cycle (8 × 51 frames, 1.9 s) of this cell.
"""

from __future__ import annotations

from typing import Any

from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.evidence import Evidence, Rule

PARAMS = ("ms_txpwr_max_cch", "rxlev_access_min_dbm", "bs_ag_blks_res", "ccch_conf", "bs_pa_mfrms", "ncc_permitted")
OPTIONAL_SI = ("2quater", "13")
FULL_CYCLE_S = 8 * 51 * 0.004615


class OperatorInconsistent(Rule):
    id = "operator_inconsistent"
    title = "Parameters unlike the operator's other cells"
    weight = 0.12  # per differing parameter
    thresholds = {"min_operator_cells": 2.0, "max_scale": 3.0}

    def evaluate(self, cell: CellFacts, ctx: DetectContext) -> Evidence | None:
        peers = ctx.same_operator(cell)
        if len(peers) < self.t["min_operator_cells"]:
            return None
        diffs: list[str] = []
        for p in PARAMS:
            mine = cell.params.get(p)
            theirs = {_h(c.params.get(p)) for c in peers if c.params.get(p) is not None}
            if mine is not None and len(theirs) == 1 and _h(mine) not in theirs:
                diffs.append(f"{p.replace('_', ' ')} {_show(mine)} (others {_show(next(iter(theirs)))})")
        if _observed_s(cell) >= FULL_CYCLE_S:
            full = [c for c in peers if _observed_s(c) >= FULL_CYCLE_S]
            for t in OPTIONAL_SI:
                if t == "13" and cell.params.get("gprs") is False:
                    continue  # SI13 describes GPRS: its absence is the missing_gprs rule's evidence
                if len(full) >= self.t["min_operator_cells"] and t not in cell.si_types and all(t in c.si_types for c in full):
                    diffs.append(f"no SI{t} (others send it)")
        if not diffs:
            return None
        return self.evidence(f"its settings differ from the {len(peers)} other cells of {cell.mcc}-{cell.mnc} heard "
                             f"here: {'; '.join(diffs)}", min(len(diffs), self.t["max_scale"]))


def _observed_s(c: CellFacts) -> float:
    return 0.0 if c.first_t_s is None or c.last_t_s is None else c.last_t_s - c.first_t_s


def _h(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


def _show(v: Any) -> str:
    return ",".join(str(x) for x in v) if isinstance(v, (list, tuple)) else str(v)
