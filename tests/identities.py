"""Phones' raw identities as they could leak: what tests grep every output, log and store for.

The simulator's truth lists each phone's IMSI, IMEI and TMSI. Each is looked for as written in text
(digits, TMSI in hex either case) and as its Mobile Identity encoding (TS 24.008 §10.5.1.4), in hex
and as bytes (what a frame, a pcap or a database file would hold).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sensor.l3.ie_mm import MobileIdentity


def raw_identities(truth: Mapping[str, Any]) -> list[str]:
    """The truth's IMSIs, IMEIs and TMSIs as text and as Mobile Identity encodings in hex."""
    out = []
    for s in truth["sessions"]:
        out += [s["imsi"], s["imei"], MobileIdentity.imsi(s["imsi"]).to_bytes().hex()]
        if s["tmsi"] is not None:
            tmsi_hex = f"{s['tmsi']:08x}"
            out += [tmsi_hex, tmsi_hex.upper(), MobileIdentity.of_tmsi(s["tmsi"]).to_bytes().hex()]
    return out


def raw_identity_bytes(truth: Mapping[str, Any]) -> list[bytes]:
    """The same, as the bytes a file may hold: text in UTF-8 and the encodings themselves."""
    out = [r.encode() for r in raw_identities(truth)]
    for s in truth["sessions"]:
        out.append(MobileIdentity.imsi(s["imsi"]).to_bytes())
        if s["tmsi"] is not None:
            out.append(MobileIdentity.of_tmsi(s["tmsi"]).to_bytes())
    return out


def leaks(paths: Iterable[Path], needles: list[bytes]) -> list[tuple[str, bytes]]:
    """(file, needle) for every needle found in the bytes of every file under ``paths``."""
    found = []
    for root in paths:
        for path in [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()):
            data = path.read_bytes()
            found += [(str(path), n) for n in needles if n in data]
    return found
