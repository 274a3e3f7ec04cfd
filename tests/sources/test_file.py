"""A recording as the live sensor's receiver (``--device file:PATH``, sensor/sources/file.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from sigmf import SigMFFile

from sensor.cli import cli
from sensor.errors import ConfigError, InputError, SourceError
from sensor.resources import project_dir
from sensor.sources.convert import from_complex64
from sensor.sources.devices import open_device, parse_device_spec, resolve_profile
from sensor.sources.open import open_recording

RATE_HZ = 2.4e6


def _write(tmp_path, samples, captures, datatype="cu8"):
    data_path = tmp_path / "rec.sigmf-data"
    from_complex64(samples, datatype).tofile(data_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        meta = SigMFFile(data_file=str(data_path), global_info={"core:datatype": datatype, "core:sample_rate": RATE_HZ})
        for start, freq, when in captures:
            meta.add_capture(start, metadata={"core:frequency": freq, **({"core:datetime": when} if when else {})})
        meta.tofile(str(tmp_path / "rec"))
    return tmp_path / "rec.sigmf-meta"


def _signal(n):
    rng = np.random.default_rng(1)
    return (0.4 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64)


def test_the_recording_streams_as_a_radio_to_its_end(tmp_path):
    meta = _write(tmp_path, _signal(10_000), [(0, 947.4e6, "2026-11-25T07:00:00Z"), (6000, 947.4e6, None)])
    prof = resolve_profile(parse_device_spec(f"file:{meta}"), None)
    assert prof.rate_supported(RATE_HZ) and not prof.rate_supported(2.048e6)
    assert prof.can_tune(947.4e6) and not prof.can_tune(947.6e6)
    rtlsdr = resolve_profile(parse_device_spec("rtlsdr"), None)  # cu8 at 2.4 Msps: an RTL-SDR's recording
    assert prof.usable_bandwidth_fraction == rtlsdr.usable_bandwidth_fraction
    src = open_device(f"file:{meta}", center_hz=947.4e6, sample_rate_hz=RATE_HZ)
    src.tune(947.4e6 + 1)  # the plan's centre may sit a hertz off the recorded one: the blocks carry the recorded one
    first = list(src.blocks(block_samples=4000, max_samples=5000))  # one visit ...
    src.tune(947.4e6)
    rest = list(src.blocks(block_samples=4000))  # ... and the next goes on where it stopped
    assert [(b.first_sample, len(b)) for b in first + rest] == [(0, 4000), (4000, 1000), (5000, 1000), (6000, 4000)]
    assert all(b.center_hz == 947.4e6 and b.dropped_before == 0 for b in first + rest)
    assert rest[-1].time_utc_s == pytest.approx(1795590000.0 + 6000 / RATE_HZ)  # the recording's clock
    want = np.concatenate([b.samples for b in open_recording(meta).blocks()])
    np.testing.assert_array_equal(np.concatenate([b.samples for b in first + rest]), want)
    assert src.exhausted and list(src.blocks()) == []
    with pytest.raises(SourceError, match="cannot be retuned"):
        src.tune(950e6)
    src.close()


def test_bad_recordings_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match="give the recording"):
        resolve_profile(parse_device_spec("file"), None)
    with pytest.raises(InputError, match="no such file"):
        resolve_profile(parse_device_spec(f"file:{tmp_path / 'none.sigmf-meta'}"), None)
    meta = _write(tmp_path, _signal(4000), [(0, 935e6, None), (2000, 1805.2e6, None)])
    with pytest.raises(ConfigError, match="retunes"):
        resolve_profile(parse_device_spec(f"file:{meta}"), None)
    with pytest.raises(ConfigError, match="--profile is for radios"):
        resolve_profile(parse_device_spec(f"file:{meta}"), "rtlsdr-r820t")
    (tmp_path / "junk.sigmf-meta").write_text("{not json")
    for spec in (f"file:{tmp_path / 'missing.sigmf-meta'}", f"file:{tmp_path / 'junk.sigmf-meta'}"):
        r = CliRunner().invoke(cli, ["run", "--device", spec, "--state-dir", str(tmp_path / "s")])
        assert r.exit_code != 0, r.output
        assert "Traceback" not in r.output and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.slow
def test_the_daemon_runs_on_a_recording_to_its_end(tmp_path):
    """`fbs-sensor run --device file:REC` receives the recorded cells and ends with the recording."""
    scene = project_dir("recordings") / "scenes" / "patrol.toml"
    cmd = [sys.executable, "-m", "sensor.cli", "simulate", str(scene), "--out", str(tmp_path / "rec")]
    subprocess.run(cmd + ["--rate", "2.4e6", "--datatype", "cu8", "--duration", "4"], check=True, capture_output=True)
    (meta,) = (tmp_path / "rec").glob("*.sigmf-meta")
    r = CliRunner().invoke(cli, ["run", "--device", f"file:{meta}", "--state-dir", str(tmp_path / "s"), "--json"])
    assert r.exit_code == 0, r.output
    coverage = next(o for o in map(json.loads, r.stdout.splitlines()) if o["type"] == "coverage")
    assert coverage["ended"] == "the recording ended"
    assert coverage["received_s"] == pytest.approx(4.0, abs=0.05)
    assert coverage["arfcns_received"] >= 4  # the scene's cells inside the recorded 2.4 MHz
