from __future__ import annotations

import pytest

from sensor.intel import defang, extract


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://example.com/a.b", "hxxp://example[.]com/a.b"),
        ("https://www.icbc-jf.com", "hxxps://www[.]icbc-jf[.]com"),
        ("HTTP://X.CN/?q=a.b", "hxxp://X[.]CN/?q=a.b"),
        ("ftp://1.2.3.4/x", "fxp://1[.]2[.]3[.]4/x"),
        ("icbc-jf.com", "icbc-jf[.]com"),
        ("user@evil.cc/x", "user[@]evil[.]cc/x"),
        ("hxxp://example[.]com", "hxxp://example[.]com"),
    ],
)
def test_defang(url: str, shown: str) -> None:
    assert defang(url) == shown
    assert defang(shown) == shown  # idempotent


def test_a_defanged_link_still_reads_as_the_same_link() -> None:
    # Not clickable, but the extractor (which reads spammers' [.] and hxxp too) finds the same link.
    found = extract("登录 http://icbc-jf.com/a 或 t.cn/A6xy 或 http://1.2.3.4/x")
    assert len(found) == 3
    for f in found:
        again = extract(defang(f.value))
        assert [(g.kind, g.value, g.domain) for g in again] == [("url", f.value, f.domain)]
