"""The fake station's dedicated traffic, end to end through the sensor's own decoders: every block the
simulator schedules decodes (LAPDm, L3, SMS), the conversation on each sub-channel reads back as the
truth says, and real cells' sessions turn ciphered."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sensor.errors import ConfigError
from sensor.l2.link import L3Message, LinkEstablished, Links
from sensor.l2.ts44006 import Channel
from sensor.l3.cell import CellParams
from sensor.l3.cp import CPData
from sensor.l3.dispatch import decode_l3
from sensor.l3.ie import LocationAreaIdentification
from sensor.l3.mm import IdentityRequest, LocationUpdatingReject, LocationUpdatingRequest
from sensor.l3.rr_ccch import ImmediateAssignment, ImmediateAssignmentReject
from sensor.l3.rr_dedicated import ChannelRelease
from sensor.sim.allocation import Layout
from sensor.sim.campaigns import CampaignSpec
from sensor.sim.fake_traffic import WorkSpec, schedule_fake
from sensor.sim.phones import arrivals
from sensor.sim.procedure import ProcedureSpec
from sensor.sim.real_traffic import RealTrafficSpec, schedule_real
from sensor.sms.concat import Reassembler
from sensor.sms.tpdu import decode_tpdu

CELL = CellParams(mcc="460", mnc="00", lac=9999, cell_id=77, arfcn=64, neighbours=(10, 20, 30), ccch_conf=1)
HOME = LocationAreaIdentification("460", "00", 9507)
LONG = "【工商银行】尊敬的客户，您的积分{p}即将过期，请立即登录{u}兑换现金红包，逾期作废。" * 2
CAMPAIGNS = [
    CampaignSpec(sender="95588", template=LONG, fill={"p": ["{digits:5}"], "u": ["http://icbc-{letters:4}.example/"]}),
    CampaignSpec(
        sender="10086", template="Your bill of {amount} yuan is due: call {n}", fill={"n": ["4008{digits:6}"]}
    ),
]


def _schedule(combined: bool, seconds: float = 60.0, seed: int = 4, **procedure):
    rng = np.random.default_rng(seed)
    phones = arrivals(
        rate_per_s=1.0, duration_s=seconds, start_s=0.0, rng=rng, mcc="460", mnc="00", tmsi_share=0.6,
        neci=True, reach_m=300.0, lure_share=1.0, geometry=None,
    )  # fmt: skip
    spec = WorkSpec(procedure=ProcedureSpec(**procedure), campaigns=CAMPAIGNS)
    layout = Layout(combined, 0 if combined else 1, 64, 1)
    cell = CELL if combined else dataclasses.replace(CELL, ccch_conf=0)
    return phones, schedule_fake(phones, spec=spec, cell=cell, layout=layout, home=HOME, start_fn=2000, rng=rng)


@pytest.mark.parametrize("combined", [True, False])
def test_every_session_reads_back_as_the_truth_says(combined):
    phones, sch = _schedule(combined, identity_requests=("imsi", "imei"), ack_loss=0.1)
    traffic = sch.traffic()
    assert len(traffic) == len(sch.blocks)  # no two blocks in one place
    assert sch.sessions and len(sch.sessions) + len(
        {r["phone"] for r in sch.rejects} - {str(s["phone"]) for s in sch.sessions}
    ) <= len(phones)
    by_phone = {p.index: p for p in phones}
    ccch = [b for b in sch.blocks if b.channel == "CCCH"]
    assigned = [decode_l3(b.octets, pseudo_length=True) for b in ccch]
    assert {type(m) for m in assigned} <= {ImmediateAssignment, ImmediateAssignmentReject}
    for s in sch.sessions:
        ia = next(m for m, b in zip(assigned, ccch) if b.first_fn == s["assignment_fn"])
        assert ia.channel_description.tn == s["tn"] and ia.request_reference.ra == by_phone[s["phone"]].ra
        links = Links()
        events = []
        sdcch = Channel.SDCCH
        for b in sorted(
            (b for b in sch.blocks if b.session == s["session"] and b.channel == "SDCCH"), key=lambda b: b.first_fn
        ):
            events += links.receive_block(b.octets, sdcch, s["sub"])
        echo = next(e.echo for e in events if isinstance(e, LinkEstablished) and e.echo)
        lu = decode_l3(echo)
        assert isinstance(lu, LocationUpdatingRequest)
        shown = lu.mobile_identity
        assert (shown.tmsi == s["tmsi"]) if s["identity_type"] == "tmsi" else (shown.digits == s["imsi"])
        messages = [decode_l3(e.l3) for e in events if isinstance(e, L3Message)]
        asked = [m.identity.name.lower() for m in messages if isinstance(m, IdentityRequest)]
        assert asked == s["identity_requests"] == ["imsi", "imei"]
        reject = next(m for m in messages if isinstance(m, LocationUpdatingReject))
        assert reject.reject_cause == s["cause"] == 13
        assert isinstance(messages[-1], ChannelRelease)
        joiner = Reassembler()
        texts = []
        for m in messages:
            if isinstance(m, CPData):
                joined = joiner.add(decode_tpdu(m.rp().user_data), key=s["session"])
                if joined is not None:
                    texts.append(joined.text)
        assert texts == [t["text"] for t in sch.sms if t["session"] == s["session"]]
        _, resent = links.totals()
        assert resent == s["retransmissions"]  # every I frame sent again is recognised and counted once
    assert any(s["retransmissions"] for s in sch.sessions)
    assert any(t["parts"] > 1 for t in sch.sms) and {t["sender"] for t in sch.sms} == {"95588", "10086"}


def test_sdcch4_runs_out_of_subchannels_at_one_phone_a_second_and_rejects():
    _, sch4 = _schedule(True, seconds=120)
    _, sch8 = _schedule(False, seconds=120)
    assert sch4.rejects and len(sch8.sessions) > len(sch4.sessions)
    for sch, subs in ((sch4, 4), (sch8, 8)):
        spans: dict[int, list[tuple[int, int]]] = {}
        for s in sch.sessions:
            spans.setdefault(s["sub"], []).append((s["assignment_fn"], s["end_fn"]))
        assert set(spans) <= set(range(subs))
        for sub_spans in spans.values():  # a sub-channel serves one phone at a time
            sub_spans.sort()
            assert all(a[1] < b[0] for a, b in zip(sub_spans, sub_spans[1:]))


def test_real_cell_sessions_turn_ciphered_at_the_ciphering_mode_command():
    cell = CellParams(mcc="460", mnc="01", lac=9507, cell_id=3301, arfcn=100, ccch_conf=0)
    sch = schedule_real(
        spec=RealTrafficSpec(sessions_per_s=0.5, hopping_share=0.2), cell=cell, layout=Layout(False, 1, 100, 2),
        duration_s=60.0, start_fn=5000, rng=np.random.default_rng(2),
    )  # fmt: skip
    followed = [s for s in sch.sessions if not s["hopping"]]
    assert followed and any(s["hopping"] for s in sch.sessions)
    for s in followed:
        blocks = [b for b in sch.blocks if b.session == s["session"]]
        assert all(b.ciphered == (b.first_fn >= s["ciphering_fn"]) for b in blocks if b.channel == "SDCCH")
        assert any(b.ciphered for b in blocks if b.channel == "SACCH")
        assert sch.sms == [] and s["sms"] == 0


def test_bad_scene_input_says_which():
    with pytest.raises(ConfigError, match="reject cause 200"):
        WorkSpec(procedure=ProcedureSpec(reject_cause=200, sms_per_phone=0)).check("fake 'x'")
    with pytest.raises(ConfigError, match="unknown identity 'msisdn'"):
        WorkSpec(procedure=ProcedureSpec(identity_requests=("msisdn",), sms_per_phone=0)).check("fake 'x'")
    with pytest.raises(ConfigError, match="at most 255"):
        CampaignSpec(sender="95588", template="长" * 20_000).check("fake 'x' campaign 1")
    with pytest.raises(ConfigError, match="placeholders without choices in fill: url"):
        CampaignSpec(sender="95588", template="go to {url}").check("c")
    with pytest.raises(ConfigError, match="no campaign"):
        WorkSpec(procedure=ProcedureSpec(sms_per_phone=1)).check("fake 'x'")


def test_an_8bit_wap_push_campaign_carries_its_link_as_data():
    spec = CampaignSpec(
        sender="10690000", template="http://apk-{letters:5}.example/a.apk", coding="8bit", wap_push=True
    )
    spec.check("c")
    from datetime import UTC, datetime

    from sensor.sim.campaigns import message_for
    from sensor.sms.udh import Ports

    sms = message_for([spec], np.random.default_rng(1), scts=datetime(2026, 1, 1, tzinfo=UTC), reference=0)
    (tpdu,) = sms.tpdus
    back = decode_tpdu(tpdu.to_bytes())
    assert back.coding.alphabet.value == "8bit" and back.text is None
    assert back.user_data.data == sms.text.encode() and back.udh == (Ports(2948, 9200),)
    with pytest.raises(ConfigError, match="8-bit message holds"):
        CampaignSpec(sender="1", template="x" * 200, coding="8bit").check("c")
