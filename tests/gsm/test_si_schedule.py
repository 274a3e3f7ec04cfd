"""System Information scheduling (TS 45.002 §6.3.1.3), checked against a real cell."""

from __future__ import annotations

from sensor.gsm import tdma
from sensor.gsm.si_schedule import SI_SCHEDULE, Bcch, si_types_at_fn, si_types_at_tc, tcs_of
from sensor.l3.ts44018 import MESSAGE_TYPE, RRMessageType
from tests.coding.capture import expected_bcch_ts0

# TS 44.018 §10.4 message types of the SI messages
SI_MESSAGE_TYPE = {int(mt): si.value for si, mt in MESSAGE_TYPE.items()} | {RRMessageType.SYSTEM_INFORMATION_9: "9"}


def test_fixed_positions():
    assert si_types_at_tc(0) == ("1",)
    assert si_types_at_tc(1) == ("2",)
    assert si_types_at_tc(2) == si_types_at_tc(6) == ("3",)
    assert si_types_at_tc(3) == si_types_at_tc(7) == ("4",)
    assert set(si_types_at_tc(4)) == {"2ter", "2quater", "9", "13"}
    assert set(si_types_at_tc(5)) == {"2bis", "2ter", "2quater"}
    assert tcs_of("13") == (0, 4) and tcs_of("13", Bcch.NORM) == (4,)
    assert si_types_at_tc(7, Bcch.EXT) == ("7",) and si_types_at_tc(3, Bcch.EXT) == ("8",)


def test_every_rule_cites_the_clause():
    assert all(rule.clause.startswith("TS 45.002 §6.3.1.3") for rule in SI_SCHEDULE)
    assert all(0 <= t <= 7 for rule in SI_SCHEDULE for t in rule.tcs)


def test_real_cell_sends_each_si_where_the_table_allows():
    seen = 0
    for fn, frame in expected_bcch_ts0().items():
        if fn % 51 != 2:  # BCCH Norm blocks only
            continue
        si = SI_MESSAGE_TYPE[frame[2]]
        assert si in si_types_at_fn(fn), f"SI{si} at FN {fn} (TC {tdma.tc(fn)})"
        seen += 1
    assert seen >= 25
