"""Registered domains come from the suffix list bundled with tldextract: no network, no cache writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sensor.intel.domains import is_ip, registered_domain

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: sockets refuse to exist, HOME and the XDG folders are empty temporary
# directories; afterwards nothing may have been written there.
_OFFLINE = """
import socket
def refuse(*a, **k):
    raise OSError("network used")
socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.socket.sendto = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
from sensor.intel.domains import registered_domain
from sensor.intel import extract
assert registered_domain("a.b.icbc-jf.com.cn") == "icbc-jf.com.cn", registered_domain("a.b.icbc-jf.com.cn")
assert [f.domain for f in extract("请登录 icbc-jf 点 com")] == ["icbc-jf.com"]
print("ok")
"""


def test_offline_and_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "TLDEXTRACT_CACHE": "",
        "http_proxy": "http://127.0.0.1:9",
        "https_proxy": "http://127.0.0.1:9",
    }
    run = subprocess.run([sys.executable, "-c", _OFFLINE], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
    assert list(home.rglob("*")) == []


def test_the_refusing_socket_would_have_caught_a_download(tmp_path: Path) -> None:
    # The same harness fails when something does reach for the network.
    code = _OFFLINE.replace("from sensor.intel.domains", "socket.create_connection(('127.0.0.1', 9))\nfrom sensor")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "network used" in run.stderr


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("www.icbc.com.cn", "icbc.com.cn"),
        ("login.hsbc-secure.co.uk", "hsbc-secure.co.uk"),
        ("t.cn", "t.cn"),
        ("a.b.c.xyz", "c.xyz"),
        ("xn--fiqs8s", None),  # a bare suffix (.中国) has no registered domain
        ("icbc.invalidtld", None),
        ("103.45.67.89", None),
        ("", None),
        ("WWW.ICBC.COM.CN.", "icbc.com.cn"),
        ("foo.blogspot.com", "blogspot.com"),  # private suffixes are not used
    ],
)
def test_registered_domain(host: str, domain: str | None) -> None:
    assert registered_domain(host) == domain


def test_is_ip() -> None:
    assert is_ip("1.2.3.4") and is_ip("[2001:db8::1]") and not is_ip("1.2.3") and not is_ip("a.com")
