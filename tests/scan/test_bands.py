"""--bands and --arfcns text."""

from __future__ import annotations

import pytest

from sensor.errors import ConfigError
from sensor.scan.bands import parse_arfcns, resolve_bands


def names(text):  # type: ignore[no-untyped-def]
    return [b.name for b in resolve_bands(text)]


def test_names_any_case_and_spelling() -> None:
    assert names("E-GSM900") == ["E-GSM900"]
    assert names("e-gsm900, dcs1800") == ["E-GSM900", "DCS1800"]
    assert names("EGSM900,P_GSM900 ,gsm850") == ["E-GSM900", "P-GSM900", "GSM850"]
    assert names(["PCS1900", "r-gsm900"]) == ["PCS1900", "R-GSM900"]


def test_aliases() -> None:
    assert names("gsm900") == ["E-GSM900"]
    assert names("GSM900,dcs") == ["E-GSM900", "DCS1800"]
    assert names("pgsm,pcs,1800") == ["P-GSM900", "PCS1900", "DCS1800"]


def test_region_presets_expand_and_duplicates_go() -> None:
    assert names("cn") == ["E-GSM900", "DCS1800"]
    assert names("CN,gsm900,de") == ["E-GSM900", "DCS1800"]
    assert names("gsm850,cn") == ["GSM850", "E-GSM900", "DCS1800"]


def test_unknown_band_names_it_and_lists_the_known() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_bands("gsm900,GSM-1801")
    msg = str(info.value)
    assert "unknown band 'GSM-1801'" in msg
    for known in ("E-GSM900", "DCS1800", "PCS1900", "GSM850", "gsm900", "dcs", "cn", "de"):
        assert known in msg
    assert "\n" not in msg
    with pytest.raises(ConfigError, match="no band given"):
        resolve_bands(" , ")


def test_arfcn_lists() -> None:
    assert parse_arfcns("40-43,90, 41") == [40, 41, 42, 43, 90]
    assert parse_arfcns("1023") == [1023]
    for bad in ("a-3", "5-2", "1024", "", "1-2-3"):
        with pytest.raises(ConfigError, match="--arfcns"):
            parse_arfcns(bad)
