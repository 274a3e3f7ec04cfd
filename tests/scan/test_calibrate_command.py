"""``fbs-sensor calibrate`` on the simulator's virtual receiver: the measured error matches the
scene's, a fake station on its own clock is rejected, and the result is filed for the scanner."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.receiver.stream import StreamReceiver
from sensor.scan.calibrate import estimate_ppm, measurements_from_blocks
from sensor.scan.calibration import applied_ppm, load_calibration
from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene

CELL = """
[[cells]]
name = "{name}"
arfcn = {arfcn}
bsic = {bsic}
power_dbfs = {power}
[cells.params]
mcc = "460"
mnc = "00"
lac = {lac}
cell_id = {cell_id}
"""

FAKE = """
[[fakes]]
name = "van"
imitate = "c58"
arfcn = {arfcn}
bsic = 17
power_dbfs = -29.0
behaviours = ["large_cfo", "empty_neighbours"]
cfo_ppm = 5.0
"""


def write_scene(
    path: Path, *, ppm: float, arfcns: list[int], fake_arfcn: int | None = None, duration_s: float = 30.0
) -> Path:
    text = f"""name = "{path.stem}"
seed = 11
duration_s = {duration_s}
[receiver]
center_hz = 947.4e6
sample_rate_hz = 2.4e6
ppm = {ppm}
noise_dbfs = -62.0
dc_dbfs = -40.0
iq_gain_db = 0.3
iq_phase_deg = 1.5
datatype = "cu8"
"""
    for i, a in enumerate(arfcns):
        text += CELL.format(name=f"c{a}", arfcn=a, bsic=10 + i, power=-30.0 - i, lac=6170 + i % 2, cell_id=21100 + i)
    if fake_arfcn is not None:
        text += FAKE.format(arfcn=fake_arfcn)
    path.write_text(text, encoding="utf-8")
    return path


def test_calibrate_on_the_virtual_receiver(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "calib.toml", ppm=-40.0, arfcns=[58, 60, 61, 64, 66], fake_arfcn=63)
    out = tmp_path / "calibration"
    result = CliRunner().invoke(
        cli,
        [
            "calibrate",
            "--device",
            f"sim:{scene}",
            "--arfcns",
            "50-75",
            "--seconds",
            "2",
            "--out",
            str(out),
            "--temperature-note",
            "test bench",
        ],
    )
    assert result.exit_code == 0, result.output
    path = out / "sim-calib.toml"
    cal = load_calibration(path, serial="sim-calib")
    assert cal.ppm == pytest.approx(-40.0, abs=0.1)
    assert cal.driver == "sim" and cal.source_id == "sim:calib" and cal.profile == "rtlsdr-r820t"
    assert cal.temperature_note == "test bench" and cal.method == "fcch-offsets"
    assert sorted(c.arfcn for c in cal.cells_used) == [58, 60, 61, 64, 66]
    assert [c.arfcn for c in cal.cells_rejected] == [63]
    fake = cal.cells_rejected[0]
    assert fake.ppm == pytest.approx(-45.0, abs=0.1) and "fake station" in (fake.reason or "")
    assert all(c.measurements >= 2 for c in cal.cells_used)
    assert cal.power is not None and cal.power.source == "nominal" and cal.power.tuner == "R820T"
    assert applied_ppm("sim-calib", directory=out) == cal.ppm
    printed = re.search(r"receiver clock error (-?\d+\.\d+) ppm", result.stdout)
    assert printed and float(printed.group(1)) == pytest.approx(-40.0, abs=0.1)
    assert "5 cell(s) used, 1 rejected; written to" in result.stdout


def test_sign_convention_through_the_receiver_chain(tmp_path: Path) -> None:
    scene = load_scene(write_scene(tmp_path / "plus12.toml", ppm=12.0, arfcns=[58, 60, 61, 64], duration_s=1.3))
    renderer = SceneRenderer(scene, center_hz=947.45e6, sample_rate_hz=2.4e6, start_utc_s=0.0)
    blocks = list(StreamReceiver().process(renderer.blocks(block_samples=1 << 16)))
    est = estimate_ppm(measurements_from_blocks(blocks))
    assert est.ppm == pytest.approx(12.0, abs=0.1)
    assert len(est.used) == 4 and not est.rejected


def test_too_few_cells_is_refused_in_one_line(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "sparse.toml", ppm=3.0, arfcns=[60, 64])
    out = tmp_path / "calibration"
    result = CliRunner().invoke(
        cli, ["calibrate", "--device", f"sim:{scene}", "--arfcns", "58-66", "--seconds", "1", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    lines = [l for l in result.stderr.splitlines() if l.startswith("fbs-sensor: error: ")]
    assert len(lines) == 1 and "calibration refused: 2 usable cell(s), 3 needed" in lines[0], result.stderr
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--bands", "dcs"],
            "band DCS1800 (1805.2-1879.8 MHz) is out of reach of rtlsdr-r820t (tuning range 24-1766 MHz)",
        ),
        (["--bands", "gsm901"], "--bands: unknown band 'gsm901'"),
        (["--arfcns", "600"], "ARFCN 600 in none of the bands E-GSM900"),
    ],
)
def test_configuration_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["calibrate", "--device", "sim", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("fbs-sensor: error: ") and message in lines[-1], result.stderr
