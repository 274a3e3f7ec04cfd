"""CurveZMQ key files: ``fbs-sensor keys new/show`` and the loaders the link and the collector use."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.errors import ConfigError
from sensor.publish.keys import create_keypair, load_key_directory, load_keypair, load_public_key

ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}


def run(*args):
    return CliRunner().invoke(cli, list(args), env=ENV)


def one_line_error(result, text):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("fbs-sensor: error: ") and text in lines[0], result.stderr


def test_keys_new_writes_a_pair_with_a_private_secret(tmp_path):
    result = run("keys", "new", "car17", "--dir", str(tmp_path / "k"))
    assert result.exit_code == 0, result.output
    public, secret = tmp_path / "k" / "car17.key", tmp_path / "k" / "car17.key_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "k")) == ["car17.key", "car17.key_secret"]  # no staging left behind
    pair = load_keypair(secret)
    assert pair.name == "car17" and pair.public == load_public_key(public)
    assert len(pair.public) == len(pair.secret) == 40 and pair.public != pair.secret
    assert result.stdout.strip() == f"public key {pair.public.decode()}"
    assert pair.secret.decode() not in repr(pair) and pair.secret not in public.read_bytes()


def test_keys_new_refuses_to_overwrite_without_force(tmp_path):
    assert run("keys", "new", "car1", "--dir", str(tmp_path)).exit_code == 0
    before = load_keypair(tmp_path / "car1.key_secret")
    one_line_error(run("keys", "new", "car1", "--dir", str(tmp_path)), "car1.key exists: use --force")
    (tmp_path / "car1.key").unlink()  # half a pair is still refused
    one_line_error(run("keys", "new", "car1", "--dir", str(tmp_path)), "car1.key_secret exists")
    assert load_keypair(tmp_path / "car1.key_secret").secret == before.secret
    assert run("keys", "new", "car1", "--dir", str(tmp_path), "--force").exit_code == 0
    after = load_keypair(tmp_path / "car1.key_secret")
    assert after.secret != before.secret and load_public_key(tmp_path / "car1.key") == after.public


def test_keys_show_prints_the_public_key(tmp_path):
    public, secret = create_keypair(tmp_path, "collector")
    for path in (public, secret):
        result = run("keys", "show", str(path))
        assert result.exit_code == 0 and result.stdout.strip() == load_public_key(public).decode()


@pytest.mark.parametrize(
    "args, text",
    [
        (["keys", "show", "/nonexistent/x.key"], "no such key file"),
        (["keys", "new", "../escape"], "key name '../escape'"),
        (["keys", "new", "car1", "--dir", "/proc/forbidden"], "cannot write keys into /proc/forbidden"),
    ],
)
def test_keys_errors_are_one_line(args, text):
    one_line_error(run(*args), text)


def test_loaders_reject_what_is_not_a_key(tmp_path):
    (tmp_path / "empty.key").write_text("")
    (tmp_path / "short.key").write_text('curve\n    public-key = "abc"\n')
    for name, text in (("empty.key", "no public-key line"), ("short.key", "not a 40-character z85")):
        with pytest.raises(ConfigError, match=text):
            load_public_key(tmp_path / name)
    public, _ = create_keypair(tmp_path / "pair", "car1")
    with pytest.raises(ConfigError, match="has no secret key"):
        load_keypair(public)


def test_key_directory_maps_public_keys_to_sensor_ids(tmp_path):
    with pytest.raises(ConfigError, match="no such keys directory"):
        load_key_directory(tmp_path / "none")
    (tmp_path / "keys").mkdir()
    with pytest.raises(ConfigError, match="no public keys"):
        load_key_directory(tmp_path / "keys")
    a, _ = create_keypair(tmp_path / "keys", "car1")
    b, _ = create_keypair(tmp_path / "keys", "car2")
    assert load_key_directory(tmp_path / "keys") == {load_public_key(a): "car1", load_public_key(b): "car2"}
    (tmp_path / "keys" / "copy.key").write_bytes(a.read_bytes())
    with pytest.raises(ConfigError, match="hold the same public key"):
        load_key_directory(tmp_path / "keys")
