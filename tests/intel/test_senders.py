"""The official-sender table loads, every brand has a source, and the sender analysis names spoofs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensor.errors import ConfigError
from sensor.intel import enrich_sms, extract
from sensor.intel.sender import RULES, analyse, national_sender
from sensor.intel.senders import load, load_file, shipped_dir
from sensor.intel.signature import signatures
from sensor.sessions.output import sms_object
from sensor.sessions.sms import SmsRecord


@pytest.fixture(scope="module")
def senders():
    return load([shipped_dir()])


def test_shipped_table_loads_and_every_brand_cites_a_source(senders) -> None:
    brands = list(senders.brands.values())
    assert len(brands) >= 10
    for b in brands:
        assert b.sources and all(s.strip() for s in b.sources), b.id
        # a source is an address someone can open (secondary ones say so first)
        assert all(s.removeprefix("secondary: ").startswith(("http://", "https://")) for s in b.sources), b.id
        # a listed domain is shown by one of the brand's sources (a secondary one says so first)
        for d in b.domains:
            assert any(d in s for s in b.sources), (b.id, d)
    # the operators' and CCB's genuine links are theirs (their domains were once missing, so their
    # own notices were marked phishing)
    assert {k: senders.brands[k].domains for k in ("china_mobile", "china_unicom", "china_telecom", "ccb")} == {
        "china_mobile": ["10086.cn"],
        "china_unicom": ["10010.com"],
        "china_telecom": ["189.cn"],
        "ccb": ["ccb.com"],
    }
    assert senders.brand_of_number("95588").id == "icbc"
    assert senders.brand_of_number("10086").id == "china_mobile"
    assert senders.brand_of_number("13812345678") is None


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "xx.toml"
    p.write_text('region = "xx"\nname = "X"\ncalling_code = "99"\n' + body, encoding="utf-8")
    return p


_BRAND = '[[brands]]\nid = "a"\nname = "A"\nkind = "bank"\naliases = ["A bank"]\nnumbers = ["95000"]\n'


def test_a_brand_without_a_source_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"required key 'brands\[0\]\.sources'"):
        load_file(_write(tmp_path, _BRAND))
    with pytest.raises(ConfigError, match="no source"):
        load_file(_write(tmp_path, _BRAND + 'sources = [" "]\n'))
    assert load_file(_write(tmp_path, _BRAND + 'sources = ["https://a.example/contact"]\n')).brands[0].id == "a"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('sources = ["s"]\ndomains = ["A.Example"]\n', "domain"),
        ('sources = ["s"]\n' + _BRAND.replace('id = "a"', 'id = "b"') + 'sources = ["s"]\n', "already belongs"),
        ('sources = ["s"]\nbogus = 1\n', "unknown key"),
    ],
)
def test_bad_tables_are_refused_with_one_line(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as e:
        load_file(_write(tmp_path, _BRAND + extra))
    assert "\n" not in str(e.value)


def test_site_table_replaces_the_shipped_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "cn.toml").write_text(
        'region = "cn"\nname = "CN"\ncalling_code = "86"\n' + _BRAND + 'sources = ["https://a.example"]\n',
        encoding="utf-8",
    )
    s = load([shipped_dir(), site])
    assert s.brand_of_number("95588") is None and s.brand_of_number("95000").id == "a"


@pytest.mark.parametrize(
    ("text", "sigs"),
    [
        ("【工商银行】您的积分即将清零", ["工商银行"]),
        ("您的积分即将清零【工商银行】", ["工商银行"]),
        ("您的积分即将清零【工商银行】退订回T", ["工商银行"]),
        ("  [ICBC] points expire", ["ICBC"]),
        ("【ETC服务】认证失败【中国移动】", ["ETC服务", "中国移动"]),
        ("请回复【是】确认", []),
        ("", []),
    ],
)
def test_signatures(text: str, sigs: list[str]) -> None:
    assert signatures(text) == sigs


def test_brand_named(senders) -> None:
    assert senders.brand_named("工行").id == "icbc"
    assert senders.brand_named("中国工商银行信用卡中心").id == "icbc"
    assert senders.brand_named("ｉｃｂｃ").id == "icbc"
    assert senders.brand_named("中国银行").id == "boc"
    assert senders.brand_named("ETC服务") is None


def test_national_sender() -> None:
    codes = {"86"}
    assert national_sender("95588", "national", codes) == ("95588", "cn_service_short")
    assert national_sender("+8695588", "international", codes) == ("95588", "cn_service_short")
    assert national_sender("8613812345678", "unknown", codes) == ("13812345678", "cn_mobile")
    assert national_sender("+85221234567", "international", codes) == (None, "foreign")
    assert national_sender("ICBC", "alphanumeric", codes) == (None, "alphanumeric")
    assert national_sender("1069095588", "national", codes) == ("1069095588", "cn_sms_port")
    assert national_sender(None, None, codes) == (None, None)


# (sender, text, rules expected)
SPOOFS = [
    ("95588", "【工商银行】您的积分即将清零，请登录 icbc-jf 点 com 兑换 退订回T", ["sms_spoofed_service_number"]),
    ("95588", "【工商银行】账户异常请登录 http://103.45.67.89/icbc", ["sms_spoofed_service_number"]),
    ("95588", "【工商银行】请登录 www.icbc.com.cn 查看", []),
    ("95588", "【工商银行】您尾号1234的卡支出100元，详询95588", []),
    ("95533", "【工商银行】您的账户需升级", ["sms_brand_sender_mismatch"]),
    ("+8695559", "【建设银行】e路护航过期", ["sms_brand_sender_mismatch"]),
    ("13812345678", "【中国移动】您的积分可兑换现金", ["sms_brand_from_ordinary_number"]),
    ("+85221234567", "【中国银行】您的账户已冻结", ["sms_brand_from_ordinary_number"]),
    ("ICBC", "尊敬的客户您的积分即将过期【工商银行】", ["sms_brand_from_ordinary_number"]),
    ("1069012345", "【工商银行】积分兑换", []),  # 106 ports are gateways brands use
    ("95588", "【工商银行】请致电客服 0755-12345678", ["sms_callback_not_official"]),
    (
        "13812345678",
        "【工商银行】积分兑换 icbc-jf 点 com 或致电 4OO-800-1234",
        ["sms_brand_from_ordinary_number", "sms_callback_not_official"],
    ),
    # China Mobile's number linking to a domain that is not 10086.cn
    ("10086", "【中国移动】话费积分兑换 http://10086-jf.cc/a", ["sms_spoofed_service_number"]),
    ("10086", "【中国移动】您的积分可兑换话费，详见 http://jf.10086.cn", []),  # its own domain
    ("10000", "【中国电信】您的账单已出，详见 http://waphn.189.cn/a", []),
    ("95588", "【工商银行】您的积分已到账，详见 https://www.icbc.com.cn/jf", []),  # the brand's own domain
    ("95511", "您好，您的快递已到", []),  # no brand, unknown number
]


@pytest.mark.parametrize(("sender", "text", "rules"), SPOOFS)
def test_sender_spoof_cases(senders, sender: str, text: str, rules: list[str]) -> None:
    got = analyse(sender, "international" if sender.startswith("+") else "national", text, extract(text), senders)
    assert [r["rule"] for r in got.reasons] == rules, got.reasons
    for r in got.reasons:
        assert r["weight"] == RULES[r["rule"]] and r["detail"] and "\n" not in r["detail"]


def test_enrich_fills_the_sms_object(senders) -> None:
    text = "【工商银行】积分清零，登录 icbc-jf 点 com 或 http://t.cn/A6x 兑换，客服4OO-800-1234，扣扣 123456789"
    record = SmsRecord(64, 17, 1.0, None, None, "95588", "national", "ucs2", text, None, None, False, False, None)
    obj = sms_object(record)
    assert obj["urls"] is None  # the sessions stage leaves them to this one
    out = enrich_sms(obj, senders)
    assert out is obj
    assert obj["urls"] == ["icbc-jf 点 com", "http://t.cn/A6x"]
    assert obj["domains"] == ["icbc-jf.com", "t.cn"]
    assert obj["numbers"] == ["+864008001234"]
    rules = [r["rule"] for r in obj["reasons"]]
    assert rules[:2] == ["sms_spoofed_service_number", "sms_callback_not_official"]  # the sender analysis
    assert obj["category"] == "phishing" and obj["campaign"] is None
    assert {"phish_points_cash", "link"} <= set(rules[2:])  # then the classification's own
    assert len(rules) == len(set(rules))  # the spoofed number counted toward phishing, listed once
    assert "brand_link" not in rules  # ICBC's number linking to a foreign domain is one fact
    assert obj["signature"] == "工商银行" and obj["claimed_brand"] == "icbc" and obj["sender_brand"] == "icbc"
    kinds = [f["kind"] for f in obj["findings"]]
    assert kinds == ["url", "url", "phone", "qq"]
    for f in obj["findings"]:
        s, e = f["span"]
        assert obj["text"][s:e] == f["raw"]


def test_enrich_without_text(senders) -> None:
    obj = enrich_sms({"sender": "95588", "sender_type": "national", "text": None}, senders)
    assert obj["urls"] == [] and obj["domains"] == [] and obj["numbers"] == [] and obj["reasons"] == []
    assert obj["findings"] == [] and obj["signature"] is None
    assert obj["category"] is None  # no text, nothing to classify
