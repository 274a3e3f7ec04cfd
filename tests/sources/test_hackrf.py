"""HackRF backend: hackrf_transfer as a subprocess (a fake executable on PATH) and the SoapySDR path."""

from __future__ import annotations

import json
import logging
import os
import sys
import time

import numpy as np
import pytest

from sensor.errors import ConfigError, DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources import hackrf as backend
from sensor.sources.hackrf import HackRFSource, hackrf_gain_split, parse_hackrf_info
from tests.sources.fakes import fake_hackrf, fake_soapysdr
from tests.sources.fakes.fake_hackrf import SERIAL, tag_of
from tests.sources.fakes.poison import assert_imports_lazily

RATE = 2e6
F1, F2 = 935.2e6, 947.6e6
OTHER = "000000000000000014d463dc2f4c8ee3"


class Tools:
    """The fake hackrf_transfer/hackrf_info on PATH, and what they were run with."""

    def __init__(self, tmp_path, monkeypatch):
        self.bin = tmp_path / "bin"
        self.log = tmp_path / "runs.jsonl"
        self.monkeypatch = monkeypatch
        fake_hackrf.install(self.bin)
        monkeypatch.setenv("PATH", f"{self.bin}:{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_HACKRF_LOG", str(self.log))
        monkeypatch.setenv("FAKE_HACKRF_SPEED", "4")
        for name in list(os.environ):
            if name.startswith("FAKE_HACKRF_") and name not in ("FAKE_HACKRF_LOG", "FAKE_HACKRF_SPEED"):
                monkeypatch.delenv(name)

    def set(self, **env):
        for key, value in env.items():
            self.monkeypatch.setenv(f"FAKE_HACKRF_{key.upper()}", str(value))

    def runs(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def last_args(self) -> dict[str, str]:
        argv, out, i = self.runs()[-1]["argv"], {}, 0
        while i < len(argv):
            if argv[i] == "-B":  # the one option without a value
                i += 1
            else:
                out[argv[i]] = argv[i + 1]
                i += 2
        return out


@pytest.fixture
def tools(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "SoapySDR", None)  # the hackrf_transfer path
    return Tools(tmp_path, monkeypatch)


def source(**kw):
    args = dict(sample_rate_hz=RATE, center_hz=F1, gain_db=40.0, timeout_s=2.0, stop_timeout_s=2.0)
    args.update(kw)
    return HackRFSource(**args)


def ci8_expected(k, q_byte):
    i = (np.asarray(k) & 0xFF).astype(np.uint8).view(np.int8).astype(np.float32)
    return ((i + 1j * np.int8(q_byte)) / 128).astype(np.complex64)


def counter_of(samples):
    b = np.rint(np.stack([samples.real, samples.imag]) * 128).astype(np.int64) & 0xFF
    return b[0] | (b[1] << 8)


def assert_reaped(pid):
    """``pid`` is neither running nor a zombie child of ours."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_importing_the_backend_imports_no_driver(tmp_path):
    assert_imports_lazily(tmp_path, "sensor.sources.hackrf", ["SoapySDR", "rtlsdr"])


@pytest.mark.parametrize("gain", list(range(0, 118, 2)) + [41.0, -3.0, 130.0])
def test_gain_split_is_exact_and_within_each_stage(gain):
    lna, vga, amp = hackrf_gain_split(gain)
    assert lna in range(0, 41, 8) and vga in range(0, 63, 2) and amp in (0, 14)
    assert lna + vga + amp == 2 * round(min(max(gain, 0), 116) / 2)
    assert (amp == 14) == (lna + vga + amp > 90)


def test_gain_split_examples():
    assert hackrf_gain_split(40) == (32, 8, 0)  # the profile default
    assert hackrf_gain_split(62) == (40, 22, 0)
    assert hackrf_gain_split(92) == (40, 38, 14)
    assert hackrf_gain_split(116) == (40, 62, 14)


def test_hackrf_info_parsing_handles_both_serial_formats():
    text = (
        "Found HackRF\nIndex: 0\nSerial number: 0000000000000000457863C82B2C5D1F\nBoard ID Number: 2 (HackRF One)\n"
        "Found HackRF\nIndex: 1\nSerial number: 0x00000000 0x00000000 0x14d463dc 0x2f4c8ee3\n"
        "Board ID Number: 4 (HackRF One)\n"
    )
    assert [(d.spec, d.description) for d in parse_hackrf_info(text)] == [
        (f"hackrf:{SERIAL}", "HackRF One"),
        (f"hackrf:{OTHER}", "HackRF One"),
    ]
    assert parse_hackrf_info("hackrf_info version: 2022.09.1\nNo HackRF boards found.\n") == []


def test_samples_arrive_converted_with_bookkeeping(tools):
    with source() as src:
        assert src.active_transport == "hackrf_transfer"
        blocks = list(src.blocks(block_samples=20_000, max_samples=60_000))
        info = src.info
        pid = src.pid
    assert [b.first_sample for b in blocks] == [0, 20_000, 40_000]
    np.testing.assert_array_equal(
        np.concatenate([b.samples for b in blocks]), ci8_expected(np.arange(60_000), tag_of(F1))
    )
    b = blocks[1]
    assert (b.center_hz, b.sample_rate_hz, b.gain_db, b.dropped_before) == (F1, RATE, 40.0, 0)
    assert b.source_id == info.source_id == f"hackrf:{SERIAL}"  # the full serial, from hackrf_info
    assert (info.driver, info.serial, info.hw, info.native_datatype) == ("hackrf", SERIAL, "HackRF One", "ci8")
    assert info.usable_bandwidth_hz == pytest.approx(0.75 * RATE) and info.tuning_range_hz == (1e6, 6000e6)
    args = tools.last_args()
    assert args == {
        "-r": "-",
        "-f": "935200000",
        "-s": "2000000",
        "-l": "32",
        "-g": "8",
        "-a": "0",
        "-p": "0",
        "-d": SERIAL,
    }
    assert "-B" in tools.runs()[-1]["argv"]
    assert_reaped(pid)


def test_options_bias_tee_ppm_and_amp(tools):
    with source(gain_db=100, bias_tee=True, ppm=-3.4):
        pass
    args = tools.last_args()
    assert (args["-a"], args["-l"], args["-g"], args["-p"], args["-C"]) == ("1", "40", "46", "1", "-3")


def test_retune_and_gain_change_restart_hackrf_transfer(tools):
    with source() as src:
        next(src.blocks(block_samples=4096, max_samples=4096))
        first_pid = src.pid
        src.tune(F2)
        assert src.restarts == 1 and src.stats.retunes == 1 and src.pid != first_pid
        assert_reaped(first_pid)
        block = next(src.blocks(block_samples=4096, max_samples=4096))
        assert block.center_hz == F2
        np.testing.assert_array_equal(block.samples, ci8_expected(np.arange(4096), tag_of(F2)))
        assert tools.last_args()["-f"] == "947600000"
        src.set_gain(62.4)  # 62 dB: LNA 40 + VGA 22
        assert src.gain_db == 62.0 and src.restarts == 2
        assert (tools.last_args()["-l"], tools.last_args()["-g"]) == ("40", "22")
        block = next(src.blocks(block_samples=4096, max_samples=4096))
        assert block.dropped_before is None and block.gain_db == 62.0  # the restart left a gap
        assert src.stats.drop_events == 1
        src.set_gain(62.0)  # the same split: no restart
        assert src.restarts == 2
        with pytest.raises(SourceError, match="no automatic gain"):
            src.set_gain(None)
        last_pid = src.pid
    assert_reaped(last_pid)
    assert len(tools.runs()) == 3


def test_process_exit_mid_stream_is_device_lost_with_its_stderr_and_reopen_works(tools):
    tools.set(die_after=100_000)  # bytes
    src = source()
    got = []
    with pytest.raises(DeviceLost, match=r"stopped mid-stream \(status 1\).*HACKRF_ERROR_STREAMING_THREAD_ERR"):
        for block in src.blocks(block_samples=8192):
            got.append(block)
    assert sum(len(b) for b in got) == 50_000
    np.testing.assert_array_equal(np.concatenate([b.samples for b in got]), ci8_expected(np.arange(50_000), tag_of(F1)))
    assert_reaped(json.loads(tools.log.read_text().splitlines()[-1])["pid"])
    assert not src._is_open  # DeviceLost closed the dead handle: open() (or blocks()) reconnects
    src.open()
    block = next(src.blocks(block_samples=8192, max_samples=8192))
    pid = src.pid
    src.close()
    np.testing.assert_array_equal(block.samples, ci8_expected(np.arange(8192), tag_of(F1)))
    assert_reaped(pid)


def test_no_bytes_within_the_timeout_is_source_timeout(tools):
    tools.set(hang_after=40_000)
    with source(timeout_s=0.5) as src:
        stream = src.blocks(block_samples=10_000)
        for _ in range(2):
            next(stream)
        t0 = time.monotonic()
        with pytest.raises(SourceTimeout, match="no samples for 0.5 s"):
            next(stream)
        assert 0.4 < time.monotonic() - t0 < 3 and src.stats.timeouts == 1
        pid = src.pid
        assert pid is not None
    assert_reaped(pid)


def test_a_process_that_ignores_sigint_is_killed_and_reaped(tools, caplog):
    tools.set(ignore_sigint=1)
    src = source(stop_timeout_s=0.3)
    src.open()
    next(src.blocks(block_samples=1000, max_samples=1000))
    pid = src.pid
    t0 = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="sensor.sources.hackrf"):
        src.close()
    assert time.monotonic() - t0 < 2 and "ignored SIGINT" in caplog.text
    assert_reaped(pid)


def test_start_failure_serial_not_found_is_device_not_found(tools):
    with pytest.raises(DeviceNotFound, match="with serial ffff.*HACKRF_ERROR_NOT_FOUND"):
        source(serial="ffff").open()
    assert_reaped(tools.runs()[-1]["pid"])


def test_serial_suffix_selects_a_board(tools):
    tools.set(serials=f"{SERIAL},{OTHER}")
    with source(serial="8ee3") as src:
        assert src.info.source_id == f"hackrf:{OTHER}" and src.serial == OTHER
    assert tools.last_args()["-d"] == OTHER


def test_missing_hackrf_transfer_is_driver_unavailable(tools, monkeypatch, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(DriverUnavailable, match="hackrf_transfer not found on PATH") as exc:
        source().open()
    assert "\n" not in str(exc.value)
    with pytest.raises(DriverUnavailable):
        backend.list_devices()


def test_board_overruns_reported_by_hackrf_transfer_are_unknown_drops(tools):
    tools.set(overrun_after=0)
    with source() as src:
        for block in src.blocks(block_samples=100_000, max_samples=3_000_000):
            if block.dropped_before is None:
                break
        else:
            pytest.fail("the overrun was not reported")
    assert src.stats.drop_events >= 1 and src.stats.dropped_samples == 0


def test_falling_behind_drops_are_counted_exactly(tools):
    tools.set(pattern="counter", speed=20)
    with source(buffer_s=0.0) as src:  # the pump keeps 1 MiB at most
        time.sleep(0.5)
        blocks = list(src.blocks(block_samples=65536, max_samples=30 * 65536))
    assert src.stats.dropped_samples > 0 and any(b.dropped_before for b in blocks)
    assert sum(b.dropped_before for b in blocks) == src.stats.dropped_samples
    for b in blocks:
        k = counter_of(b.samples)
        assert k[0] == b.first_sample % 65536 and np.all(np.diff(k) % 65536 == 1)


def test_list_devices_from_hackrf_info(tools):
    tools.set(serials=f"{SERIAL},{OTHER}")
    assert [d.spec for d in backend.list_devices()] == [f"hackrf:{SERIAL}", f"hackrf:{OTHER}"]
    tools.set(serials="")
    assert backend.list_devices() == []


def test_no_gain_means_no_agc_error():
    with pytest.raises(ConfigError, match="no automatic gain control"):
        HackRFSource(center_hz=F1, gain_db=None)


def test_opened_through_the_device_registry_with_a_profile(tools):
    from sensor.sources.devices import open_device

    src = open_device("hackrf", center_hz=F1, sample_rate_hz=RATE)
    try:
        assert isinstance(src, HackRFSource) and src.gain_db == 40.0 and src.settle_s == 0.01
        block = next(src.blocks(block_samples=4096, max_samples=4096))
        assert block.first_sample == 20_000  # 10 ms settling at 2 Msps
    finally:
        src.close()
    with pytest.raises(ConfigError):
        open_device("hackrf", center_hz=F1, gain_db="auto")


# --- through SoapySDR ----------------------------------------------------------------------------
@pytest.fixture
def soapy_hackrf(tools, monkeypatch):
    monkeypatch.setitem(sys.modules, "SoapySDR", fake_soapysdr)
    radio = fake_soapysdr.Radio(
        "hackrf", SERIAL, label="HackRF One #0 457863c82b2c5d1f", has_agc=False, has_ppm=False,
        settings=["bias_tx"], formats=["CS8", "CS16", "CF32"], freq_range=(0, 7250e6),
    )  # fmt: skip
    monkeypatch.setattr(fake_soapysdr, "RADIOS", [radio])
    return radio


def test_soapysdr_is_used_when_it_finds_the_board(tools, soapy_hackrf):
    with source(serial="5d1f", gain_db=92, ppm=10, bias_tee=True) as src:
        assert src.active_transport == "soapy" and src.pid is None
        blocks = list(src.blocks(block_samples=10_000, max_samples=20_000))
        src.tune(F2)
        after = next(src.blocks(block_samples=1000, max_samples=1000))
        info = src.info
    assert tools.runs() == []  # hackrf_transfer never ran
    calls = soapy_hackrf.calls
    assert ("setup", "CS8", [0]) in calls and ("setting", "bias_tx", "true") in calls
    assert {c for c in calls if c[0] == "gain"} == {("gain", "AMP", 14.0), ("gain", "LNA", 40.0), ("gain", "VGA", 38.0)}
    assert ("rate", pytest.approx(RATE * (1 - 10e-6))) in calls  # SoapyHackRF has no ppm correction
    assert ("freq", pytest.approx(F1 * (1 - 10e-6))) in calls
    k = np.arange(20_000)
    expected = (
        ((k & 0xFF).astype(np.uint8).view(np.int8) + 1j * (fake_soapysdr.tag_of(F1 * (1 - 10e-6)) % 128)) / 128
    ).astype(np.complex64)
    np.testing.assert_array_equal(np.concatenate([b.samples for b in blocks]), expected)
    assert blocks[0].source_id == info.source_id == f"hackrf:{SERIAL}" and info.native_datatype == "ci8"
    assert after.center_hz == F2 and src.restarts == 0 and soapy_hackrf.opened == 0


def test_soapysdr_without_the_board_falls_back_to_hackrf_transfer(tools, soapy_hackrf, monkeypatch):
    monkeypatch.setattr(fake_soapysdr, "RADIOS", [])
    with source() as src:
        assert src.active_transport == "hackrf_transfer"
        next(src.blocks(block_samples=1000, max_samples=1000))
    assert len(tools.runs()) == 1


@pytest.mark.hardware
def test_hardware_hackrf_reads_a_block():
    try:
        found = backend.list_devices()
    except DriverUnavailable as exc:
        pytest.skip(str(exc))
    if not found:
        pytest.skip("no HackRF attached")
    with HackRFSource(serial=found[0].serial, sample_rate_hz=8e6, center_hz=F1, gain_db=40.0) as src:
        block = next(src.blocks(block_samples=1 << 18, max_samples=1 << 18))
        pid = src.pid
    assert len(block) == 1 << 18 and block.samples.dtype == np.complex64 and np.std(block.samples) > 0
    if pid is not None:
        assert_reaped(pid)
