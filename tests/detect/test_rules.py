"""Every rule on both sides of its threshold, on hand-made cells (no radio)."""

from __future__ import annotations

import dataclasses

import pytest

from sensor.detect.baseline import Baseline
from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.registry import RULES

POS = {"lat_deg": 31.2304, "lon_deg": 121.4737}
F62 = 947.4e6


def cell(arfcn: int = 62, **kw) -> CellFacts:
    base = dict(
        arfcn=arfcn,
        bsic=10 + arfcn % 50,
        band="P-GSM900",
        mcc="460",
        mnc="00",
        lac=6170,
        cell_id=20000 + arfcn,
        neighbours=(58, 60, 62, 66),
        params={
            "t3212_min": 60,
            "cro_db": 4,
            "gprs": True,
            "ms_txpwr_max_cch": 5,
            "cell_reselect_hysteresis_db": 4,
            "bs_ag_blks_res": 1,
        },
        si_types=frozenset({"1", "2", "3", "4", "13"}),
        downlink_hz=935e6 + 200e3 * arfcn,
        rssi_dbfs=-30.0,
        snr_db=20.0,
        freq_offset_hz=-11370.0 * (935e6 + 200e3 * arfcn) / F62,
        first_t_s=0.05,
        last_t_s=3.9,
        blocks=150,
    )
    base.update(kw)
    return CellFacts(**base)


def neighbourhood() -> list[CellFacts]:
    return [cell(58, neighbours=(60, 62, 66)), cell(60, neighbours=(58, 62, 66)), cell(66, neighbours=(58, 60, 62))]


def judge(rule_id: str, c: CellFacts, others: list[CellFacts] | None = None, **ctx_kw):
    cells = (neighbourhood() if others is None else others) + [c]
    ctx = DetectContext(cells, **ctx_kw)
    return RULES[rule_id]().evaluate(c, ctx)


def test_lac_isolated():
    assert judge("lac_isolated", cell(64, lac=7171)).weight == pytest.approx(0.35)
    assert judge("lac_isolated", cell(64, lac=6170)) is None
    # fewer than three operator neighbours: weak form
    assert judge("lac_isolated", cell(64, lac=7171), neighbourhood()[:2]).weight < 0.35
    assert judge("lac_isolated", cell(64, lac=7171, mnc="01")) is None  # nobody of its operator heard


def test_cloned_identity_prefers_the_listed_original():
    original = cell(62, neighbours=(58, 60, 66))
    clone = cell(64, lac=original.lac, cell_id=original.cell_id, neighbours=(58, 60, 66))
    others = neighbourhood() + [original]
    ev = judge("cloned_identity", clone, others)
    assert ev is not None and ev.strong and ev.weight == pytest.approx(0.7)
    assert judge("cloned_identity", original, neighbourhood() + [clone]) is None
    assert judge("cloned_identity", cell(64), others) is None


def test_cloned_identity_from_the_baseline():
    with Baseline(":memory:") as b:
        b.learn({"mcc": "460", "mnc": "00", "lac": 6170, "cell_id": 20062, "arfcn": 62, "bsic": 22, "params": {}}, POS)
        clone = cell(64, cell_id=20062, position=POS)
        assert "ARFCN 62" in judge("cloned_identity", clone, neighbourhood(), baseline=b).detail
        assert judge("cloned_identity", cell(62, bsic=22, position=POS), neighbourhood(), baseline=b) is None


def test_few_neighbours():
    assert judge("few_neighbours", cell(64, neighbours=())).strong
    one = judge("few_neighbours", cell(64, neighbours=(58,)))
    assert one is not None and not one.strong and one.weight < 0.2
    assert judge("few_neighbours", cell(64, neighbours=(58, 60))) is None
    assert judge("few_neighbours", cell(64, neighbours=None)) is None  # no SI2 yet: unknown, not empty


def test_neighbours_unheard_only_counts_what_could_be_heard():
    bogus = cell(64, neighbours=(59, 61, 63, 65))
    observed = dict.fromkeys(range(57, 68), ((0.0, 4.0),))
    assert judge("neighbours_unheard", bogus, observed=observed) is not None
    assert judge("neighbours_unheard", bogus, observed=dict.fromkeys(range(100, 110), ((0.0, 4.0),))) is None
    assert judge("neighbours_unheard", bogus) is None  # coverage unknown
    assert judge("neighbours_unheard", cell(64, neighbours=(58, 60, 61, 66)), observed=observed) is None


def test_not_listed_back():
    assert judge("not_listed_back", cell(64)) is not None
    listed = [dataclasses.replace(c, neighbours=(*c.neighbours, 64)) for c in neighbourhood()]
    assert judge("not_listed_back", cell(64), listed) is None
    assert judge("not_listed_back", cell(64), neighbourhood()[:1]) is None  # one cell is too few to say


def test_reselection_bait():
    ev = judge("reselection_bait", cell(64, params={"cro_db": 100}))
    assert ev.strong and ev.weight == pytest.approx(0.5)
    assert judge("reselection_bait", cell(64, params={"cro_db": 30})).weight < 0.5
    assert judge("reselection_bait", cell(64, params={"cro_db": 20})) is None
    # PENALTY_TIME 31: C2 = C1 - CRO, the offset pushes phones away (TS 45.008 §6.4; the real vf_call6 cell)
    assert judge("reselection_bait", cell(64, params={"cro_db": 80, "penalty_time_subtracts_cro": True})) is None
    assert judge("reselection_bait", cell(64, params={"cro_db": 80, "penalty_time_subtracts_cro": False}))
    assert (
        judge(
            "reselection_bait",
            cell(64, params={"cro_db": 30}),
            [dataclasses.replace(c, params={"cro_db": 28}) for c in neighbourhood()],
        )
        is None
    )
    assert not judge("reselection_bait", cell(64, params={"cell_reselect_hysteresis_db": 14})).strong


def test_short_t3212():
    assert judge("short_t3212", cell(64, params={"t3212_min": 6})).strong
    weak = judge("short_t3212", cell(64, params={"t3212_min": 42}))
    assert weak is not None and not weak.strong
    assert judge("short_t3212", cell(64, params={"t3212_min": 60})) is None
    assert judge("short_t3212", cell(64, params={"t3212_min": 0})) is None  # no periodic updating
    low_everywhere = [dataclasses.replace(c, params={"t3212_min": 12}) for c in neighbourhood()]
    assert judge("short_t3212", cell(64, params={"t3212_min": 12}), low_everywhere) is None


def test_missing_gprs():
    assert judge("missing_gprs", cell(64, params={"gprs": False})) is not None
    assert judge("missing_gprs", cell(64, params={"gprs": True})) is None
    assert judge("missing_gprs", cell(64, params={"gprs": False}), neighbourhood()[:1]) is None


def test_operator_inconsistent():
    odd = cell(64, params={**cell().params, "ms_txpwr_max_cch": 0, "bs_ag_blks_res": 4})
    ev = judge("operator_inconsistent", odd)
    assert ev is not None and ev.weight == pytest.approx(0.4) and "ms txpwr max cch 0" in ev.detail
    assert judge("operator_inconsistent", cell(64)) is None
    mixed = neighbourhood()
    mixed[0] = dataclasses.replace(mixed[0], params={**mixed[0].params, "ms_txpwr_max_cch": 2})
    assert judge("operator_inconsistent", cell(64, params={**cell().params, "ms_txpwr_max_cch": 0}), mixed) is None


class _Plan:
    def allowed(self, mcc, mnc, arfcn, band):
        return None if mnc == "99" else arfcn <= 94

    def operator(self, mcc, mnc):
        return "China Mobile"


def test_off_plan_arfcn():
    assert judge("off_plan_arfcn", cell(110), allocations=_Plan()) is not None
    assert judge("off_plan_arfcn", cell(64), allocations=_Plan()) is None
    assert judge("off_plan_arfcn", cell(110, mnc="99"), allocations=_Plan()) is None  # operator unknown
    assert judge("off_plan_arfcn", cell(110)) is None  # no band plan loaded


def test_unknown_to_baseline_is_weak_and_needs_area_data():
    with Baseline(":memory:") as b:
        here = cell(64, position=POS)
        assert judge("unknown_to_baseline", here, baseline=b) is None  # the baseline knows nothing here
        b.learn({"mcc": "460", "mnc": "00", "lac": 6170, "cell_id": 20058, "arfcn": 58, "bsic": 8, "params": {}}, POS)
        ev = judge("unknown_to_baseline", here, baseline=b)
        assert ev is not None and not ev.strong and ev.weight <= 0.2
        assert judge("unknown_to_baseline", cell(58, position=POS), baseline=b) is None


def test_carrier_offset_against_the_consensus():
    f = 935e6 + 200e3 * 64
    own = lambda ppm: cell(64, freq_offset_hz=-11370.0 * f / F62 + ppm * f / 1e6)  # noqa: E731
    strong = judge("carrier_offset", own(2.5))
    assert strong.strong and "+2.50 ppm" in strong.detail
    weak = judge("carrier_offset", own(0.3))
    assert weak is not None and not weak.strong
    assert judge("carrier_offset", own(0.1)) is None
    assert judge("carrier_offset", own(2.5), neighbourhood()[:1]) is None  # no consensus, no calibration


def test_carrier_offset_against_a_calibrated_receiver():
    f = 935e6 + 200e3 * 64
    alone = cell(64, freq_offset_hz=-12.0 * f / 1e6 + 1.0 * f / 1e6)  # receiver +12 ppm, cell +1 ppm
    assert judge("carrier_offset", alone, [], receiver_ppm=12.0) is not None
    assert judge("carrier_offset", cell(64, freq_offset_hz=-12.0 * f / 1e6), [], receiver_ppm=12.0) is None


def test_power_anomaly():
    assert judge("power_anomaly", cell(64, rssi_dbfs=0.0)) is not None
    assert judge("power_anomaly", cell(64, rssi_dbfs=-10.0)) is None
    with Baseline(":memory:") as b:
        b.learn(
            {
                "mcc": "460",
                "mnc": "00",
                "lac": 6170,
                "cell_id": 20064,
                "arfcn": 64,
                "bsic": 14,
                "params": {},
                "rssi_dbm": -80.0,
            },
            POS,
        )
        assert judge("power_anomaly", cell(64, rssi_dbm=-50.0, position=POS), baseline=b) is not None
        assert judge("power_anomaly", cell(64, rssi_dbm=-75.0, position=POS), baseline=b) is None


def test_transient():
    span = dict(observed={64: ((0.0, 4.0),)})
    assert judge("transient", cell(64, first_t_s=1.5), **span) is not None
    assert judge("transient", cell(64, first_t_s=1.5, last_t_s=2.0), **span).weight > 0.3
    assert judge("transient", cell(64, first_t_s=0.3), **span) is None
    assert judge("transient", cell(64, first_t_s=1.5, snr_db=6.0), **span) is None  # rising out of the noise
    # a scanner listened to the channel from 1.4 s to 2.1 s only: the cell was there all along
    scanned = dict(observed={64: ((0.0, 0.3), (1.4, 2.1))})
    assert judge("transient", cell(64, first_t_s=1.5, last_t_s=2.0), **scanned) is None
    assert judge("transient", cell(64, first_t_s=1.5, last_t_s=2.0)) is None  # listening unknown


def test_paging_behaviour():
    catcher = cell(64, ccch={"immediate_assignment": 12, "paging_request_1_empty": 80})
    assert judge("paging_behaviour", catcher).strong
    live = cell(64, ccch={"immediate_assignment": 12, "paging_request_1": 30, "paging_request_1_empty": 50})
    assert judge("paging_behaviour", live) is None
    assert judge("paging_behaviour", cell(64, ccch={"immediate_assignment": 2, "paging_request_1_empty": 80})) is None
    assert judge("paging_behaviour", cell(64, ccch={"immediate_assignment": 12})) is None  # too little CCCH seen


def test_si_changed():
    assert judge("si_changed", cell(64, changes=((1.2, "3", ("identity", "lac")),))).strong
    params = judge("si_changed", cell(64, changes=((1.2, "3", ("t3212_min",)),)))
    assert params is not None and not params.strong
    assert judge("si_changed", cell(64)) is None


def test_every_rule_is_tested_here():
    tested = {name[len("test_") :] for name in globals() if name.startswith("test_")}
    assert all(any(t.startswith(rid) for t in tested) for rid in RULES), sorted(RULES)


def test_transient_appeared_since_the_last_visit():
    c = cell(64)
    assert judge("transient", c, appeared={c.key: 20.0}) is not None
    assert judge("transient", c, appeared={c.key: 2.0}) is None  # too recent to say it was absent
    assert judge("transient", c) is None


def test_power_anomaly_step_while_standing_still():
    still = tuple((31.23, 121.47, -50.0 if t < 2.0 else -30.0, t) for t in [x * 0.25 for x in range(16)])
    assert "changed by 20 dB" in judge("power_anomaly", cell(64, readings=still)).detail
    steady = tuple((lat, lon, -50.0, t) for lat, lon, _, t in still)
    assert judge("power_anomaly", cell(64, readings=steady)) is None
    driving = tuple((31.23 + 0.0003 * i, 121.47, p, t) for i, (_, _, p, t) in enumerate(still))  # 33 m per reading
    assert judge("power_anomaly", cell(64, readings=driving)) is None


def test_imsi_without_auth():
    asked = {"sessions": 4, "imsi_requests_before_auth": 3, "identity_requests": {"imsi": 3}}
    ev = judge("imsi_without_auth", cell(64, activity=asked))
    assert ev is not None and ev.strong and "asked 3 phone(s) for their IMSI" in ev.detail
    authenticated = {"sessions": 4, "imsi_requests_before_auth": 0, "identity_requests": {"imsi": 3}}
    assert judge("imsi_without_auth", cell(64, activity=authenticated)) is None
    assert judge("imsi_without_auth", cell(64)) is None  # no dedicated traffic seen: nothing to say


def test_sms_unciphered():
    ev = judge("sms_unciphered", cell(64, activity={"sessions": 2, "sms": 2}))
    assert ev is not None and "pushed 2 SMS" in ev.detail
    assert judge("sms_unciphered", cell(64, activity={"sessions": 5, "sms": 0, "ciphered_sessions": 5})) is None


def test_foreign_reject():
    act = {"sessions": 10, "lu_rejects": {"13": 9, "17": 1}}
    ev = judge("foreign_reject", cell(64, activity=act))
    assert ev is not None and "9 of 10" in ev.detail and "Roaming not allowed" in ev.detail
    assert judge("foreign_reject", cell(64, activity={"sessions": 40, "lu_rejects": {"13": 3}})) is None  # visitors
    assert judge("foreign_reject", cell(64, activity={"sessions": 2, "lu_rejects": {"13": 2}})) is None  # too few
    assert (
        judge("foreign_reject", cell(64, activity={"sessions": 10, "lu_rejects": {"17": 9}})) is None
    )  # network failure


def test_sacch_identity_differs_from_the_broadcast_one():
    same = {"sacch_mcc": "460", "sacch_mnc": "00", "sacch_lac": 6170, "sacch_cell_id": 20064}
    base = cell(64).params
    assert judge("sacch_identity", cell(64, params={**base, **same})) is None
    assert judge("sacch_identity", cell(64)) is None  # no SI6 decoded: nothing to compare
    other = judge("sacch_identity", cell(64, params={**base, **same, "sacch_lac": 7171}))
    assert other.strong and "460-00 LAC 6170 CI 20064" in other.detail and "LAC 7171" in other.detail
    assert judge("sacch_identity", cell(64, params={**base, **same, "sacch_mnc": "02"})) is not None
    assert judge("sacch_identity", cell(64, lac=None, params={**base, **same, "sacch_lac": 1})) is None  # no SI3
