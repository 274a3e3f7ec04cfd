"""Which System Information type is sent when on the BCCH, as data (TS 45.002 §6.3.1.3).

The BCCH Norm block (T3 = 2..5 of timeslot 0) of the 51-multiframe with
TC = (FN div 51) mod 8 carries the SI types listed for that TC; the BCCH Ext (first CCCH block,
T3 = 6..9, when SI3/SI4 announce it) likewise. Several types share TC 4 and TC 5; which one is
sent depends on which the network uses (the ``condition`` of each rule). TS 44.018 §3.2.2.1 says
which SI types a mobile needs; §9.1.31ff give their message types.

The table covers the types this sensor reads and their neighbours on the same TCs:
1, 2, 2bis, 2ter, 2quater, 3, 4, 7, 8, 9, 13, 16, 17.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .tdma import tc


class Bcch(str, enum.Enum):
    NORM = "norm"
    EXT = "ext"


@dataclass(frozen=True, slots=True)
class SiRule:
    """SI type ``si_type`` is sent on ``bcch`` when TC is one of ``tcs``, under ``condition``."""

    si_type: str
    bcch: Bcch
    tcs: tuple[int, ...]
    condition: str
    clause: str = "TS 45.002 §6.3.1.3"


SI_SCHEDULE: tuple[SiRule, ...] = (
    SiRule(
        "1",
        Bcch.NORM,
        (0,),
        "only if frequency hopping is used or the NCH is present; "
        "if another message is found at TC 0, SI1 is not in use",
    ),
    SiRule("2", Bcch.NORM, (1,), "always (at least every time TC = 1)"),
    SiRule("2bis", Bcch.NORM, (5,), "if needed"),
    SiRule("2ter", Bcch.NORM, (5,), "if needed and 2bis is not sent"),
    SiRule("2ter", Bcch.NORM, (4,), "if both 2bis and 2ter are sent: at least once in any 4 consecutive TC = 4"),
    SiRule("2quater", Bcch.NORM, (5,), "if on BCCH Norm and neither 2bis nor 2ter is sent"),
    SiRule(
        "2quater",
        Bcch.NORM,
        (4,),
        "if on BCCH Norm and 2bis or 2ter is sent: at least once in any 4 consecutive TC = 4",
    ),
    SiRule("2quater", Bcch.EXT, (5,), "if on BCCH Ext: at least once in any 4 consecutive TC = 5"),
    SiRule("3", Bcch.NORM, (2, 6), "always"),
    SiRule("4", Bcch.NORM, (3, 7), "always"),
    SiRule("7", Bcch.EXT, (7,), "if needed"),
    SiRule("8", Bcch.EXT, (3,), "if needed"),
    SiRule("9", Bcch.NORM, (4,), "in the TC = 4 blocks that SI3 specifies"),
    SiRule(
        "13",
        Bcch.NORM,
        (4,),
        "if GPRS is supported and SI3/4/7/8 say BCCH Norm: at least once in any 4 consecutive TC = 4",
    ),
    SiRule("13", Bcch.EXT, (0,), "if GPRS is supported and SI3/4/7/8 say BCCH Ext"),
    SiRule("16", Bcch.EXT, (6,), "if needed"),
    SiRule("17", Bcch.EXT, (2,), "if needed"),
)


def si_types_at_tc(tc_value: int, bcch: Bcch = Bcch.NORM) -> tuple[str, ...]:
    """The SI types that may be sent on ``bcch`` when TC = ``tc_value`` (0..7), in table order, unique."""
    seen: list[str] = []
    for rule in SI_SCHEDULE:
        if rule.bcch is bcch and int(tc_value) in rule.tcs and rule.si_type not in seen:
            seen.append(rule.si_type)
    return tuple(seen)


def si_types_at_fn(fn: int, bcch: Bcch = Bcch.NORM) -> tuple[str, ...]:
    """The SI types that may be sent in the BCCH block of the 51-multiframe containing frame ``fn``."""
    return si_types_at_tc(tc(int(fn)), bcch)


def tcs_of(si_type: str, bcch: Bcch | None = None) -> tuple[int, ...]:
    """All TC values at which ``si_type`` may be sent (on ``bcch``, or on either when None), sorted."""
    found = {t for r in SI_SCHEDULE if r.si_type == si_type and (bcch is None or r.bcch is bcch) for t in r.tcs}
    return tuple(sorted(found))
