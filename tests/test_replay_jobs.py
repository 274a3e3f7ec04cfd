"""`fbs-sensor replay --jobs N`: recordings received on N processes, one output in their order."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.errors import InputError
from sensor.replay import Recording, Replayer
from sensor.resources import project_dir
from sensor.sim.output import write_sigmf
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording

SCENES = project_dir("recordings") / "scenes"
ENV = {"XDG_CONFIG_HOME": "/nonexistent"}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> list[Path]:
    """Three short recordings of different scenes (phones on the fakes' SDCCHs: sessions too)."""
    out = tmp_path_factory.mktemp("jobs")
    paths = []
    for k, (name, duration_s) in enumerate([("fake-street-sdcch8", 1.5), ("patrol", 1.0), ("fake-street-sdcch4", 1.5)]):
        write_sigmf(load_scene(SCENES / f"{name}.toml"), out / f"{k}-{name}", duration_s=duration_s)
        paths.append(out / f"{k}-{name}.sigmf-meta")
    return paths


def replay(*args):
    return CliRunner().invoke(cli, ["replay", *map(str, args)], env=ENV)


def test_two_processes_print_byte_for_byte_what_one_prints(recordings):
    one = replay("--json", "--blocks", *recordings)
    two = replay("--json", "--blocks", "--jobs", "2", *recordings)
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    assert two.stdout == one.stdout
    objs = [json.loads(line) for line in one.stdout.splitlines()]
    assert objs[-1]["recordings"] == 3 and objs[-1]["cells"] >= 3 and objs[-1]["sessions"] > 0
    blocks = [o for o in objs if o["type"] == "block"]
    assert len(blocks) == objs[-1]["blocks"] > 100
    # a directory is its recordings by name, and more jobs than recordings is fine
    three = replay("--json", "--blocks", "-j", "3", recordings[0].parent)
    assert three.exit_code == 0 and three.stdout == one.stdout


def test_a_bad_recording_among_many_says_so_and_the_others_are_reported(recordings, tmp_path):
    bad = tmp_path / "bad.sigmf-meta"
    bad.write_text("{not json")
    alone = replay("--json", "--jobs", "2", recordings[0], recordings[2])
    mixed = replay("--json", "--jobs", "2", recordings[0], bad, recordings[2])
    assert alone.exit_code == 0
    assert mixed.exit_code == 2
    assert mixed.stderr.count("\n") == 1 and str(bad) in mixed.stderr and "Traceback" not in mixed.output
    assert mixed.stdout == alone.stdout
    only_bad = replay("--json", "--jobs", "2", bad)
    assert only_bad.exit_code == 2 and only_bad.stdout == "" and only_bad.stderr.count("\n") == 1


def test_a_read_error_in_a_worker_is_that_recordings_error(recordings, tmp_path):
    """A data file cut short after it was opened: the worker's InputError comes back for that
    recording, whose blocks before the cut stay; the recordings after it are replayed as usual."""
    cut = tmp_path / "cut"
    for ext in (".sigmf-meta", ".sigmf-data"):
        shutil.copy(recordings[0].with_suffix(ext), cut.with_suffix(ext))

    def run(paths, jobs):
        recs = [Recording(open_recording(p), p) for p in paths]
        errors = []
        data = cut.with_suffix(".sigmf-data")
        if cut.with_suffix(".sigmf-meta") in paths:
            data.write_bytes(data.read_bytes()[: data.stat().st_size * 4 // 5])  # after its first window
        r = Replayer()
        r.run(recs, jobs=jobs, on_error=lambda rec, exc: errors.append((rec.path, exc)))
        return r, errors

    whole, _ = run([recordings[1]], 1)
    for jobs in (1, 2):
        shutil.copy(recordings[0].with_suffix(".sigmf-data"), cut.with_suffix(".sigmf-data"))
        r, errors = run([cut.with_suffix(".sigmf-meta"), recordings[1]], jobs)
        ((path, exc),) = errors
        assert path == cut.with_suffix(".sigmf-meta") and isinstance(exc, InputError) and "ends early" in str(exc)
        assert r.stats.recordings == 1 and r.stats.blocks > whole.stats.blocks  # the cut one's first window stays
        patrol = set(whole.tracker.cells)
        assert patrol <= set(r.tracker.cells)


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_jobs_below_one_is_a_one_line_error(recordings, jobs):
    r = replay("--json", "--jobs", jobs, recordings[0])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "--jobs" in r.stderr and r.stdout == ""


def _processes_with(marker: str) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and marker.encode() in (d / "environ").read_bytes():
                out.append(int(d.name))
        except OSError:
            continue
    return out


def test_ctrl_c_stops_every_worker(recordings, tmp_path):
    marker = f"FBS_TEST_JOBS_{uuid.uuid4().hex}"
    env = {**os.environ, **ENV, marker: "1", "TMPDIR": str(tmp_path)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    many = [*recordings] * 12  # ~15 s of work: the press lands inside it however loaded the machine
    p = subprocess.Popen(
        [sys.executable, "-m", "sensor.cli", "replay", "--json", "--jobs", "2", *map(str, many)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # the parent, multiprocessing's resource tracker and forkserver, and the two workers: receiving
    while len(_processes_with(marker)) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(_processes_with(marker)) == 5
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert b"Traceback" not in err and err.decode().strip().splitlines() == ["fbs-sensor: interrupted"]
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_with(marker) == []
    assert not any(tmp_path.glob("fbs-sensor-replay-*"))  # the spool is gone


def test_a_directory_without_recordings_is_a_one_line_error(tmp_path):
    (tmp_path / "notes.txt").write_text("no IQ here")
    r = replay("--json", tmp_path)
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "no SigMF recording" in r.stderr
