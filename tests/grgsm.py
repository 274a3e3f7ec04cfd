"""Running gr-gsm (the reference receiver) from tests: Debian's grgsm_decode with its one-line fix.

Debian's /usr/bin/grgsm_decode imports ``gnuradio.pdu.socket_pdu``, which moved to
``gnuradio.network`` in GNU Radio 3.10 (see DESIGN.md): a patched copy is run with the system
Python. It always sends GSMTAP to 127.0.0.1:4729, so each run gets its own network namespace
(``unshare -n``) when that is allowed, and runs one at a time otherwise.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
GRGSM_DECODE = "/usr/bin/grgsm_decode"
GRGSM_CHANNELIZE = "/usr/bin/grgsm_channelize"
_LINE_RE = re.compile(r"^(\d+) (\d+):\s+((?:[0-9a-f]{2} ){22}[0-9a-f]{2})\s*$")
_lock = threading.Lock()


def available() -> bool:
    return Path(GRGSM_DECODE).exists() and Path(SYSTEM_PYTHON).exists()


def require() -> None:
    if not available():
        pytest.skip("gr-gsm is not installed (Debian package gr-gsm)")


def patched_decode(tmp_dir: Path) -> Path:
    path = tmp_dir / "grgsm_decode"
    if not path.exists():
        text = Path(GRGSM_DECODE).read_text()
        path.write_text(text.replace("from gnuradio import pdu\n", "from gnuradio import network as pdu\n"))
    return path


def _namespaced(cmd: list[str]) -> list[str]:
    if shutil.which("unshare"):
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            inner = " ".join(f"'{c}'" for c in cmd)
            return ["unshare", "-n", "sh", "-c", f"ip link set lo up 2>/dev/null; exec {inner}"]
    return cmd


def decode(
    cfile: Path,
    *,
    sample_rate_hz: float,
    fc_hz: float,
    tmp_dir: Path,
    mode: str = "BCCH",
    ppm: float | None = None,
    timeslot: int = 0,
    timeout_s: float = 300,
) -> list[tuple[int, bytes]]:
    """``grgsm_decode -c FILE -s RATE -f FC -m MODE -t TIMESLOT -v``: the (FN, 23 octets) it prints."""
    cmd = [
        SYSTEM_PYTHON,
        str(patched_decode(tmp_dir)),
        "-c",
        str(cfile),
        "-s",
        repr(float(sample_rate_hz)),
        "-f",
        repr(float(fc_hz)),
        "-m",
        mode,
        "-t",
        str(timeslot),
        "-v",
    ]
    if ppm is not None:
        cmd += ["--ppm", repr(float(ppm))]
    with _lock:
        p = subprocess.run(_namespaced(cmd), capture_output=True, text=True, timeout=timeout_s)
    out = []
    for line in p.stdout.splitlines():
        m = _LINE_RE.match(line.strip())
        if m:
            out.append((int(m.group(1)), bytes.fromhex(m.group(3).replace(" ", ""))))
    if p.returncode != 0 and not out:
        raise AssertionError(f"grgsm_decode failed ({p.returncode}): {p.stderr[-2000:]}")
    return out


def channelize(
    cfile: Path,
    *,
    sample_rate_hz: float,
    fc_hz: float,
    arfcns: list[int],
    out_dir: Path,
    out_rate_hz: float = 1e6,
    timeout_s: float = 300,
) -> dict[int, Path]:
    """``grgsm_channelize``: one 1 Msps .cfile per ARFCN, centred on its carrier."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        SYSTEM_PYTHON,
        GRGSM_CHANNELIZE,
        "-s",
        repr(float(sample_rate_hz)),
        "-f",
        repr(float(fc_hz)),
        "-o",
        repr(float(out_rate_hz)),
        "-i",
        str(cfile),
        "-d",
        str(out_dir),
    ] + [str(a) for a in arfcns]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
    if p.returncode != 0:
        raise AssertionError(f"grgsm_channelize failed ({p.returncode}): {p.stderr[-2000:]}")
    files = {}
    for a in arfcns:
        hits = list(out_dir.glob(f"out_{a}.cfile"))
        if not hits:
            raise AssertionError(
                f"grgsm_channelize wrote no file for ARFCN {a}: {sorted(p.name for p in out_dir.iterdir())}"
            )
        files[a] = hits[0]
    return files
