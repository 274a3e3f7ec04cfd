"""Links and e-mail addresses in an SMS text, as spammers write them to slip past filters.

Matched on the folded text (:mod:`.textmap`: full-width forms are ASCII there, invisible characters
gone) so that all of these are found:

* with or without a scheme, the scheme mangled too: ``http://``, ``hxxps://``, ``h t t p : / /``,
  ``http//``, ``http:\\``;
* dots written another way: ``。``, ``点``/``點``, ``dot``, ``(dot)``, ``[.]``, ``,``, ``·``, with
  spaces around: ``icbc-jf 点 com``, ``icbc-jf .com``;
* letters spread out with spaces or symbols: ``w w w . x x . c o m``, ``i*c*b*c.com``; a label
  written in letter runs (``…那一刻tj bq q.cn``, ``gs*yh*vip.cn``) where the pieces cannot be prose
  (:func:`_joined_pieces`);
* IP-address hosts (``http://1.2.3.4:8080/a``; without a scheme only with a port or a path);
* IDN hosts: punycode (``xn--...``) as is, Unicode labels after a scheme.

A host without a scheme counts only when its last label is a public suffix with a name under it
(tldextract's bundled list, :mod:`.domains`): that keeps ``3.5万``, ``v1.2`` or ``a.b`` out, and
only when it is not all x's and digits (``xx.xxxx.xxx``, ``x.xxx%``: figures a corpus masked, though
``xxx`` is a suffix). After a scheme any dotted name ending in letters is a link (``http://x.apk``;
its domain None when there is no public suffix). An ideographic full stop is a dot only where that
makes a host: ``www.abc.com。bbin 技术`` is ``www.abc.com``.
The value reported is the link normalised (scheme lower case, ``hxxp`` read as ``http``, the host
lower case in ASCII/punycode, separators gone); the raw text and its span are the text as written.
Links are data: nothing here or anywhere in the project fetches them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .domains import is_ip, registered_domain, split_host
from .finding import Finding
from .textmap import Folded

# Link shorteners seen in Chinese spam and worldwide (registered domains). A short link hides where
# it goes; the finding says so with type "short_link".
SHORTENERS = frozenset(
    {
        "t.cn",
        "url.cn",
        "dwz.cn",
        "suo.im",
        "sina.lt",
        "3.cn",
        "u.nu",
        "mrw.so",
        "6du.in",
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "is.gd",
        "ow.ly",
        "t.ly",
        "rb.gy",
        "cutt.ly",
        "s.id",
        "reurl.cc",
        "ppt.cc",
        "t.co",
        "v.gd",
        "buff.ly",
        "rebrand.ly",
        "shorturl.at",
        "tiny.cc",
    }
)

# A dot written another way. Spaces may stand around a word-like dot (点, dot, [.]); around a
# punctuation dot only on both sides ("x . com") or before it ("icbc-jf .com"): a space after it
# alone is a sentence's end ("overdue. Pay" is not the host overdue.pay).
_DOT = (
    r"(?:\s{0,2}(?:点|點|dot|\(dot\)|\[dot\]|\[\.\]|\(\.\)|\{\.\})\s{0,2}"
    r"|\s{1,2}[.。·,]\s{1,2}|\s{0,2}[.。·,])"
)
_DOT_RE = re.compile(_DOT, re.IGNORECASE)
# A label as a registrar allows it, or spread out: one character, then 1-2 fillers, repeatedly.
_FILL = r"[ *_~^★☆]"
_LABEL = r"(?:[a-z0-9](?:" + _FILL + r"{1,2}[a-z0-9-]){1,62}|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9-])){0,62})"
_ULABEL = r"(?:[\w](?:[\w-]{0,62}))"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = r"(?:" + _OCTET + r"(?:\.|\[\.\]|\(\.\)|。)){3}" + _OCTET
_SCHEME = r"(?P<scheme>(?:h\s?[tx]\s?[tx]\s?p(?:\s?s)?|ftp)\s?:?\s?(?:[/\\]\s?){1,2})"
_PORT = r"(?P<port>:\d{1,5})?"
_PATH = r"(?P<path>[/?#][a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*)?"

_URL_RE = re.compile(
    r"(?<![a-z0-9@._\-])"
    + _SCHEME
    + r"?(?:(?P<ip>"
    + _IPV4
    + r")|(?P<host>"
    + _LABEL
    + r"(?:"
    + _DOT
    + _LABEL
    + r"){1,9})|(?(scheme)(?P<uhost>"
    + _ULABEL
    + r"(?:\."
    + _ULABEL
    + r"){1,9})|(?!)))(?![a-z0-9\-])"
    + _PORT
    + _PATH,
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(
    r"(?<![a-z0-9._%+\-])(?P<local>[a-z0-9](?:[a-z0-9._%+\-]{0,63}))\s?(?:@|\(at\)|\[at\])\s?(?P<host>"
    + r"[a-z0-9](?:[a-z0-9-]{0,62})(?:"
    + _DOT
    + r"[a-z0-9](?:[a-z0-9-]{0,62})){1,9})(?![a-z0-9\-])",
    re.IGNORECASE,
)
_FILLERS = re.compile(_FILL)
_FILL_RUN = re.compile(_FILL + r"{1,2}")
# A link's label written in ASCII letter runs with fillers between, ending where the host starts.
_PIECES_BEFORE = re.compile(r"(?<![a-z0-9])(?P<pieces>(?:[a-z]{1,16}" + _FILL + r"{1,2}){1,6})\Z", re.IGNORECASE)
# Words that are prose, not pieces of a host name (``visit our shop.cn``, ``go to abc.com``).
_ENGLISH_WORDS = frozenset({
    "a", "an", "the", "to", "at", "on", "in", "of", "or", "and", "for", "from", "by", "via", "with", "is",
    "are", "be", "it", "this", "that", "go", "visit", "see", "click", "tap", "open", "log", "login", "sign",
    "up", "now", "here", "our", "your", "my", "me", "us", "we", "you", "pls", "please", "check", "get",
    "new", "app", "web", "site", "url", "link", "www", "http", "https", "ftp", "com", "net", "org", "cn",
    "dot",
})  # fmt: skip
_MASKED = re.compile(r"[x0-9]+(?:\.[x0-9]+)+", re.IGNORECASE)  # figures whose digits are masked as x
_LOOSE_LAST = re.compile(r"\.[a-z]{2,24}\Z")  # a dotted name ending in letters (``.apk``, ``.bbin``)
_TRAILING = ".,;:!?'\")]}"


def _clean_host(host: str) -> str:
    """The host as ASCII letters, digits, hyphens and dots, lower case (separators resolved)."""
    labels = _DOT_RE.split(host)
    return ".".join(_FILLERS.sub("", label).replace(" ", "") for label in labels).lower()


def _to_ascii(host: str) -> str | None:
    """IDN host → punycode; None when it cannot be one."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii").lower()
    except (UnicodeError, ValueError):
        return None


def _trim_path(path: str) -> str:
    while path and path[-1] in _TRAILING:
        if path[-1] == ")" and path.count("(") >= path.count(")"):
            break
        path = path[:-1]
    return path


def find_links(f: Folded, original: str) -> Iterator[Finding]:
    """URL findings (kind ``url``) in the folded text ``f`` of ``original``."""
    for m in _URL_RE.finditer(f.text):
        scheme = m.group("scheme")
        port = m.group("port") or ""
        path = _trim_path(m.group("path") or "")
        end = m.start("path") + len(path) if m.group("path") is not None else m.end("port") if port else None
        start = m.start()
        if m.group("ip"):
            host = re.sub(r"[^0-9]+", ".", m.group("ip"))
            if not scheme and not port and not path:
                continue  # a bare dotted quad is a version number as often as a host
            domain, kind = None, "ip"
        else:
            if m.group("host"):
                got = _written_host(m.group("host"), bool(scheme))
                if got is None:
                    continue
                host, cut = got
                if cut is not None:  # the host ended at a 。: what came after is not part of it
                    port = path = ""
                    end = m.start("host") + cut
            else:
                got = _valid_host(m.group("uhost").lower(), bool(scheme))
                if got is None:
                    continue
                host = got
            domain = registered_domain(host)
            if not scheme and m.group("host") and domain == host:
                joined = _joined_pieces(f.text, m.start("host"), host)
                if joined is not None:
                    start, host = joined
                    domain = host
            kind = "short_link" if domain in SHORTENERS else "link"
        if end is None:
            end = m.end("ip") if m.group("ip") else m.end("host") if m.group("host") else m.end("uhost")
        a, b = f.span(start, end)
        value = (_scheme_value(scheme) + "://" if scheme else "") + host + port + path
        yield Finding("url", value, original[a:b], a, b, type=kind, domain=domain)


def _valid_host(host: str, scheme: bool, *, loose: bool = False) -> str | None:
    """The host in ASCII when it is one: a name under a public suffix, or (``loose``, only after a
    scheme) any dotted name ending in letters (``http://xxshenqi.apk``: a scheme makes it a link).
    Without a scheme, a host of only x's and digits is a masked figure (``xx.xxxx.xxx``, ``x.xxx%``:
    corpora write hidden digits as x, and ``xxx`` is a public suffix), not a link."""
    ascii_host = _to_ascii(host)
    if ascii_host is None or len(ascii_host) > 253:
        return None
    if not scheme and _MASKED.fullmatch(ascii_host):
        return None
    label, suffix = split_host(ascii_host)
    if label and suffix:
        return ascii_host
    if loose and scheme and _LOOSE_LAST.search(ascii_host):
        return ascii_host
    return None


def _written_host(written: str, scheme: bool) -> tuple[str, int | None] | None:
    """``(host, cut)`` for the host as matched: the whole of it (``cut`` None), else the longest part
    before an ideographic full stop that is a host (``cut``: its length in ``written``): 。 is read as
    a dot only where that makes a host (``abc123。com``), else it ends the sentence
    (``www.xxxxxx.com。bbin 技术``). A scheme with no such host takes the whole (``_valid_host``)."""
    host = _valid_host(_clean_host(written), scheme)
    if host is not None:
        return host, None
    for i in range(len(written) - 1, 0, -1):
        if written[i] == "。":
            head = written[:i].rstrip()
            host = _valid_host(_clean_host(head), scheme) if _DOT_RE.search(head) else None
            if host is not None:
                return host, len(head)
    host = _valid_host(_clean_host(written), scheme, loose=True)
    return None if host is None else (host, None)


def _joined_pieces(text: str, at: int, host: str) -> tuple[int, str] | None:
    """A registered domain whose label was written in pieces (``…那一刻tj bq q.cn`` →
    ``tjbqq.cn``): ``(start, host)`` with the pieces before ``at`` joined to it, or None.

    Joined only what cannot be prose: ASCII letter runs separated by one or two spaces or filler
    symbols, the first glued to a non-ASCII character (Chinese text; a colon too) or all separated by
    symbols (``tj*bq*q.cn``), none an English word (``visit our shop.cn`` stays ``shop.cn``), and the
    result a registered domain itself (the pieces join its label, not a subdomain's)."""
    m = _PIECES_BEFORE.search(text, max(0, at - 120), at)
    if m is None:
        return None
    pieces = _FILL_RUN.split(m.group("pieces").strip(" *_~^★☆"))
    if any(p.lower() in _ENGLISH_WORDS for p in pieces):
        return None
    before = text[m.start() - 1] if m.start() > 0 else ""
    if before and before in ".-@_/":
        return None  # the pieces would start inside another host or address (abc.xyz*efg.cn)
    glued = bool(before) and not before.isspace() and (not before.isascii() or before == ":")
    if not glued and " " in m.group("pieces"):
        return None
    joined = "".join(pieces).lower() + host
    if len(joined.split(".", 1)[0]) > 63 or registered_domain(joined) != joined:
        return None
    return m.start(), joined


def _scheme_value(scheme: str) -> str:
    s = re.sub(r"[^a-z]", "", scheme.lower())
    if s.startswith("ftp"):
        return "ftp"
    return "https" if s.endswith("s") else "http"


def find_emails(f: Folded, original: str) -> Iterator[Finding]:
    """E-mail findings: ``123456789@qq.com``, ``abc (at) 163 点 com``."""
    for m in _EMAIL_RE.finditer(f.text):
        host = _clean_host(m.group("host"))
        label, suffix = split_host(host)
        if not label or not suffix or is_ip(host):
            continue
        start, stop = f.span(m.start(), m.end())
        value = f"{m.group('local').lower()}@{host}"
        yield Finding("email", value, original[start:stop], start, stop, domain=registered_domain(host))
