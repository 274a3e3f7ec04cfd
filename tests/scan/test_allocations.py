"""Regional operator allocations: the shipped band plans, allowed() both ways, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensor.errors import ConfigError
from sensor.gsm.allocations import load_allocations, load_band_plan, shipped_bandplans_dir
from sensor.gsm.bands import BANDS

GOOD = """\
region = "xx"
name = "Test land"
mccs = ["999"]
bands = ["E-GSM900", "DCS1800"]

[[operators]]
name = "Alpha"
mcc = "999"
mncs = ["01", "011"]
[operators.arfcns]
"E-GSM900" = [[975, 999], [1, 30]]
"DCS1800" = [[512, 560]]

[[operators]]
name = "Beta"
mcc = "999"
mncs = ["02"]
[operators.arfcns]
"E-GSM900" = [[31, 124]]
"""


def write(tmp_path: Path, text: str, name: str = "xx") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_plans_load_and_are_consistent() -> None:
    alloc = load_allocations()
    assert {"cn", "de"} <= set(alloc.regions)
    for region, plan in alloc.plans.items():
        assert alloc.paths[region].parent == shipped_bandplans_dir()
        assert plan.operators and all(b in BANDS for b in plan.bands)
    assert alloc.bands_for("cn") == ["E-GSM900", "DCS1800"]
    assert alloc.bands_for("DE") == ["E-GSM900", "DCS1800"]


def test_china_allowed_both_ways() -> None:
    alloc = load_allocations(["cn"])
    assert alloc.regions == ["cn"]
    assert alloc.operator("460", "00") == "China Mobile"
    assert alloc.operator("460", "07") == "China Mobile"
    assert alloc.operator("460", "01") == "China Unicom"
    # China Mobile: E-GSM 1000-1023 and 0-94, DCS 512-636
    assert alloc.allowed("460", "00", 62, "P-GSM900") is True  # nested 900 bands answer for each other
    assert alloc.allowed("460", "00", 1010, "E-GSM900") is True
    assert alloc.allowed("460", "00", 0) is True
    assert alloc.allowed("460", "00", 100, "E-GSM900") is False  # Unicom's part of the band
    assert alloc.allowed("460", "00", 980, "E-GSM900") is False  # 925-930 MHz: nobody's
    assert alloc.allowed("460", "00", 600, "DCS1800") is True
    assert alloc.allowed("460", "00", 700, "DCS1800") is False
    assert alloc.allowed("460", "00", 600, "PCS1900") is False  # the same number in another band
    # China Unicom: 96-124 and DCS 637-736
    assert alloc.allowed("460", "01", 100, "E-GSM900") is True
    assert alloc.allowed("460", "01", 62, "E-GSM900") is False
    assert alloc.allowed("460", "01", 700, "DCS1800") is True
    # unknown networks: nothing to say
    assert alloc.allowed("460", "03", 62) is None
    assert alloc.allowed("262", "01", 62) is None  # Germany not loaded
    assert alloc.operator("460", "03") is None
    assert alloc.holdings("460", "01") == {"E-GSM900": [(96, 124)], "DCS1800": [(637, 736)]}
    assert alloc.holdings("999", "01") is None


def test_germany_allowed() -> None:
    alloc = load_allocations(["de"])
    assert alloc.allowed("262", "03", 1000, "E-GSM900") is True
    assert alloc.allowed("262", "07", 0, "E-GSM900") is True
    assert alloc.allowed("262", "03", 60, "E-GSM900") is False
    assert alloc.allowed("262", "01", 100) is True
    assert alloc.allowed("262", "02", 100) is False
    assert alloc.operator("262", "02") == "Vodafone"


def test_unknown_region_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"no band plan for region 'zz' \(known: .*cn.*de"):
        load_allocations(["zz"])
    with pytest.raises(ConfigError, match="no band plan for region 'zz'"):
        load_allocations(["cn"]).bands_for("zz")


def test_a_site_file_replaces_the_shipped_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "fbs-sensor" / "bandplans"
    user.mkdir(parents=True)
    (user / "cn.toml").write_text(GOOD.replace('"xx"', '"cn"').replace('"999"', '"460"'), encoding="utf-8")
    write(user, GOOD, "xx")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    alloc = load_allocations()
    assert alloc.paths["cn"] == user / "cn.toml"
    assert alloc.operator("460", "01") == "Alpha"
    assert alloc.operator("460", "00") is None
    assert "xx" in alloc.regions


def test_good_file_and_directories_argument(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    alloc = load_allocations(directories=[tmp_path])
    assert alloc.regions == ["xx"]
    assert alloc.allowed("999", "011", 990, "E-GSM900") is True
    assert alloc.allowed("999", "011", 31) is False
    assert alloc.allowed("999", "02", 31) is True
    with pytest.raises(ValueError, match="unknown band 'GSM9000'"):
        alloc.allowed("999", "02", 31, "GSM9000")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            '"DCS1800" = [[512, 560]]',
            '"DCS1800" = [[880, 890]]',
            r"key 'operators\[0\]\.arfcns\.DCS1800\[0\]': ARFCN 886 is not in band DCS1800 \(512-885\)",
        ),
        ("[[975, 999], [1, 30]]", "[[975, 30]]", r"operators\[0\]\.arfcns\.E-GSM900\[0\]'.*first is above last"),
        ("[[975, 999], [1, 30]]", "[[970, 999]]", r"ARFCN 970 is not in band E-GSM900 \(975-1023, 0-124\)"),
        (
            'bands = ["E-GSM900", "DCS1800"]',
            'bands = ["E-GSM900", "GSM1800"]',
            r"key 'bands\[1\]': unknown band 'GSM1800'",
        ),
        (
            'bands = ["E-GSM900", "DCS1800"]',
            'bands = ["E-GSM900"]',
            r"operators\[0\]\.arfcns\.DCS1800': band DCS1800 is not in the region's bands",
        ),
        ('mncs = ["02"]', 'mncs = ["01"]', r"key 'operators\[1\]\.mncs\[0\]': 999-01 is already given to 'Alpha'"),
        ('mncs = ["02"]', 'mncs = ["2"]', r"operators\[1\]\.mncs\[0\]': '2' must be 2 or 3 digits"),
        ('mncs = ["02"]', "mncs = [2]", r"operators\[1\]\.mncs\[0\]': expected a string"),
        (
            'mcc = "999"\nmncs = ["02"]',
            'mcc = "998"\nmncs = ["02"]',
            r"operators\[1\]\.mcc': '998' is not one of the region's mccs",
        ),
        ('region = "xx"', 'region = "yy"', r"key 'region': 'yy' does not match the file name 'xx'"),
        ('mccs = ["999"]', 'mccs = ["99"]', r"key 'mccs\[0\]': '99' must be 3 digits"),
        ('name = "Beta"', 'name = "Beta"\ncolour = "red"', r"unknown key 'operators\[1\]\.colour'"),
    ],
)
def test_bad_files_name_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message) as info:
        load_band_plan(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_one_network_in_two_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace('"xx"', '"yy"'), "yy")
    with pytest.raises(ConfigError, match=r"yy\.toml: 999-01 \(Alpha\) is already defined in .*xx\.toml"):
        load_allocations(directories=[tmp_path])
    assert load_allocations(["yy"], directories=[tmp_path]).operator("999", "01") == "Alpha"


def test_not_toml(tmp_path: Path) -> None:
    path = write(tmp_path, "region = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_band_plan(path)
