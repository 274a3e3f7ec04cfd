"""The SMS classifier's rules: each verdict with reasons an analyst can read; the structural cues
(links, brands, senders); hostile text handled without harm."""

from __future__ import annotations

import pytest

from sensor.intel.classify import MAX_TEXT_CHARS, classify, fold, links_in, site_of
from sensor.intel.classify_rules import CUES
from sensor.intel.corpus import CATEGORIES


def rules_of(reasons):
    return [r["rule"] for r in reasons]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("您好！您被《星光大道》栏目组抽中为场外幸运观众，获得二等奖。", "fraud"),
        ("我是房东，这次房租打到我爱人的卡上，打了后回信就可以。", "fraud"),
        ("尊敬的用户：您的积分可兑换300元现金，请登录10086abc.com领取【中国移动】", "phishing"),
        ("您的工银密码器于今日失效，请登入 wap.icbc-up.com 进行升级【工商银行】", "phishing"),
        ("张三，这是我们聚会的照片：http://a.cn/x.apk", "malware"),
        ("澳门赌场直营，百家乐真人荷官，注册送彩金", "gambling"),
        ("学生妹上门服务，包夜价格优惠", "prostitution"),
        ("【某商城】双11大促，全场优惠，回T退订", "advertising"),
        ("【某银行】验证码:123456，5分钟内有效，请勿泄露。", "other"),
        ("今晚一起吃饭吗", "other"),
    ],
)
def test_typical_texts(text, category):
    verdict, reasons = classify(text)
    assert verdict == category
    assert reasons and all(set(r) == {"rule", "weight", "detail"} for r in reasons)


def test_reasons_say_what_was_found():
    verdict, reasons = classify("尊敬的用户：您的积分可兑换378.2元，请您登录：http://10086pyzxa.com领取【中国移动】")
    assert verdict == "phishing"
    by_rule = {r["rule"]: r for r in reasons}
    assert "积分, 兑换" in by_rule["phish_points_cash"]["detail"]
    assert by_rule["brand_link"]["detail"] == (
        "claims to be 中国移动 and links to 10086pyzxa[.]com, not a domain of 中国移动"
    )
    assert reasons == sorted(reasons, key=lambda r: -r["weight"])


def test_a_link_to_the_brands_own_domain_is_no_brand_mark():
    _, reasons = classify("【中国移动】积分商城上新，详情 jf.10086.cn")
    assert "brand_link" not in rules_of(reasons)


def test_a_link_from_a_service_number_is_a_phishing_mark():
    verdict, reasons = classify("请点击 www.example-up.com 查看", sender="+8695588")
    assert verdict == "phishing"
    assert "service_number_link" in rules_of(reasons)
    _, reasons = classify("【工商银行】账户异常请登录核实", sender="13800138000")
    assert "personal_number_brand" in rules_of(reasons)
    _, reasons = classify("【工商银行】账户异常请登录核实", sender="95588")
    assert "personal_number_brand" not in rules_of(reasons)


def test_urls_from_the_extraction_replace_the_rules_own_search():
    text = "您的积分可兑换现金，请查看短信下方地址【中国移动】"
    assert "brand_link" not in rules_of(classify(text)[1])
    assert "brand_link" in rules_of(classify(text, urls=["http://x10086.top/a"])[1])


def test_a_code_message_with_a_link_is_not_taken_for_a_code_message():
    verdict, _ = classify("恭喜您被栏目组抽中为幸运观众，请登录frr6w.com查收，验证码【5118】")
    assert verdict == "fraud"


def test_other_explains_what_it_outweighed():
    verdict, reasons = classify("【银行】您尾号1234卡消费100元，余额900元，如非本人操作请致电客服")
    assert verdict == "other"
    assert "other_account_movement" in rules_of(reasons)


def test_folding_and_plain_links():
    assert fold("ＷＷＷ．ＡＢＣ．ＣＯＭ") == "www.abc.com"
    assert links_in(fold("登录ｗａｐ．ｉｃｂｃａｐｋ．ｃｏｍ升级")) == ["wap.icbcapk.com"]
    assert links_in("详情 t.cn/a6zx5wgg 完成") == ["t.cn/a6zx5wgg"]
    assert site_of("wap.js.10086.cn") == "10086.cn"
    assert site_of("www.nhsa.gov.cn") == "nhsa.gov.cn"


def test_hostile_text_is_bounded_and_harmless():
    huge = "[red]<script>alert(1)</script>=cmd|' /C calc'!A0\x1b[2J" * 5000
    verdict, reasons = classify(huge)
    assert verdict in CATEGORIES
    assert len(fold(huge)) <= MAX_TEXT_CHARS
    for r in reasons:
        assert "\x1b" not in r["detail"]


def test_the_rule_table_is_well_formed():
    ids = [c.rule for c in CUES]
    assert len(ids) == len(set(ids))
    for c in CUES:
        assert c.category in CATEGORIES
        assert c.weight > 0 and c.groups and all(c.groups)
        for group in c.groups:
            assert all(p == fold(p) for p in group), c.rule  # written folded, or they never match
        c.why.format("x")
