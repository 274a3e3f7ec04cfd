"""The deployment secret and the keyed hashes / same-length pseudonyms of phones' identities."""

from __future__ import annotations

import stat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensor.errors import ConfigError
from sensor.l3.ie_mm import MobileIdentity
from sensor.l3.ts24008 import MobileIdentityType
from sensor.sessions.pseudonym import KEY_ENV, Pseudonymizer, default_key_path, load_or_create_key

KEY = bytes(range(32))
OTHER = bytes(range(1, 33))


def test_key_made_once_with_mode_0600(tmp_path):
    path = tmp_path / "keys" / "identity.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["identity.key"]  # no temporary file left


def test_env_names_the_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "k"))
    assert default_key_path() == tmp_path / "k"
    assert Pseudonymizer().phone(MobileIdentity.imsi("262021234567890")).startswith("k1:")
    assert (tmp_path / "k").stat().st_size == 32


def test_default_location_is_beside_the_sensor_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_key_path() == tmp_path / "fbs-sensor" / "keys" / "identity.key"


def test_a_key_of_the_wrong_length_is_refused(tmp_path):
    (tmp_path / "k").write_bytes(b"short")
    with pytest.raises(ConfigError):
        load_or_create_key(tmp_path / "k")
    with pytest.raises(ConfigError):
        Pseudonymizer(b"short")


def test_hash_is_stable_keyed_and_type_prefixed():
    names, other = Pseudonymizer(KEY), Pseudonymizer(OTHER)
    imsi = MobileIdentity.imsi("262021234567890")
    h = names.phone(imsi)
    assert h is not None and h.startswith("k1:") and len(h) == 3 + 16
    assert int(h[3:], 16) >= 0
    assert names.phone(imsi) == h == Pseudonymizer(KEY).phone(imsi)
    assert other.phone(imsi) != h
    # the same value as another identity type is another phone
    assert names.hash("imsi", "12345678") != names.hash("tmsi", "12345678")
    assert names.phone(MobileIdentity.none()) is None and names.phone(None) is None
    assert "KEY" not in repr(names) and KEY.hex() not in repr(names)


def test_keep_raw_returns_raw_values():
    raw = Pseudonymizer(keep_raw=True)
    assert raw.phone(MobileIdentity.of_tmsi(0x015C5703)) == "tmsi:015c5703"
    assert raw.phone(MobileIdentity.imsi("262021234567890")) == "imsi:262021234567890"
    tmsi = MobileIdentity.of_tmsi(7)
    assert raw.identity(tmsi) == tmsi


@given(st.text(alphabet="0123456789", min_size=1, max_size=16), st.sampled_from(["imsi", "imei", "imeisv"]))
def test_digit_pseudonyms_keep_length(digits, kind):
    names = Pseudonymizer(KEY)
    out = names.digits(kind, digits)
    assert len(out) == len(digits) and out.isdigit()
    assert names.digits(kind, digits) == out


@given(st.integers(0, 0xFFFF_FFFF))
def test_tmsi_pseudonyms_keep_the_domain_bits_and_stay_valid(tmsi):
    out = Pseudonymizer(KEY).tmsi(tmsi)
    assert 0 <= out <= 0xFFFF_FFFF and out != 0xFFFF_FFFF
    assert out >> 30 == tmsi >> 30


def test_identity_pseudonym_same_type_and_encoded_length():
    names = Pseudonymizer(KEY)
    for mi in (
        MobileIdentity.imsi("460001234567890"),
        MobileIdentity(MobileIdentityType.IMEI, digits="35209900176148"),
        MobileIdentity(MobileIdentityType.IMEISV, digits="3520990017614823"),
        MobileIdentity.of_tmsi(0x015C5703),
    ):
        new = names.identity(mi)
        assert new.type is mi.type and new != mi
        assert len(new.to_bytes()) == len(mi.to_bytes())
