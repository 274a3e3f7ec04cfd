"""Hand-written adversarial extraction cases: the spellings spammers use to slip past filters.

Each case: a text and the findings expected in it as (kind, type, value) — every one must be
found, and nothing else of the kinds the case names in ``only`` (default: all kinds) may be.
Spans are checked for every finding: ``text[start:end] == raw``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensor.intel import extract

URL, PHONE, QQ, WX, CARD, AMOUNT, EMAIL = "url", "phone", "qq", "wechat", "bank_card", "amount", "email"

CASES: list[tuple[str, str, list[tuple[str, str | None, str]]]] = [
    # --- links ---------------------------------------------------------------------------------
    ("dian-com", "【工商银行】您的积分即将清零，请登录 icbc-jf 点 com 兑换 / 退订回T", [(URL, "link", "icbc-jf.com")]),
    ("dian-trad", "【中國銀行】積分兌換請登錄 boc-vip 點 cn", [(URL, "link", "boc-vip.cn")]),
    ("dot-word", "请访问 icbc dot com dot cn 领取", [(URL, "link", "icbc.com.cn")]),
    ("paren-dot", "登录 abc(dot)xyz 查看", [(URL, "link", "abc.xyz")]),
    ("bracket-dot", "登录 abc[.]top/a 查看", [(URL, "link", "abc.top/a")]),
    ("space-before-dot", "登录icbc-jf .com兑换", [(URL, "link", "icbc-jf.com")]),
    ("spaced-letters", "打开 w w w . x x . c o m 即可", [(URL, "link", "www.xx.com")]),
    ("star-letters", "打开 i*c*b*c.vip 即可", [(URL, "link", "icbc.vip")]),
    (
        "fullwidth-url",
        "尊敬的用户：ｈｔｔｐ：／／ｗｗｗ．ｉｃｂｃ－ｖｉｐ．ｃｏｍ 领取",
        [(URL, "link", "http://www.icbc-vip.com")],
    ),
    ("fullwidth-host", "请登录ｃｍｂｃｈｉｎａ－ｊｆ．ｃｏｍ", [(URL, "link", "cmbchina-jf.com")]),
    ("ideographic-stop", "网址：abc123。com 立即办理", [(URL, "link", "abc123.com")]),
    ("fullwidth-stop", "网址：ａｂｃ１２３．ｃｃ", [(URL, "link", "abc123.cc")]),
    ("no-scheme-path", "退款请点 jd-tk.cn/r?id=9 处理", [(URL, "link", "jd-tk.cn/r?id=9")]),
    ("https-upper", "HTTPS://WWW.ICBC-JF.COM/LOGIN", [(URL, "link", "https://www.icbc-jf.com/LOGIN")]),
    ("hxxp", "hxxp://evil.example.com/a", [(URL, "link", "http://evil.example.com/a")]),
    ("spaced-scheme", "h t t p : / / abc.net/x 领取", [(URL, "link", "http://abc.net/x")]),
    ("missing-colon", "http//abc.net 领取", [(URL, "link", "http://abc.net")]),
    ("zero-width", "请登录 ic\u200bbc\u200d-jf.c\u200bom", [(URL, "link", "icbc-jf.com")]),
    ("soft-hyphen", "请登录 10086\u00ad-jf.cn", [(URL, "link", "10086-jf.cn")]),
    ("short-tcn", "点击 t.cn/A6xYz9 领取", [(URL, "short_link", "t.cn/A6xYz9")]),
    ("short-urlcn", "详情 http://url.cn/5abc", [(URL, "short_link", "http://url.cn/5abc")]),
    ("short-dwz", "详情 dwz.cn/xyz12", [(URL, "short_link", "dwz.cn/xyz12")]),
    ("short-bitly", "Your parcel: https://bit.ly/3abcDEF", [(URL, "short_link", "https://bit.ly/3abcDEF")]),
    ("ip-host", "下载 http://103.45.67.89:8080/app.apk 安装", [(URL, "ip", "http://103.45.67.89:8080/app.apk")]),
    ("ip-noscheme-path", "下载 103.45.67.89/app.apk", [(URL, "ip", "103.45.67.89/app.apk")]),
    ("punycode", "登录 http://xn--fiqs8s.xn--fiqs8s/a", [(URL, "link", "http://xn--fiqs8s.xn--fiqs8s/a")]),
    (
        "idn-unicode",
        "登录 http://工商银行.中国/a",
        [(URL, "link", "http://" + "工商银行.中国".encode("idna").decode() + "/a")],
    ),
    ("trailing-punct", "请访问(http://abc.com/a).", [(URL, "link", "http://abc.com/a")]),
    ("co-uk", "visit login.hsbc-secure.co.uk now", [(URL, "link", "login.hsbc-secure.co.uk")]),
    ("sentence-not-host", "Your bill is overdue. Pay now. Call us", []),
    ("apk-not-tld", "请安装 update.apk 后登录", []),
    ("version-not-url", "版本 v1.2.3 已发布，额度3.5万", [(AMOUNT, "CNY", "35000")]),
    ("email-qq", "简历发至 123456789@qq.com 谢谢", [(EMAIL, None, "123456789@qq.com")]),
    # --- phones ---------------------------------------------------------------------------------
    ("mobile-dashes", "请致电 138-1234-5678 办理", [(PHONE, "cn_mobile", "+8613812345678")]),
    ("mobile-spaces", "联系 139 1234 5678", [(PHONE, "cn_mobile", "+8613912345678")]),
    ("mobile-fullwidth", "联系１３８１２３４５６７８", [(PHONE, "cn_mobile", "+8613812345678")]),
    ("mobile-circled", "联系①③⑧①②③④⑤⑥⑦⑧", [(PHONE, "cn_mobile", "+8613812345678")]),
    ("mobile-plus86", "Call +86 138 1234 5678", [(PHONE, "cn_mobile", "+8613812345678")]),
    ("mobile-0086", "致电0086-13812345678", [(PHONE, "cn_mobile", "+8613812345678")]),
    ("mobile-letter-o", "致电138O0138OOO", [(PHONE, "cn_mobile", "+8613800138000")]),
    ("400-letter-o", "客服 4OO-800-1234", [(PHONE, "cn_400", "+864008001234")]),
    ("400-dashes", "客服热线400-820-5555", [(PHONE, "cn_400", "+864008205555")]),
    ("800", "免费热线 800 810 8888", [(PHONE, "cn_800", "+868008108888")]),
    ("landline-paren", "(0755) 1234 5678 转人工", [(PHONE, "cn_landline", "+8675512345678")]),
    ("landline-dash", "致电010-87654321", [(PHONE, "cn_landline", "+861087654321")]),
    ("service-95", "详询95588", [(PHONE, "cn_service_short", "95588")]),
    ("service-spaced", "拨打 955 88 咨询", [(PHONE, "cn_service_short", "95588")]),
    ("service-96", "拨打96166", [(PHONE, "cn_service_short", "96166")]),
    ("service-10086", "回复或拨打10086", [(PHONE, "cn_service_short", "10086")]),
    ("service-12306", "改签请拨12306", [(PHONE, "cn_service_short", "12306")]),
    ("short-as-money", "转账12345元即可", [(AMOUNT, "CNY", "12345")]),
    ("sms-port", "发送至1069012345678", [(PHONE, "cn_sms_port", "1069012345678")]),
    ("foreign-hk", "WhatsApp +852 2123 4567", [(PHONE, "foreign", "+85221234567")]),
    ("foreign-us", "call +1 (415) 555-0100", [(PHONE, "foreign", "+14155550100")]),
    (
        "two-mobiles",
        "13812345678 13912345678",
        [(PHONE, "cn_mobile", "+8613812345678"), (PHONE, "cn_mobile", "+8613912345678")],
    ),
    ("code-not-phone", "验证码123456，5分钟内有效", []),
    # --- QQ / WeChat ------------------------------------------------------------------------------
    ("koukou", "扣扣 123456789 咨询", [(QQ, "qq", "123456789")]),
    ("qq-colon", "QQ：88886666", [(QQ, "qq", "88886666")]),
    ("qq-spaced-digits", "企鹅 123 456 789", [(QQ, "qq", "123456789")]),
    ("qq-group", "加QQ群 12345678 领红包", [(QQ, "qq_group", "12345678")]),
    ("q-alone", "Q:10001234", [(QQ, "qq", "10001234")]),
    ("qq-mobile-like", "QQ13812345678", [(QQ, "qq", "13812345678")]),
    ("vxin", "V信: abc_123 咨询", [(WX, None, "abc_123")]),
    ("weixin-homophone", "加威信号：kefu-888", [(WX, None, "kefu-888")]),
    ("vx", "vx：Lucky2024 内部渠道", [(WX, None, "Lucky2024")]),
    ("jia-v", "+V：dk888666 秒批", [(WX, None, "dk888666")]),
    ("weixin-digits", "微信 13812345678", [(WX, None, "13812345678")]),
    ("fullwidth-vx", "ＶＸ：ａｂｃｄｅｆ１", [(WX, None, "abcdef1")]),
    # --- cards and amounts --------------------------------------------------------------------------
    ("card-grouped", "请转账至 6222 0202 0000 1234 562 户名张三", [(CARD, "unionpay", "6222020200001234562")]),
    ("card-whole", "卡号6217001234123412346", [(CARD, "unionpay", "6217001234123412346")]),
    ("card-visa-dashes", "card 4111-1111-1111-1111", [(CARD, "card", "4111111111111111")]),
    ("card-bad-luhn", "卡号6222020200001234567", []),
    ("yen-comma", "退款¥5,000.00元", [(AMOUNT, "CNY", "5000")]),
    ("wan-yuan", "额度5万元秒到", [(AMOUNT, "CNY", "50000")]),
    ("wan-bare", "最高可借50万", [(AMOUNT, "CNY", "500000")]),
    ("wan-count", "已有5万人领取", []),
    ("w-shorthand", "日赚2w不是梦", [(AMOUNT, "CNY", "20000")]),
    ("cn-numeral", "补贴伍万元", [(AMOUNT, "CNY", "50000")]),
    ("rmb", "RMB 3000 到账", [(AMOUNT, "CNY", "3000")]),
    ("dollar", "win $100 now", [(AMOUNT, "USD", "100")]),
    ("decimal-wan", "贷款3.5万元", [(AMOUNT, "CNY", "35000")]),
    # --- the corpus's former defects, as general rules (tests/intel/data/corpus_findings.jsonl) --------
    # a link's label written in ASCII letter runs with spaces or symbols between (sms-010)
    ("pieces-glued-to-cjk", "这是照片tj bq q.cn请收藏", [(URL, "link", "tjbqq.cn")]),
    ("pieces-after-colon", "网址:ab cd ef.com 登录", [(URL, "link", "abcdef.com")]),
    ("pieces-with-symbols", "请登录 gs*yh*vip.cn", [(URL, "link", "gsyhvip.cn")]),
    ("english-words-stay-apart", "Visit our new shop.cn today", [(URL, "link", "shop.cn")]),
    ("english-at-start", "Go to shop.cn now", [(URL, "link", "shop.cn")]),
    ("english-glued-to-cjk", "点击go to shop.cn", [(URL, "link", "shop.cn")]),
    ("letters-after-space", "see ab cd.com", [(URL, "link", "cd.com")]),
    ("pieces-not-into-subdomain", "刻tj bq www.q.cn", [(URL, "link", "www.q.cn")]),
    ("pieces-not-from-a-host", "登录abc.xyz*efg.cn", [(URL, "link", "abc.xyz"), (URL, "link", "efg.cn")]),
    # a scheme makes a link of a host without a public suffix (sms-123); without one it is not
    ("scheme-apk-host", "照片地址http://XXshenqi.apk", [(URL, "link", "http://xxshenqi.apk")]),
    ("scheme-apk-host-path", "下载 https://update.apk/x", [(URL, "link", "https://update.apk/x")]),
    # an ideographic full stop ends a host unless reading it as a dot makes one (sms-296)
    ("stop-ends-host", "【赌城】www.abc123.com。bbin 技术", [(URL, "link", "www.abc123.com")]),
    ("stop-ends-host-scheme", "http://www.abc.com。bbin", [(URL, "link", "http://www.abc.com")]),
    # figures masked as x are no link (sms-172, -469, -470, -481); x's under a real suffix are
    ("masked-account", "账号xx.xxxx.xxx. 农业银行", []),
    ("masked-rate", "存款利率x.xxx%", []),
    ("masked-comma", "xx#xxx，xxx平全能x房", []),
    ("masked-card", "农行：xxxx.xxxx.xxxx.xxxx.xxx.谢", []),
    ("masked-label-real-suffix", "网址 xxx.com", [(URL, "link", "xxx.com")]),
    ("masked-with-scheme", "http://xxx.xxx/a", [(URL, "link", "http://xxx.xxx/a")]),
    # a number followed by a count word is a count (sms-087), not a service number or money
    ("count-points", "您的账户已满10000积分", []),
    ("count-messages", "已发送10086条", []),
    ("service-then-rengong", "拨打10086人工服务", [(PHONE, "cn_service_short", "10086")]),
    ("count-points-wan", "送10万积分", []),
    # a counted noun and a verb of reaching before a bare 亿/万 (sms-023)
    ("count-messages-yi", "今天短信突破1亿，快转", []),
    ("count-users-wan", "用户已达5万，快来", []),
    ("user-may-borrow", "尊敬的用户可借50万", [(AMOUNT, "CNY", "500000")]),
    # card digits grouped with dots, Luhn-valid, of their issuer's length (sms-129)
    ("card-dotted", "工行 621226.240200.6159780 李敏", [(CARD, "unionpay", "6212262402006159780")]),
    ("card-dotted-fours", "卡号 4111.1111.1111.1111", [(CARD, "card", "4111111111111111")]),
    ("card-dotted-bad-luhn", "卡号6222.0202.0000.1234.567", []),
    ("card-dotted-visa-17", "卡号41111.1111.1111.1113", []),
    ("dotted-version", "版本 4.111.111.111.111.1111 已发布", []),
    # 一块: a piece, unless 钱 follows or a price word comes before (sms-433)
    ("piece-not-yuan", "凡进店购买鲜花饼一块即可赠送奶茶", []),
    ("kuai-qian", "只需一块钱", [(AMOUNT, "CNY", "1")]),
    ("kuai-price", "只要一块", [(AMOUNT, "CNY", "1")]),
    ("kuai-many", "日赚五百块", [(AMOUNT, "CNY", "500")]),
    ("two-watches", "两块手表", []),
    ("digit-pieces", "买1块送1块", []),
    ("decimal-kuai", "包邮仅9.9块", [(AMOUNT, "CNY", "9.9")]),
    ("decimal-kuai-bare", "鲜花饼9.9块一个", [(AMOUNT, "CNY", "9.9")]),
    # --- mixed -------------------------------------------------------------------------------------------
    (
        "mixed-fraud",
        "【建设银行】您的e路护航已过期，请登录 ccb-eh 点 cn 更新，否则冻结。客服4OO-666-1234，QQ 5201314520",
        [(URL, "link", "ccb-eh.cn"), (PHONE, "cn_400", "+864006661234"), (QQ, "qq", "5201314520")],
    ),
    (
        "phone-in-url",
        "http://abc.com/13812345678 或 13912345678",
        [(URL, "link", "http://abc.com/13812345678"), (PHONE, "cn_mobile", "+8613912345678")],
    ),
    (
        "markup",
        '<script>alert(1)</script>=HYPERLINK("http://evil.cc")',
        [(URL, "link", "http://evil.cc")],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_adversarial_case(name: str, text: str, expected: list[tuple[str, str | None, str]]) -> None:
    found = extract(text)
    for f in found:
        assert text[f.start : f.end] == f.raw
    got = [(f.kind, f.type, f.value) for f in found]
    assert got == expected, (name, [(f.kind, f.type, f.value, f.raw) for f in found])


def test_enough_cases() -> None:
    assert len(CASES) >= 50


def test_reserved_documentation_names_are_hosts() -> None:
    # RFC 2606 names: CONTRACT.md's examples and the simulator's scenes use them
    found = extract("请登录wap.icbc123.example兑换 或 http://icbc-abcd.example/ 或 icbc-jf.example/qwerty")
    assert [(f.value, f.domain) for f in found] == [
        ("wap.icbc123.example", "icbc123.example"),
        ("http://icbc-abcd.example/", "icbc-abcd.example"),
        ("icbc-jf.example/qwerty", "icbc-jf.example"),
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.from_regex(r"[A-Za-z]{2,9}", fullmatch=True), min_size=1, max_size=6),
    st.sampled_from(["", "Hello, ", "请 ", "12 ", "(", "\n"]),
)
def test_words_after_a_space_or_the_start_never_join_a_host(words: list[str], lead: str) -> None:
    # prose before a link stays prose: only pieces glued to non-ASCII text (or a colon) join
    text = lead + " ".join(words) + " shop.cn now"
    assert [f.value for f in extract(text) if f.kind == "url"] == ["shop.cn"]
