"""What `fbs-sensor replay` imports: a recording whose cells assign no dedicated channel, replayed as
JSON, imports none of what only dedicated channels, SMS, frames or a location fit need (each was
start-up time of every replay: bench/README.md, "Fourth round: start-up")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sensor.sim.output import write_sigmf
from tests.sim.scenes import cell_toml, scene_from, scene_toml

ROOT = Path(__file__).resolve().parents[1]
# modules a replay of broadcast-only cells (no --baseline) must not import
UNUSED = (
    "sensor.l3.mm", "sensor.l3.cc", "sensor.l3.cp", "sensor.l3.rp", "sensor.l3.rr_dedicated", "sensor.l3.si_sacch",
    "sensor.l3.cell", "sensor.l2.link", "sensor.sessions.rewrite", "sensor.sessions.sms", "sensor.sms.tpdu",
    "sensor.sms.concat", "sensor.sms.compose", "sensor.frames.block", "sensor.frames.gsmtap", "sensor.frames.pcap",
    "sensor.locate.model", "sensor.intel", "sensor.gps.track", "sensor.gps.nmea", "sensor.gps.gpx", "sensor.gps.align",
    "sensor.l2.frame", "sensor.detect.baseline", "sqlite3",
)  # fmt: skip


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("startup")
    scene = scene_from(
        tmp,
        scene_toml(
            947.4e6, 2.4e6, [cell_toml("a", 60, 21, cell_id=1), cell_toml("b", 64, 9, cell_id=2)], duration_s=1.2
        ),
    )
    write_sigmf(scene, tmp / "two")
    return tmp / "two.sigmf-meta"


def _replay_modules(tmp_path: Path, *args: str) -> tuple[list[dict], set[str]]:
    """The JSON lines of ``fbs-sensor replay ARGS`` in a fresh interpreter, and the modules it imported."""
    listing = tmp_path / "modules.txt"
    code = (
        "import sys\nfrom sensor.cli import main\n"
        f"sys.argv = ['fbs-sensor', 'replay', *{list(args)!r}]\n"
        f"try:\n    main()\nfinally:\n    open({str(listing)!r}, 'w').write(' '.join(sys.modules))\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()], set(listing.read_text().split())


def test_a_replay_of_broadcast_only_cells_imports_nothing_of_dedicated_channels(tmp_path, recording):
    objects, modules = _replay_modules(tmp_path, str(recording), "--json")
    cells = [o for o in objects if o["type"] == "cell"]
    assert {(c["arfcn"], c["bsic"]) for c in cells} == {(60, 21), (64, 9)}
    assert all("3" in c["si"] for c in cells) and objects[-1]["type"] == "summary"
    assert "sensor.l3.si_cell" in modules and "sensor.sessions.tracker" in modules
    assert sorted(m for m in modules if m in UNUSED or m.startswith(tuple(f"{u}." for u in UNUSED))) == []
    assert sorted(m for m in modules if m.startswith("scipy") or m == "numba") == []


def test_frames_asked_for_bring_their_modules(tmp_path, recording):
    objects, modules = _replay_modules(tmp_path, str(recording), "--json", "--blocks")
    assert any(o["type"] == "block" for o in objects)
    assert {"sensor.frames.block", "sensor.sessions.rewrite"} <= modules
