"""Receiver profiles in firmware-config/: all valid, and a broken one names its file and key."""

import pytest

from sensor.errors import ConfigError
from sensor.sources.profiles import all_profiles, load_profile, load_profile_file

GOOD = """
name = "x"
driver = "rtlsdr"
description = "test"
tuning_range_hz = [24e6, 1766e6]
sample_rates_hz = [2.4e6]
default_sample_rate_hz = 2.4e6
usable_bandwidth_fraction = 0.8
gain_steps_db = [0.0, 10.0, 20.0]
"""


def test_shipped_profiles_load_and_make_sense():
    profiles = {p.name: p for p in all_profiles()}
    assert {"rtlsdr-r820t", "rtlsdr-r828d", "rtlsdr-e4000", "hackrf-one", "soapy-generic"} <= set(profiles)
    r820t = profiles["rtlsdr-r820t"]
    assert r820t.can_tune(947e6) and r820t.can_tune(1842e6 - 100e6) and not r820t.can_tune(1850e6)
    assert r820t.nearest_gain_db(30) == 29.7 and r820t.native_datatype == "cu8"
    assert not profiles["rtlsdr-e4000"].can_tune(1200e6)  # the E4000's gap
    hackrf = profiles["hackrf-one"]
    assert hackrf.nearest_gain_db(41) in (40.0, 42.0) and hackrf.native_datatype == "ci8"
    assert hackrf.rate_supported(20e6) and not hackrf.rate_supported(30e6)


def _write(tmp_path, text):
    p = tmp_path / "p.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "change, message",
    [
        ("gains_steps_db = [1.0]\n", "unknown key 'gains_steps_db' (did you mean 'gain_steps_db'?)"),
        ('driver = "usrp"\n', "key 'driver': 'usrp' is not one of"),
        ("usable_bandwidth_fraction = 1.5\n", "key 'usable_bandwidth_fraction': 1.5 is above the maximum 1.0"),
        ("tuning_range_hz = [24e6]\n", "key 'tuning_range_hz': expected 2 values"),
        ("default_sample_rate_hz = 3.2e6\n", "default_sample_rate_hz 3.2e+06 is not a supported rate"),
        ('native_datatype = "cf33"\n', "unknown SigMF datatype"),
        ('bias_tee = "yes"\n', "key 'bias_tee': expected true or false"),
        ("default_gain_db = 99.0\n", "default_gain_db 99.0 is outside the gain range"),
    ],
)
def test_bad_profile_names_file_and_key(tmp_path, change, message):
    lines = [l for l in GOOD.strip().splitlines() if not l.startswith(change.split("=")[0].strip() + " ")]
    path = _write(tmp_path, "\n".join(lines) + "\n" + change)
    with pytest.raises(ConfigError) as exc:
        load_profile_file(path)
    assert str(path) in str(exc.value) and message in str(exc.value)


def test_missing_required_key_and_unknown_profile(tmp_path):
    text = "\n".join(l for l in GOOD.splitlines() if not l.startswith("driver"))
    with pytest.raises(ConfigError, match="required key 'driver' is missing"):
        load_profile_file(_write(tmp_path, text))
    with pytest.raises(ConfigError, match="no receiver profile named 'nope'"):
        load_profile("nope")
