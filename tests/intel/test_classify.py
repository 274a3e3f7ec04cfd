"""The SMS classifier's rules: each verdict with reasons an analyst can read; the structural cues
(links, brands, senders) read from the extraction's findings and the sender analysis; hostile text
handled without harm."""

from __future__ import annotations

import pytest

from sensor.intel import classify as classify_mod
from sensor.intel.classify import MAX_TEXT_CHARS, classify, classify_sms, fold, named_brands
from sensor.intel.classify_rules import CUES, INSTITUTION_WORDS, SENDER_RULES
from sensor.intel.corpus import CATEGORIES
from sensor.intel.extract import extract
from sensor.intel.sender import RULES, analyse
from sensor.intel.senders import default, load


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
        "claims to be 中国移动 and links to 10086pyzxa[.]com, not a domain of 中国移动 (10086[.]cn)"
    )
    assert reasons == sorted(reasons, key=lambda r: -r["weight"])


def test_a_link_to_the_brands_sourced_domain_is_no_brand_mark():
    _, reasons = classify("【工商银行】积分商城上新，详情 https://www.icbc.com.cn/x")
    assert "brand_link" not in rules_of(reasons)
    _, reasons = classify("【工商银行】积分商城上新，详情 https://icbc-jf.com/x")
    detail = {r["rule"]: r for r in reasons}["brand_link"]["detail"]
    assert detail == (
        "claims to be 中国工商银行 and links to icbc-jf[.]com, not a domain of 中国工商银行 (icbc[.]com[.]cn)"
    )


def test_a_brand_without_a_sourced_domain_vouches_for_no_link(tmp_path):
    # a brand whose table entry lists no domain: its own links are judged like any other
    (tmp_path / "cn.toml").write_text(
        'region = "cn"\nname = "x"\ncalling_code = "86"\n[[brands]]\nid = "china_mobile"\nname = "中国移动"\n'
        'kind = "operator"\naliases = ["中国移动"]\nnumbers = ["10086"]\ndomains = []\nsources = ["https://x"]\n',
        encoding="utf-8",
    )
    table = load([tmp_path])
    _, reasons = classify("【中国移动】积分商城上新，详情 jf.10086.cn", senders=table)
    assert "brand_link" in rules_of(reasons)


def test_the_operators_and_ccb_genuine_links_are_no_phishing_mark():
    # their domains are sourced now (10086.cn, 10010.com, 189.cn, ccb.com): a link to them from their
    # number, under their name, is no brand or sender mark
    for text, sender in [
        ("【中国移动】积分商城上新，详情 jf.10086.cn", "10086"),
        ("【中国联通】您的账单已出，详情 http://www.10010.com/bill", "10010"),
        ("尊敬的客户，您的宽带即将到期，续费请登录 waphn.189.cn 【中国电信】", "10000"),
        ("【建设银行】您的信用卡账单已出，详见 http://www.ccb.com/cn/x", "95533"),
    ]:
        _, reasons = classify(text, sender=sender)
        assert not {"brand_link", "sms_spoofed_service_number", "sms_link_from_service_number"} & set(
            rules_of(reasons)
        ), reasons


def test_brands_are_named_by_alias_by_number_and_not_inside_links():
    table = default()

    def named(text):
        findings = extract(text)
        return [b.id for b in named_brands(text, findings, analyse(None, None, text, findings, table), table)]

    assert named("工银密码器已过期，请登录更新") == ["icbc"]
    assert named("详询客服95566") == ["boc"]
    assert named("请登录 http://icbc-95588.com 领取") == []  # inside a link: the link is judged, no name
    assert named("中国工商银行和建行") == ["icbc", "ccb"]  # 中国工商银行 is not also 中国银行
    assert named("abccbx") == []  # a Latin alias stands alone


def test_sender_reasons_count_once_with_their_own_weight():
    verdict, reasons = classify("请点击 www.example-up.com 查看", sender="+8695588")
    assert verdict == "phishing"
    by_rule = {r["rule"]: r for r in reasons}
    assert by_rule["sms_spoofed_service_number"]["weight"] == RULES["sms_spoofed_service_number"]
    assert "brand_link" not in by_rule  # the same fact, said once: ICBC's number linking elsewhere
    verdict, reasons = classify("您的账户已冻结，请登录 www.ccb-up.com 解冻", sender="95533")
    assert verdict == "phishing" and "sms_spoofed_service_number" in rules_of(reasons)
    _, reasons = classify("【工商银行】账户异常请登录核实", sender="13800138000")
    assert "sms_brand_from_ordinary_number" in rules_of(reasons)
    _, reasons = classify("【工商银行】账户异常请登录核实", sender="95588")
    assert "sms_brand_from_ordinary_number" not in rules_of(reasons)
    assert set(SENDER_RULES) == set(RULES)


def test_the_one_path_takes_findings_and_analysis():
    text = "【工商银行】您的电子密码器已过期，请登录 icbc-jf 点 com 升级"
    table = default()
    findings = extract(text)
    analysis = analyse("13800138000", "national", text, findings, table)
    assert classify_sms(text, findings, analysis, table) == classify(text, sender="13800138000")
    assert classify_sms(text, [], analyse(None, None, text, [], table), table)[0] == "phishing"  # words alone


def test_urls_besides_the_text_count_as_its_links():
    text = "您的积分可兑换现金，请查看短信下方地址【中国移动】"
    assert "brand_link" not in rules_of(classify(text)[1])
    assert "brand_link" in rules_of(classify(text, urls=["http://x10086.top/a"])[1])


def test_no_second_implementation_of_the_extraction():
    for name in ("links_in", "host_of", "site_of", "defang", "BRAND_DOMAINS", "_LINK", "_SERVICE_NUMBER"):
        assert not hasattr(classify_mod, name) or name == "defang"
    assert classify_mod.defang.__module__ == "sensor.intel.defang"
    assert all(w == fold(w) for w in INSTITUTION_WORDS)


def test_a_code_message_with_a_link_is_not_taken_for_a_code_message():
    verdict, _ = classify("恭喜您被栏目组抽中为幸运观众，请登录frr6w.com查收，验证码【5118】")
    assert verdict == "fraud"


def test_other_explains_what_it_outweighed():
    verdict, reasons = classify("【银行】您尾号1234卡消费100元，余额900元，如非本人操作请致电客服")
    assert verdict == "other"
    assert "other_account_movement" in rules_of(reasons)


def test_folding():
    assert fold("ＷＷＷ．ＡＢＣ．ＣＯＭ") == "www.abc.com"
    assert fold("中\u200b奖") == "中奖"  # invisible characters dropped, as the extraction does


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


@pytest.mark.parametrize(
    ("text", "category", "rule"),
    [
        # a bank and a card-length number, nothing else: the data set's masked form and real digits
        ("xxxxxxxxxxxxxxxxxxx张三农行", "fraud", "fraud_bare_card"),
        ("工行 6222 0212 3456 7890 128 李四", "fraud", "fraud_bank_card"),  # Luhn-valid, as the extraction wants
        # points for cash collected by installing: the 积分 trojan, not a credential page
        ("您的话费积分可兑换300元，请登录 abcjf.pw 按提示安装领取【中国移动】", "malware", "malware_points_install"),
        # a brand's own app with a discount is an advertisement, though it says 下载 beside a link
        ("下载某某酒店APP专享夜宵x折起，详情 down.example-hotel.com", "advertising", "ad_app"),
    ],
)
def test_the_fifth_pass_cues(text, category, rule):
    verdict, reasons = classify(text)
    assert verdict == category
    assert rule in rules_of(reasons)


def test_a_card_number_without_a_bank_is_no_bare_account():
    verdict, reasons = classify("6222 0212 3456 7890 128")
    assert "fraud_bank_card" not in rules_of(reasons)
    assert verdict != "fraud"


def test_rule_scores_are_what_classify_decides_from():
    text = "您的话费积分可兑换300元，请登录 abcjf.pw 按提示安装领取【中国移动】"
    fired = classify_mod.rule_scores(text)
    assert set(fired) == set(CATEGORIES)
    assert classify_mod.decide(fired) == classify(text)
