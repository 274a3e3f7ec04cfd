"""Links made safe to show: ``http://icbc-jf.com/x`` → ``hxxp://icbc-jf[.]com/x``.

A defanged link is not clickable in a viewer, mail client or chat that auto-links, and a person
copying it has to mean it. Used wherever a link from an SMS is displayed (reports, dashboard,
exports); the link itself is never fetched anywhere in the project.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^\s*(h[tx]{2}p(s?)|ftp|fxp)(\s*:\s*/*)", re.IGNORECASE)
_HOST_END = re.compile(r"[/?#\\]")


def defang(url: str) -> str:
    """``http``/``https``/``ftp`` become ``hxxp``/``hxxps``/``fxp``; every dot of the host part
    becomes ``[.]``; an ``@`` before the host becomes ``[@]``. The rest (path, query) is kept.
    Idempotent: a defanged link is returned unchanged."""
    rest = url
    prefix = ""
    m = _SCHEME.match(url)
    if m:
        scheme = m.group(1).lower()
        scheme = "fxp" if scheme in ("ftp", "fxp") else "hxxp" + m.group(2).lower()
        prefix = scheme + "://"
        rest = url[m.end() :]
    cut = _HOST_END.search(rest)
    host, tail = (rest[: cut.start()], rest[cut.start() :]) if cut else (rest, "")
    host = host.replace("[.]", ".").replace(".", "[.]").replace("[@]", "@").replace("@", "[@]")
    return prefix + host + tail
