"""Golden tests: each bundled scene, rendered (deterministically) and replayed, gives the cells in
recordings/golden/NAME.jsonl. After a deliberate change: `python -m pytest tests/test_golden.py --update-golden`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.sim.output import write_sigmf
from sensor.sim.scene import load_scene

ROOT = Path(__file__).resolve().parents[1]
# A scene that extends another one is a longer or varied run of it (the daemon's drive): its base is
# the golden one.
SCENES = sorted(p for p in (ROOT / "recordings" / "scenes").glob("*.toml") if "\nextends" not in "\n" + p.read_text())
GOLDEN = ROOT / "recordings" / "golden"
# Measured values may move a little with numerics (FFT libraries, BLAS); identities may not.
TOLERANCE = {
    "rssi_dbfs": 0.5,
    "snr_db": 1.5,
    "freq_offset_hz": 5.0,
    "freq_offset_ppm": 0.01,
    "first_t_s": 0.02,
    "last_t_s": 0.02,
    "t_s": 0.02,
    "end_t_s": 0.02,
}
# A fixed identity key: the golden sessions' keyed hashes are the same on every machine.
IDENTITY_KEY = bytes(range(32))


def _compare(got: dict, want: dict, where: str) -> None:
    assert set(got) == set(want), f"{where}: keys differ: {sorted(set(got) ^ set(want))}"
    for k, w in want.items():
        g = got[k]
        if k in TOLERANCE and isinstance(w, (int, float)) and isinstance(g, (int, float)):
            assert g == pytest.approx(w, abs=TOLERANCE[k]), f"{where}.{k}"
        elif k == "summary_blocks":
            continue
        else:
            assert g == w, f"{where}.{k}: {g!r} != {w!r}"


@pytest.mark.slow
@pytest.mark.parametrize("scene_path", SCENES, ids=[p.stem for p in SCENES])
def test_bundled_scene_replays_to_its_golden_output(tmp_path, request, scene_path):
    scene = load_scene(scene_path)
    write_sigmf(scene, tmp_path / scene.name)
    key = tmp_path / "identity.key"
    key.write_bytes(IDENTITY_KEY)
    key.chmod(0o600)
    r = CliRunner().invoke(
        cli,
        ["replay", str(tmp_path / f"{scene.name}.sigmf-meta"), "--json"],
        env={"XDG_CONFIG_HOME": str(tmp_path), "FBS_SENSOR_IDENTITY_KEY": str(key)},
    )
    assert r.exit_code == 0, r.output
    objs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    golden = GOLDEN / f"{scene.name}.jsonl"
    if request.config.getoption("--update-golden"):
        golden.write_text("".join(json.dumps(o, sort_keys=True) + "\n" for o in objs))
        pytest.skip(f"rewrote {golden}")
    assert golden.is_file(), f"{golden} missing: run with --update-golden"
    want = [json.loads(line) for line in golden.read_text().splitlines() if line.strip()]
    assert [o["type"] for o in objs] == [o["type"] for o in want]
    for i, (g, w) in enumerate(zip(objs, want)):
        if g["type"] == "summary":  # the block count may move by a few with numerics
            assert g["cells"] == w["cells"] and g["detections"] == w["detections"]
            assert (g["sessions"], g["sms"], g["identities"]) == (w["sessions"], w["sms"], w["identities"])
            assert abs(g["blocks"] - w["blocks"]) <= max(3, w["blocks"] // 50)
            continue
        _compare(g, w, f"{scene.name}[{i}] arfcn {w.get('arfcn')}")
    # And the golden output itself says what the scene put in.
    truth = {(c.arfcn, c.bsic): c for c in scene.cells}
    cells = [o for o in want if o["type"] == "cell"]
    assert {(o["arfcn"], o["bsic"]) for o in cells} == set(truth)
    for o in cells:
        t = truth[(o["arfcn"], o["bsic"])].params
        assert (o["mcc"], o["mnc"], o["lac"], o["cell_id"]) == (t.mcc, t.mnc, t.lac, t.cell_id)
