"""Running tshark in the interoperability tests: one dict of fields per packet (PDML)."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

TSHARK = shutil.which("tshark")


def pdml(pcap: Path) -> list[dict[str, list[str]]]:
    """Every packet's fields: ``name`` → the values tshark shows, ``"showname:" + name`` → its labels."""
    assert TSHARK is not None, "tshark is not installed"
    out = subprocess.run([TSHARK, "-n", "-r", str(pcap), "-T", "pdml"], capture_output=True, check=True, timeout=120)
    packets = []
    for packet in ET.fromstring(out.stdout).iter("packet"):
        fields: dict[str, list[str]] = defaultdict(list)
        for f in packet.iter("field"):
            if f.get("name"):
                fields[f.get("name")].append(f.get("show", ""))
                fields["showname:" + f.get("name")].append(f.get("showname", ""))
        packets.append(fields)
    return packets
