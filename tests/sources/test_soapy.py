"""SoapySDR backend against a fake SoapySDR module: formats, drop accounting, errors, settings."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from sensor.errors import ConfigError, DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources import soapy as backend
from sensor.sources.soapy import SoapySource, parse_device_args
from tests.sources.fakes import fake_soapysdr
from tests.sources.fakes.fake_soapysdr import Radio, Range, tag_of
from tests.sources.fakes.poison import assert_imports_lazily

RATE = 3e6
F1, F2 = 935.2e6, 947.6e6


@pytest.fixture
def radios(monkeypatch):
    """The fake SoapySDR installed, with one Airspy "A1" attached."""
    monkeypatch.setitem(sys.modules, "SoapySDR", fake_soapysdr)
    attached = [Radio("airspy", "A1")]
    monkeypatch.setattr(fake_soapysdr, "RADIOS", attached)
    return attached


def source(**kw):
    args = dict(device_args="driver=airspy", sample_rate_hz=RATE, center_hz=F1, gain_db=20.0, timeout_s=0.5)
    args.update(kw)
    return SoapySource(**args)


def cf32_expected(k, center_hz=F1):
    return ((np.asarray(k) % (1 << 20)) + 1j * tag_of(center_hz)).astype(np.complex64)


def test_importing_the_backend_does_not_import_soapysdr(tmp_path):
    assert_imports_lazily(tmp_path, "sensor.sources.soapy", ["SoapySDR"])


def test_device_arguments_parse():
    assert parse_device_args("driver=airspy,serial=123") == {"driver": "airspy", "serial": "123"}
    assert parse_device_args(" airspy ") == {"driver": "airspy"}
    assert parse_device_args("") == {} and parse_device_args(None) == {}
    for bad in ("=x", "driver=a,serial"):
        with pytest.raises(ConfigError):
            parse_device_args(bad)


def test_cf32_samples_arrive_with_bookkeeping_and_info(radios):
    with source() as src:
        blocks = list(src.blocks(block_samples=10_000, max_samples=30_000))
        info = src.info
    assert [b.first_sample for b in blocks] == [0, 10_000, 20_000]  # each filled across 4096-sample MTUs
    np.testing.assert_array_equal(np.concatenate([b.samples for b in blocks]), cf32_expected(np.arange(30_000)))
    b = blocks[2]
    assert (b.center_hz, b.sample_rate_hz, b.gain_db, b.dropped_before) == (F1, RATE, 20.0, 0)
    assert b.source_id == info.source_id == "soapy:driver=airspy,serial=A1"
    assert (info.driver, info.serial, info.hw, info.native_datatype) == ("soapy", "A1", "airspy [A1]", "cf32_le")
    assert info.tuning_range_hz == (24e6, 1800e6) and info.usable_bandwidth_hz == pytest.approx(0.8 * RATE)
    calls = radios[0].calls
    assert ("rate", RATE) in calls and ("freq", F1) in calls and ("setup", "CF32", [0]) in calls
    assert radios[0].opened == 0 and ("closeStream",) in calls


@pytest.mark.parametrize(("fmt", "datatype", "scale"), [("CS16", "ci16_le", 32768.0), ("CS8", "ci8", 128.0)])
def test_integer_stream_formats_are_converted(radios, fmt, datatype, scale):
    with source(stream_format=fmt) as src:
        block = next(src.blocks(block_samples=5000, max_samples=5000))
        assert src.info.native_datatype == datatype
    k = np.arange(5000)
    i = (k % 32768) if fmt == "CS16" else (k & 0xFF).astype(np.uint8).view(np.int8)
    q = tag_of(F1) if fmt == "CS16" else tag_of(F1) % 128
    np.testing.assert_array_equal(block.samples, ((i + 1j * q) / scale).astype(np.complex64))


def test_overflow_without_timestamps_is_an_unknown_drop(radios):
    radios[0].events = [[10_000, "overflow", 5000]]
    with source() as src:
        blocks = list(src.blocks(block_samples=4096, max_samples=20_000))
    assert [b.dropped_before for b in blocks].count(None) == 1
    lost_at = next(i for i, b in enumerate(blocks) if b.dropped_before is None)
    assert blocks[lost_at - 1].end_sample == 10_000  # the block before ends where the loss happened
    assert blocks[lost_at].samples[0] == cf32_expected(15_000)  # the stream continues after the loss
    assert blocks[lost_at].first_sample == 10_000  # the amount is unknown: the clock cannot advance
    assert src.stats.drop_events == 1 and src.stats.dropped_samples == 0


def test_overflow_with_hardware_time_counts_the_lost_samples(radios):
    radios[0].has_time = True
    radios[0].events = [[10_000, "overflow", 5000], [16_000, "overflow", 7]]
    with source() as src:
        blocks = list(src.blocks(block_samples=4096, max_samples=20_000))
    assert [b.dropped_before for b in blocks if b.dropped_before] == [5000, 7]
    for b in blocks:  # first_sample is the device's own sample index
        assert b.samples[0].real == b.first_sample
    assert src.stats.drop_events == 2 and src.stats.dropped_samples == 5007


def test_a_silent_timestamp_jump_inside_a_read_is_counted_at_the_right_sample(radios):
    radios[0].has_time = True
    radios[0].events = [[5000, "silent-gap", 3000]]
    with source() as src:
        blocks = list(src.blocks(block_samples=10_000, max_samples=20_000))
    assert [len(b) for b in blocks][:2] == [5000, 10_000]  # the block stops at the gap
    assert blocks[1].dropped_before == 3000 and blocks[1].first_sample == 8000
    np.testing.assert_array_equal(blocks[1].samples, cf32_expected(np.arange(8000, 18_000)))
    assert src.stats.dropped_samples == 3000


def test_timeout_is_source_timeout_and_streaming_resumes(radios):
    radios[0].events = [[8192, "timeout", 1]]
    with source() as src:
        stream = src.blocks(block_samples=4096)
        next(stream), next(stream)
        with pytest.raises(SourceTimeout, match="no samples for 0.5 s"):
            next(stream)
        assert src.stats.timeouts == 1
        block = next(src.blocks(block_samples=4096))
    assert block.samples[0] == cf32_expected(8192)


@pytest.mark.parametrize(
    "event", [["error", -2], ["error", -3], ["raise", None]], ids=["stream-error", "corruption", "vanished"]
)
def test_stream_errors_and_a_vanished_device_are_device_lost_and_reopen_works(radios, event):
    radios[0].events = [[6000, *event]]
    src = source()
    with pytest.raises(DeviceLost, match="soapy:driver=airspy,serial=A1.*unplugged"):
        for _ in src.blocks(block_samples=4096):
            pass
    assert radios[0].opened == 0
    assert not src._is_open  # DeviceLost closed the dead handle: open() (or blocks()) reconnects
    src.open()
    block = next(src.blocks(block_samples=4096, max_samples=4096))
    src.close()
    np.testing.assert_array_equal(block.samples, cf32_expected(np.arange(4096)))
    assert radios[0].open_count == 2 and radios[0].opened == 0


def test_gain_is_clamped_and_stepped_and_none_is_agc(radios):
    radios[0].gain_range = Range(0.0, 45.0, 1.0)
    with source(gain_db=20.4) as src:
        assert src.gain_db == 20.0 and ("agc", False) in radios[0].calls and ("gain", 20.0) in radios[0].calls
        src.set_gain(60)
        assert src.gain_db == 45.0
        src.set_gain(None)
        assert src.gain_db is None and radios[0].calls[-1] == ("agc", True)
    radios[0].has_agc = False
    with pytest.raises(SourceError, match="no automatic gain"):
        source(gain_db=None).open()
    assert radios[0].opened == 0


def test_ppm_uses_the_driver_correction_or_offsets_the_lo(radios):
    with source(ppm=-2.5):
        pass
    assert ("ppm", -2.5) in radios[0].calls and ("freq", F1) in radios[0].calls
    radios[0].has_ppm = False
    radios[0].calls.clear()
    with source(ppm=10.0) as src:
        src.tune(F2)
    freqs = [c[1] for c in radios[0].calls if c[0] == "freq"]
    assert freqs == [pytest.approx(F1 * (1 - 10e-6)), pytest.approx(F2 * (1 - 10e-6))]
    assert ("rate", RATE) in radios[0].calls
    radios[0].calls.clear()
    with source(ppm=10.0, correct_rate_for_ppm=True) as src:
        assert src.sample_rate_hz == RATE  # the nominal rate is what the samples really have
    assert ("rate", pytest.approx(RATE * (1 - 10e-6))) in radios[0].calls


def test_bias_tee_setting(radios):
    with source(bias_tee=True):
        pass
    assert ("setting", "biastee", "true") in radios[0].calls
    radios[0].settings = []
    with source(bias_tee=False):
        pass
    with pytest.raises(SourceError, match="no bias-tee"):
        source(bias_tee=True).open()


def test_retune_restarts_the_stream_and_samples_follow(radios):
    with source() as src:
        next(src.blocks(block_samples=1000, max_samples=1000))
        radios[0].calls.clear()
        src.tune(F2)
        assert [c[0] for c in radios[0].calls] == ["deactivate", "freq", "activate"]
        block = next(src.blocks(block_samples=1000, max_samples=1000))
    assert block.center_hz == F2 and np.all(block.samples.imag == tag_of(F2)) and src.stats.retunes == 1


def test_missing_soapysdr_is_driver_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "SoapySDR", None)
    with pytest.raises(DriverUnavailable, match="python3-soapysdr") as exc:
        source().open()
    assert "\n" not in str(exc.value)
    with pytest.raises(DriverUnavailable):
        backend.list_devices()


def test_no_match_and_open_failure_are_device_not_found(radios):
    with pytest.raises(DeviceNotFound, match="no SoapySDR device matches driver=lime"):
        source(device_args="driver=lime").open()
    with pytest.raises(DeviceNotFound, match="serial=ZZ"):
        source(device_args="driver=airspy,serial=ZZ").open()
    radios[0].open_error = "airspy_open() failed: AIRSPY_ERROR_NOT_FOUND"
    with pytest.raises(DeviceNotFound, match="AIRSPY_ERROR_NOT_FOUND"):
        source().open()


def test_list_devices_and_first_radio_skip_sound_cards(radios):
    radios.insert(0, Radio("audio", "", label="HDA Intel PCH"))
    radios.append(Radio("lime", "1D3A", label="LimeSDR Mini"))
    found = backend.list_devices()
    assert [(d.spec, d.serial, d.description) for d in found] == [
        ("soapy:driver=airspy,serial=A1", "A1", "airspy [A1]"),
        ("soapy:driver=lime,serial=1D3A", "1D3A", "LimeSDR Mini"),
    ]
    with source(device_args=None) as src:
        assert src.info.source_id == "soapy:driver=airspy,serial=A1"


def test_opened_through_the_device_registry_with_a_profile(radios):
    from sensor.sources.devices import open_device

    src = open_device("soapy:driver=airspy", center_hz=F1, sample_rate_hz=RATE, gain_db=30)
    try:
        assert isinstance(src, SoapySource) and src.gain_db == 30.0 and src.settle_s == 0.02
        assert src.info.tuning_range_hz == (24e6, 6000e6)  # the profile's, not the driver's
        assert len(next(src.blocks(block_samples=1000, max_samples=1000))) == 1000
    finally:
        src.close()


@pytest.mark.hardware
def test_hardware_soapy_reads_a_block():
    try:
        found = backend.list_devices()
    except DriverUnavailable as exc:
        pytest.skip(str(exc))
    if not found:
        pytest.skip("no SoapySDR radio attached")
    args = found[0].spec.partition(":")[2]
    with SoapySource(device_args=args, sample_rate_hz=2.4e6, center_hz=F1, gain_db=30.0) as src:
        block = next(src.blocks(block_samples=1 << 16, max_samples=1 << 16))
    assert len(block) == 1 << 16 and block.samples.dtype == np.complex64 and np.std(block.samples) > 0
