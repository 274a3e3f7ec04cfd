"""Campaigns (``sensor.intel.campaigns``): texts that differ only in what was filled in are one
campaign with the template of what they share; other texts are other campaigns; the work is
deterministic and a text's own braces or placeholder-like characters cannot forge a placeholder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.intel.campaigns import (
    CampaignBook,
    campaign_id,
    fill_campaigns,
    render,
    skeleton,
    template_of,
)
from sensor.sim.campaigns import CampaignSpec, fill

BANK = CampaignSpec(
    sender="95588",
    template="【工商银行】尊敬的客户：您的信用卡积分{points}分将于今日清零，请登录{url}兑换现金礼品。如非本人操作请致电{phone}。",
    fill={"points": ["{digits:5}"], "url": ["http://icbc-{letters:4}.example/", "wap.icbc{digits:3}.example"],
          "phone": ["400{digits:7}", "0{digits:2}-{digits:8}"]},
)  # fmt: skip
BILL = CampaignSpec(
    sender="10086",
    template="Dear {name}, your bill of {money} is overdue. Pay at {url} or call {phone}.",
    fill={"name": ["Mr Chen", "Ms Li", "Wang Fang"], "money": ["{amount} CNY"],
          "url": ["http://cmcc-{letters:5}.example"], "phone": ["95{digits:3}"]},
)  # fmt: skip
PRIZE = CampaignSpec(
    sender="CMCC-Prize",
    template="恭喜！您的号码获得{prize}，请点击 {url} 领取",
    fill={"prize": ["iPhone 15 一台", "现金红包 {amount} 元"], "url": ["http://prize-{letters:5}.example"]},
)


def _texts(specs: list[CampaignSpec], n: int, seed: int = 7) -> tuple[list[str], list[str], list[int]]:
    rng = np.random.default_rng(seed)
    which = [int(k) for k in rng.integers(0, len(specs), n)]
    return [fill(specs[k], rng) for k in which], [specs[k].sender for k in which], which


def test_skeleton_masks_what_extraction_finds_and_other_digits():
    text = "积分12345分，请登录wap.icbc123.example，致电021-12345678，退款8,669.32元，加QQ 12345678"
    assert render(skeleton(text)) == "积分{number}分，请登录{link}，致电{number}，退款{amount}，加{account}"


def test_a_text_cannot_forge_a_placeholder():
    text = "pay {link} now \U000f0000 or {{x}}"
    assert render(skeleton(text)) == "pay {{link}} now \ufffd or {{{{x}}}}"
    assert "{link}" not in render(skeleton(text)).replace("{{link}}", "")


def test_three_campaigns_each_with_its_template():
    texts, senders, which = _texts([BANK, BILL, PRIZE], 90)
    book = CampaignBook()
    got = book.assign(texts, senders=senders)
    assert len(book.campaigns) == 3
    for k in range(3):  # one campaign per spec, and only its texts
        assert len({got[i].id for i in range(len(texts)) if which[i] == k}) == 1
    by_sender = {c.sender: c.template for c in book.campaigns}
    assert by_sender["95588"] == (
        "【工商银行】尊敬的客户：您的信用卡积分{number}分将于今日清零，请登录{link}兑换现金礼品。如非本人操作请致电{number}。"
    )
    assert by_sender["10086"] == "Dear {name}, your bill of {amount} is overdue. Pay at {link} or call {number}."
    assert by_sender["CMCC-Prize"] == "恭喜！您的号码获得{name}，请点击 {link} 领取"
    assert sum(c.texts for c in book.campaigns) == len(texts)


def test_same_input_same_campaigns_and_ids_in_any_batching():
    texts, senders, _ = _texts([BANK, BILL, PRIZE], 40, seed=3)
    whole = CampaignBook()
    ids = [c.id for c in whole.assign(texts, senders=senders)]
    batched = CampaignBook()
    got = []
    for start in range(0, 40, 7):  # the daemon's way: batch after batch
        got += [c.id for c in batched.assign(texts[start : start + 7], senders=senders[start : start + 7])]
    assert got == ids
    assert [c.template for c in batched.campaigns] == [c.template for c in whole.campaigns]
    assert ids[0] == campaign_id(skeleton(texts[0]))


def test_a_text_with_parts_missing_joins_its_campaign_without_shaping_the_template():
    texts, senders, which = _texts([BANK, BILL], 20, seed=5)
    first_bank = next(i for i in range(20) if which[i] == 0)
    cut = texts[first_bank][:40]  # the first part of a two-part text
    objs = [{"text": t, "sender": s, "parts": None, "of": None} for t, s in zip(texts, senders, strict=True)]
    objs.insert(0, {"text": cut, "sender": "95588", "parts": [1], "of": 2})
    fill_campaigns(objs)
    assert objs[0]["campaign"] == objs[first_bank + 1]["campaign"]
    assert objs[0]["campaign_template"] == objs[first_bank + 1]["campaign_template"]
    assert objs[0]["campaign_template"].endswith("如非本人操作请致电{number}。")


def test_different_texts_from_one_sender_stay_apart():
    book = CampaignBook()
    got = book.assign(
        [
            "【工商银行】您的账户于今日转入{x}，请查收。".replace("{x}", "100元"),
            "【工商银行】您尾号1234的卡已冻结，请致电95588解冻，详询客服。",
        ],
        senders=["95588", "95588"],
    )
    assert got[0].id != got[1].id


def test_texts_missing_or_empty_have_no_campaign():
    objs = [{"text": None, "sender": "x"}, {"text": "", "sender": "x"}, {"text": "hi 123", "sender": "x"}]
    fill_campaigns(objs)
    assert [o["campaign"] for o in objs[:2]] == [None, None] and objs[2]["campaign"].startswith("cmp:")
    assert objs[2]["campaign_template"] == "hi {number}"


def test_template_marks_every_varying_stretch_once():
    a, b, c = skeleton("Hello Chen, code 1"), skeleton("Hello Li Wei, code 2"), skeleton("Hello Zhao Min, code 3")
    assert template_of(a, [b, c]) == "Hello {name}, code {number}"
    assert template_of(a, []) == render(a)
    wang, liu = skeleton("VIP Wang Li: bonus"), skeleton("VIP Liu Yang: bonus")  # "ang" in both: not fixed
    assert template_of(wang, [liu]) == "VIP {name}: bonus"
    assert template_of(skeleton("Hi Li and Chen!"), [skeleton("Hi Zhao and Mei!")]) == "Hi {name} and {name}!"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=12))
def test_any_texts_get_a_campaign_each_and_a_template_that_renders(texts):
    book = CampaignBook()
    got = book.assign(texts)
    for text, c in zip(texts, got, strict=True):
        assert (c is None) == (not text)
        if c is not None:
            assert c.id.startswith("cmp:") and len(c.id) == 16 and isinstance(c.template, str)
            assert "\U000f0000" not in c.template


@pytest.mark.parametrize("n", [1, 2])
def test_one_text_seen_n_times_is_one_campaign_with_its_own_template(n):
    book = CampaignBook()
    got = book.assign(["请登录 http://a.example 领取"] * n)
    assert len(book.campaigns) == 1 and got[0].template == "请登录 {link} 领取" and got[0].texts == n


def test_the_findings_an_object_carries_are_used_when_they_fit_its_text():
    from sensor.intel import enrich_sms
    from sensor.intel.campaigns import findings_of
    from sensor.intel.extract import extract

    obj = enrich_sms({"text": "请登录 http://a.example 致电4001234567", "sender": "95588", "sender_type": "national"})
    assert findings_of(obj) == extract(obj["text"])
    forged = {**obj, "findings": [{**obj["findings"][0], "span": [0, 3]}]}  # a sensor's body that does not fit
    assert findings_of(forged) is None and findings_of({**obj, "findings": [{"kind": "url"}]}) is None
    fill_campaigns([forged])
    assert forged["campaign_template"] == "请登录 {link} 致电{number}"


def test_work_is_bounded_when_every_text_is_new(monkeypatch):
    import sensor.intel.campaigns as campaigns

    monkeypatch.setattr(campaigns, "MAX_COMPARED", 5)
    monkeypatch.setattr(campaigns, "MAX_SKELETONS", 3)
    rng = np.random.default_rng(1)
    texts = ["".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 20000, 30)) for _ in range(12)]
    book = CampaignBook()
    got = book.assign([*texts, texts[0]])
    assert len(book.campaigns) == 12 and len(book._by_skeleton) == 3
    assert got[-1] is got[0]  # remembered: found by its skeleton
    (again,) = book.assign([texts[5]])  # neither remembered nor among the 5 newest: founded anew...
    assert again is not got[5] and again.id == got[5].id and len(book.campaigns) == 13  # ...with the same id
    assert book.assign([texts[11]])[0] is got[11]  # the newest are compared
