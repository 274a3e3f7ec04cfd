"""Registered domains, from tldextract's bundled Public Suffix List snapshot, never the network.

``tldextract`` normally downloads the current list on first use and caches it under the user's
home. A patrol laptop is offline and its home is not ours to write to, so the extractor here is
built with no list URLs (nothing to fetch), no cache directory (nothing written) and the snapshot
that ships inside the package. The reserved names of RFC 2606 (``.example``, ``.test``,
``.invalid``) count as suffixes too. Private suffixes (``blogspot.com``, ``github.io``) are not used: a
registered domain is what a registrar sold, the thing a block list names.

The extractor is made on first use (importing tldextract costs ~100 ms, paid only by a run that
meets a link).
"""

from __future__ import annotations

import functools
import ipaddress
from typing import Any


@functools.cache
def _extractor() -> Any:
    import tldextract

    return tldextract.TLDExtract(
        cache_dir=None,
        suffix_list_urls=(),
        fallback_to_snapshot=True,
        include_psl_private_domains=False,
    )


# Top-level names reserved for documentation and testing (RFC 2606 §2): not in the Public Suffix
# List, but a host under them is a host (the contract's examples and the simulator's scenes use them).
RESERVED_TLDS = frozenset({"example", "test", "invalid"})


@functools.lru_cache(maxsize=4096)
def split_host(host: str) -> tuple[str, str]:
    """``(domain label, public suffix)`` of a host name; either is "" when there is none.
    Remembered for the last 4,096 hosts: a link is looked up more than once (is it a host, its
    registered domain, a host cut at 。) and a campaign repeats its links."""
    labels = host.rsplit(".", 2)
    if len(labels) >= 2 and labels[-1] in RESERVED_TLDS:
        return labels[-2], labels[-1]
    try:
        ext = _extractor()(host)
    except (ValueError, UnicodeError, IndexError):
        return "", ""
    return ext.domain, ext.suffix


def registered_domain(host: str) -> str | None:
    """``www.icbc-jf.com.cn`` → ``icbc-jf.com.cn``; None for an IP address or a host under no
    public suffix. The host is compared in lower case; IDN hosts may come as Unicode or punycode
    and the answer is in the form given."""
    host = host.strip().strip(".").lower()
    if not host or is_ip(host):
        return None
    domain, suffix = split_host(host)
    if not domain or not suffix:
        return None
    return f"{domain}.{suffix}"


def is_public_suffix_host(host: str) -> bool:
    """True when the host ends in a public suffix and has a label below it (``x.cn``, not ``cn``)."""
    domain, suffix = split_host(host.lower())
    return bool(domain and suffix)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
