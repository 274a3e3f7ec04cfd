"""Every detection rule, by stable id. A new rule is a module in ``rules/`` and a line here."""

from __future__ import annotations

from sensor.detect.evidence import Rule
from sensor.detect.rules.carrier_offset import CarrierOffset
from sensor.detect.rules.cloned_identity import ClonedIdentity
from sensor.detect.rules.few_neighbours import FewNeighbours
from sensor.detect.rules.foreign_reject import ForeignReject
from sensor.detect.rules.imsi_without_auth import ImsiWithoutAuth
from sensor.detect.rules.lac_isolated import LacIsolated
from sensor.detect.rules.missing_gprs import MissingGprs
from sensor.detect.rules.neighbours_unheard import NeighboursUnheard
from sensor.detect.rules.not_listed_back import NotListedBack
from sensor.detect.rules.off_plan_arfcn import OffPlanArfcn
from sensor.detect.rules.operator_inconsistent import OperatorInconsistent
from sensor.detect.rules.paging_behaviour import PagingBehaviour
from sensor.detect.rules.power_anomaly import PowerAnomaly
from sensor.detect.rules.reselection_bait import ReselectionBait
from sensor.detect.rules.sacch_identity import SacchIdentity
from sensor.detect.rules.short_t3212 import ShortT3212
from sensor.detect.rules.si_changed import SiChanged
from sensor.detect.rules.sms_unciphered import SmsUnciphered
from sensor.detect.rules.transient import Transient
from sensor.detect.rules.unknown_to_baseline import UnknownToBaseline

RULES: dict[str, type[Rule]] = {
    r.id: r
    for r in (
        LacIsolated,
        ClonedIdentity,
        FewNeighbours,
        NeighboursUnheard,
        NotListedBack,
        ReselectionBait,
        ShortT3212,
        MissingGprs,
        OperatorInconsistent,
        OffPlanArfcn,
        UnknownToBaseline,
        CarrierOffset,
        PowerAnomaly,
        Transient,
        PagingBehaviour,
        ImsiWithoutAuth,
        SmsUnciphered,
        ForeignReject,
        SiChanged,
        SacchIdentity,
    )
}
