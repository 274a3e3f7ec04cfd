"""The command line: exit codes, one-line errors, config files, record with a fake radio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.sources.base import DeviceListing
from sensor.sources.open import open_recording
from tests.fakes import radio


@pytest.fixture
def fake_radio(monkeypatch):
    return radio.install(monkeypatch)


def run(*args, env=None):
    return CliRunner().invoke(
        cli, list(args), env=env or {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}
    )


def one_line_error(result, code=2):
    assert result.exit_code == code, result.output
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) >= 1 and lines[-1].startswith("fbs-sensor: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[-1]


def test_record_writes_valid_sigmf_with_metadata(fake_radio, tmp_path):
    out = tmp_path / "rec"
    r = run(
        "record",
        "--device",
        "rtlsdr:F00D",
        "--center",
        "947.4M",
        "--duration",
        "0.5",
        "--gain",
        "30",
        "--position",
        "31.23,121.47,8",
        "--out",
        str(out),
    )
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "rec.sigmf-meta").read_text())
    g = meta["global"]
    assert g["core:datatype"] == "cu8" and g["core:sample_rate"] == 2.4e6 and g["core:hw"] == "Fake radio"
    assert g["core:geolocation"] == {"type": "Point", "coordinates": [121.47, 31.23, 8.0]}
    assert g["fbs:serial"] == "F00D" and "core:sha512" in g
    cap = meta["captures"][0]
    assert cap["core:frequency"] == 947.4e6 and cap["fbs:gain_db"] == 29.7  # snapped to the R820T table
    assert "core:datetime" in cap
    src = open_recording(out)
    assert src.n_samples == 1_200_000
    x = next(src.blocks(block_samples=1000)).samples
    want = (0.5 * np.exp(2j * np.pi * 0.05 * np.arange(1000))).astype(np.complex64)
    np.testing.assert_allclose(x, want, atol=1 / 128)
    assert radio.OPENED[0].gain_db == 29.7


def test_record_ctrl_c_leaves_a_valid_recording(fake_radio, tmp_path):
    fake_radio.FAIL_AFTER_BLOCKS = 3
    r = run("record", "--device", "hackrf", "--center", "1805.2M", "--out", str(tmp_path / "cut"))
    assert r.exit_code == 0, r.output
    assert "stopped" in r.stderr
    src = open_recording(tmp_path / "cut")
    assert src.n_samples == 3 * (1 << 18)
    assert src.info.native_datatype == "ci8"
    assert "core:sha512" in json.loads((tmp_path / "cut.sigmf-meta").read_text())["global"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--center", "3000M"], "cannot tune"),
        (["--center", "947M", "--rate", "3.2M"], "cannot run at 3.2 Msps"),
        (["--center", "947M", "--gain", "80"], "gain 80"),
        (["--center", "947M", "--profile", "nosuch"], "no receiver profile named 'nosuch'"),
        (["--center", "947M", "--profile", "hackrf-one"], "is for hackrf receivers"),
        (["--center", "947M", "--device", "usrp"], "unknown device"),
        (["--center", "947M", "--device", "rtlsdr", "--profile", "rtlsdr-e4000", "--bias-tee"], "no bias tee"),
    ],
)
def test_record_bad_options_one_line_exit_2(fake_radio, tmp_path, args, message):
    r = run("record", "--out", str(tmp_path / "x"), *args)
    assert message in one_line_error(r)


def test_record_refuses_to_overwrite(fake_radio, tmp_path):
    (tmp_path / "x.sigmf-meta").write_text("{}")
    assert "exists already" in one_line_error(
        run("record", "--center", "947M", "--duration", "0.01", "--out", str(tmp_path / "x"))
    )


def test_devices_lists_and_says_when_none(fake_radio):
    r = run("devices")
    assert "no receiver found" in one_line_error(r)
    fake_radio.DEVICES = [DeviceListing("rtlsdr", "rtlsdr:FBS0001", "FBS0001", "Realtek RTL2838UHIDIR (R820T)")]
    r = run("devices")
    assert r.exit_code == 0 and "rtlsdr:FBS0001" in r.stdout


def test_inspect_real_capture_finds_the_carrier(captures):
    r = run(
        "inspect",
        str(captures / "rtlsdr_933.2MHz_2Msps.cfile"),
        "--format",
        "cf32",
        "--rate",
        "2M",
        "--center",
        "933.2M",
    )
    assert r.exit_code == 0, r.output
    assert "933.6" in r.stdout  # ARFCN 1017 sits 400 kHz above the tuning


@pytest.mark.parametrize(
    "args, message",
    [
        (["inspect", "/nonexistent.sigmf-meta"], "no such file"),
        (["inspect", "/etc/hostname"], "not a SigMF recording"),
    ],
)
def test_inspect_bad_input(args, message):
    assert message in one_line_error(run(*args))


def _with_config(tmp_path, text, *args):
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    return run("--config", str(cfg), *args)


def test_config_keys_become_option_defaults(fake_radio, tmp_path):
    r = _with_config(
        tmp_path,
        'device = "hackrf"\n[record]\ncenter = "1805.2M"\nduration = 0.01\n',
        "record",
        "--out",
        str(tmp_path / "c"),
    )
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "c.sigmf-meta").read_text())["captures"][0]["core:frequency"] == 1805.2e6


@pytest.mark.parametrize(
    "text, message",
    [
        ('devise = "rtlsdr"\n', "unknown key 'devise'"),
        ("[record]\ncentre = 9e8\n", "unknown key 'record.centre'"),
        ('[record]\nduration = "long"\n', "key 'record.duration'"),
        ('[record]\ncenter = "fast"\n', "key 'record.center'"),
        ("device = [1\n", "not valid TOML"),
    ],
)
def test_config_with_wrong_key_or_value(tmp_path, text, message):
    assert message in one_line_error(_with_config(tmp_path, text, "profiles"))


def test_explicit_config_must_exist(tmp_path):
    assert "no such config file" in one_line_error(run("--config", str(tmp_path / "none.toml"), "profiles"))


def test_console_script_prints_no_traceback(tmp_path):
    """The installed entry point, as a user runs it: one line, exit 2."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    p = subprocess.run(
        [sys.executable, "-m", "sensor.cli", "inspect", str(tmp_path / "missing.sigmf")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "no such file" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.parametrize("device", ["rtlsdr", "hackrf", "soapy", "rtlsdr:NOSUCH01"])
def test_no_receiver_attached_is_one_line_exit_2(tmp_path, device):
    """The real backends on a machine with no radio (and maybe no driver): one line, exit 2."""
    if os.environ.get("FBS_HARDWARE") == "1":
        pytest.skip("a radio may be attached")
    r = run("record", "--device", device, "--center", "947.4M", "--duration", "0.1", "--out", str(tmp_path / "x"))
    line = one_line_error(r)
    assert any(w in line for w in ("not installed", "not found", "no RTL-SDR", "no HackRF", "no SoapySDR", "No such"))
    assert not (tmp_path / "x.sigmf-data").exists()


def test_record_with_the_virtual_receivers_gps(tmp_path):
    """`--device sim --gps sim`: core:geolocation and a sidecar NMEA track of the scene's route."""
    from sensor.gps.sidecar import sidecar_track
    from sensor.gps.track import read_nmea_log

    out = tmp_path / "drive.v1"
    r = run("record", "--device", "sim", "--center", "947.4M", "--duration", "2.5", "--gps", "sim", "--out", str(out))
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "drive.v1.sigmf-meta").read_text())
    lon, lat, alt = meta["global"]["core:geolocation"]["coordinates"]
    assert lat == pytest.approx(31.2304) and lon == pytest.approx(121.4737, abs=1e-3)
    track = sidecar_track(tmp_path / "drive.v1.sigmf-meta")
    assert track == tmp_path / "drive.v1.nmea"
    fixes = read_nmea_log(track)
    assert len(fixes) >= 3 and fixes[-1].lon_deg > fixes[0].lon_deg  # the car drove east


def test_record_with_a_fixed_position_source(fake_radio, tmp_path):
    r = run(
        "record",
        "--center",
        "947.4M",
        "--duration",
        "0.2",
        "--gps",
        "fixed:52.52,13.405,34",
        "--out",
        str(tmp_path / "p"),
    )
    assert r.exit_code == 0, r.output
    coords = json.loads((tmp_path / "p.sigmf-meta").read_text())["global"]["core:geolocation"]["coordinates"]
    assert coords == pytest.approx([13.405, 52.52, 34.0])


def test_record_sim_gps_needs_the_sim_device(fake_radio, tmp_path):
    assert "--device sim" in one_line_error(
        run("record", "--center", "947.4M", "--gps", "sim", "--out", str(tmp_path / "q"))
    )


def test_the_command_list_matches_the_commands_and_help_imports_none_of_them():
    """``fbs-sensor --help`` lists the commands from a table, so it pays none of their imports;
    the table must say what each command's own help says."""
    import importlib
    import subprocess
    import sys

    from sensor.cli import COMMANDS

    found = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "sensor" / "commands").glob("*.py"))
    assert sorted(COMMANDS) == [n for n in found if hasattr(importlib.import_module(f"sensor.commands.{n}"), "command")]
    for name, short in COMMANDS.items():
        assert importlib.import_module(f"sensor.commands.{name}").command.get_short_help_str(limit=10_000) == short
    probe = "import sys; from sensor.cli import cli; cli(['--help'], standalone_mode=False); " + (
        "print(sorted(m for m in sys.modules if m.startswith(('sensor.commands.', 'scipy', 'numba'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_threads_option_and_variable_set_the_receivers_threads(monkeypatch):
    """``--threads N`` (or FBS_SENSOR_THREADS) says how many threads the receiver may use; a count
    below 1 or not a number is a usage error (exit 2); without either one."""
    from sensor import threads

    monkeypatch.delenv(threads.ENV, raising=False)
    try:
        assert run("--threads", "1", "rules").exit_code == 0
        assert threads.threads() == 1
        env = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent", "FBS_SENSOR_THREADS": "3"}
        assert run("rules", env=env).exit_code == 0
        assert threads.threads() == 3
        for bad in ("0", "many"):
            r = run("--threads", bad, "rules")
            assert r.exit_code == 2 and "--threads" in r.output
        assert run("rules").exit_code == 0
        assert threads.threads() == 1
    finally:
        threads.set_threads(None)
