"""No raw IMSI, TMSI or IMEI leaves the sensor unless the user asked for them: every output, log,
outbox, store and export of the commands a user runs is searched, byte for byte, for the phones'
identities the simulator's truth lists (as text and as their Mobile Identity encodings).

Each search has its control: the same command with ``--keep-identities`` does carry the identities,
so the needles are right and the traffic was read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sensor.resources import project_dir
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic
from tests.identities import leaks, raw_identity_bytes

pytestmark = pytest.mark.slow

SCENES = project_dir("recordings") / "scenes"
DRIVE = SCENES / "patrol-drive.toml"
STREET = SCENES / "fake-street-sdcch8.toml"
FAKE_HZ = 947.8e6  # ARFCN 64


def _fbs(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The command as a user runs it, with a home of its own: whatever it writes anywhere is searched."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FBS_SENSOR_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_CACHE_HOME=str(home / "cache"))  # fmt: skip
    home.mkdir(parents=True, exist_ok=True)
    p = subprocess.run([sys.executable, "-m", "sensor.cli", *args], env=env, capture_output=True, timeout=900)
    assert p.returncode == 0, p.stderr[-3000:]
    (home / "stdout").write_bytes(p.stdout)
    (home / "stderr").write_bytes(p.stderr)
    return p


def _needles(scene: Path) -> list[bytes]:
    truth = scene_traffic(load_scene(scene)).truth
    return [n for fake in truth.values() for n in raw_identity_bytes(fake)]


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("street")
    _fbs(out / "home", "simulate", str(STREET), "--out", str(out), "--center", str(FAKE_HZ), "--rate", "1e6",
         "--duration", "10")  # fmt: skip
    return out / "fake-street-sdcch8.sigmf-meta"


@pytest.mark.parametrize("keep", [False, True], ids=["keyed", "keep-identities"])
def test_replay_outputs_frames_and_logs(tmp_path: Path, street: Path, keep: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fbs(home, "replay", "--json", "--blocks", "--pcap", str(home / "frames.pcap"), *(["--keep-identities"] * keep),
         str(street))  # fmt: skip
    found = leaks([home], _needles(STREET))
    if keep:
        assert {Path(f).name for f, _ in found} >= {"stdout", "frames.pcap"}
    else:
        assert found == []


@pytest.mark.parametrize("keep", [False, True], ids=["keyed", "keep-identities"])
def test_the_daemon_its_outbox_store_metrics_logs_and_exports(tmp_path: Path, keep: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    state = home / "state"
    _fbs(home, "run", "--device", f"sim:{DRIVE}", "--duration", "30", "--state-dir", str(state),
         "--metrics", str(home / "metrics.prom"), "--json", *(["--keep-identities"] * keep))  # fmt: skip
    for fmt, out in (("csv", "readings.csv"), ("geojson", "map.geojson"), ("kml", "map.kml"), ("evidence", "evidence")):
        _fbs(home / "export", "export", "--db", str(state / "collector.sqlite"), "--format", fmt,
             "--out", str(home / out), "--verdict", "suspicious")  # fmt: skip
    found = leaks([home], _needles(DRIVE))
    if keep:  # the sessions reached the embedded collector with the identities the phones showed
        assert any(Path(f).name.startswith("collector.sqlite") for f, _ in found), found
    else:
        assert (state / "outbox.sqlite").exists() and (state / "collector.sqlite").exists()
        assert b"phones" in (home / "stderr").read_bytes()  # the phones were reached: their traffic was read
        assert found == []


@pytest.mark.parametrize("keep", [False, True], ids=["keyed", "keep-identities"])
def test_a_scan(tmp_path: Path, keep: bool) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _fbs(home, "scan", "--device", f"sim:{STREET}", "--arfcns", "60-66", "--passes", "3", "--watch", "64", "--json",
         *(["--keep-identities"] * keep))  # fmt: skip
    found = leaks([home], _needles(STREET))
    assert bool(found) == keep, found
