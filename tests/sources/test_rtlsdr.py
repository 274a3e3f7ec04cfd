"""RTL-SDR backend against a fake pyrtlsdr: conversion, bookkeeping, gain, retune, failures."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from sensor.errors import DeviceLost, DeviceNotFound, DriverUnavailable, SourceError, SourceTimeout
from sensor.sources import rtlsdr as backend
from sensor.sources.rtlsdr import RtlSdrSource
from tests.sources.fakes import fake_rtlsdr
from tests.sources.fakes.fake_rtlsdr import Dongle, tag_of
from tests.sources.fakes.poison import assert_imports_lazily, write_failing_package

RATE = 2.4e6
F1, F2 = 935.2e6, 947.6e6


@pytest.fixture
def dongles(monkeypatch):
    """The fake pyrtlsdr installed as ``rtlsdr``, with one dongle "FBS0001" attached."""
    monkeypatch.setitem(sys.modules, "rtlsdr", fake_rtlsdr)
    attached = [Dongle("FBS0001")]
    monkeypatch.setattr(fake_rtlsdr, "DONGLES", attached)
    attached[0].speed = 20.0
    yield attached
    for d in attached:
        d.hang.clear()


def source(**kw):
    args = dict(serial="FBS0001", sample_rate_hz=RATE, center_hz=F1, gain_db=33.8, chunk_bytes=8192, timeout_s=2.0)
    args.update(kw)
    return RtlSdrSource(**args)


def cu8_expected(k: np.ndarray, q_bytes: np.ndarray | int) -> np.ndarray:
    """cu8 → complex64 written out independently of sensor.sources.convert."""
    i = ((k & 0xFF) - 127.5) / 128.0
    q = (np.asarray(q_bytes) - 127.5) / 128.0
    return (i + 1j * q).astype(np.complex64)


def counter_of(samples: np.ndarray) -> np.ndarray:
    """Invert the "counter" pattern: sample index mod 65536."""
    i = np.rint(samples.real * 128 + 127.5).astype(np.int64)
    q = np.rint(samples.imag * 128 + 127.5).astype(np.int64)
    return i | (q << 8)


def test_importing_the_backend_does_not_import_pyrtlsdr(tmp_path):
    assert_imports_lazily(tmp_path, "sensor.sources.rtlsdr", ["rtlsdr"])


def test_samples_arrive_converted_with_bookkeeping(dongles):
    with source() as src:
        blocks = list(src.blocks(block_samples=10_000, max_samples=40_000))
    assert [b.first_sample for b in blocks] == [0, 10_000, 20_000, 30_000]
    x = np.concatenate([b.samples for b in blocks])
    assert x.dtype == np.complex64 and all(b.samples.flags.c_contiguous for b in blocks)
    np.testing.assert_array_equal(x, cu8_expected(np.arange(40_000), tag_of(F1)))
    b = blocks[1]
    assert (b.center_hz, b.sample_rate_hz, b.gain_db, b.source_id, b.dropped_before) == (
        F1,
        RATE,
        33.8,
        "rtlsdr:FBS0001",
        0,
    )
    # One clock for the whole stream: block times advance by exactly their sample offsets.
    assert blocks[0].time_utc_s is not None and abs(blocks[0].time_utc_s - time.time()) < 5
    assert blocks[3].time_utc_s - blocks[0].time_utc_s == pytest.approx(30_000 / RATE, abs=1e-6)
    assert src.stats.samples == 40_000 and src.stats.dropped_samples == 0 and src.stats.drop_events == 0


def test_configuration_and_info(dongles):
    d = dongles[0]
    with source(ppm=0, bias_tee=True, tuning_range_hz=(24e6, 1766e6), usable_fraction=0.85) as src:
        info = src.info
    assert info.source_id == "rtlsdr:FBS0001" and info.driver == "rtlsdr" and info.serial == "FBS0001"
    assert info.hw == "Generic RTL2832U OEM (R820T)" and info.native_datatype == "cu8" and info.tunable
    assert info.tuning_range_hz == (24e6, 1766e6) and info.usable_bandwidth_hz == pytest.approx(0.85 * RATE)
    assert ("rate", RATE) in d.calls and ("freq", F1) in d.calls and ("bias", True) in d.calls
    assert not any(c[0] == "ppm" for c in d.calls)  # 0 is already the current correction
    assert d.opened == 0


def test_ppm_is_set_only_when_it_changes_and_in_whole_ppm(dongles):
    d = dongles[0]
    with source(ppm=11.6):
        pass
    assert [c for c in d.calls if c[0] == "ppm"] == [("ppm", 12)]
    d.calls.clear()
    with source(ppm=12) as src:  # librtlsdr would fail (and pyrtlsdr close) on setting 12 again
        next(src.blocks(block_samples=1000, max_samples=1000))
    assert not any(c[0] == "ppm" for c in d.calls)


def test_first_dongle_when_no_serial(dongles):
    dongles.insert(0, Dongle("00000001"))
    dongles[0].speed = 20.0
    with source(serial=None) as src:
        block = next(src.blocks(block_samples=1000, max_samples=1000))
    assert src.serial == "00000001" and block.source_id == "rtlsdr:00000001" == src.info.source_id
    assert dongles[0].open_count == 1 and dongles[1].open_count == 0


def test_gain_snaps_to_the_tuner_table_and_none_is_agc(dongles):
    d = dongles[0]
    src = source(gain_db=30.0)
    assert src.gain_db == 30.0  # not open: nothing to snap to yet
    with src:
        assert src.gain_db == 29.7  # R820T table: 28.0, 29.7, 32.8
        assert src.gains_db[:3] == [0.0, 0.9, 1.4]
        assert ("manual", True) in d.calls and ("gain", 297) in d.calls
        src.set_gain(44.2)
        assert src.gain_db == 44.5
        src.set_gain(None)
        assert src.gain_db is None and d.calls[-1] == ("manual", False)
        assert src.stats.drop_events == 0  # samples at the old gain are discarded, not lost
        block = next(src.blocks(block_samples=1000, max_samples=1000))
        assert block.gain_db is None
        src.set_gain(100)
        assert src.gain_db == 49.6


def test_retune_discards_samples_from_the_old_frequency(dongles):
    d = dongles[0]
    with source() as src:
        first = next(src.blocks(block_samples=4096, max_samples=4096))
        assert np.all(first.samples.imag == np.float32((tag_of(F1) - 127.5) / 128))
        time.sleep(0.05)  # let the reader buffer a few chunks at the old frequency
        src.tune(F2)
        assert ("freq", F2) in d.calls and src.center_hz == F2 and src.stats.retunes == 1
        after = list(src.blocks(block_samples=4096, max_samples=5 * 4096))
    assert all(b.center_hz == F2 for b in after)
    q = np.concatenate([b.samples.imag for b in after])
    assert np.all(q == np.float32((tag_of(F2) - 127.5) / 128)), "a sample from before the retune leaked"
    assert src.stats.discarded_samples > 0
    assert after[0].first_sample == first.end_sample + src.stats.discarded_samples  # discards keep the clock
    with pytest.raises(SourceError, match="outside the tuning range"):
        source(tuning_range_hz=(24e6, 1766e6)).tune(2400e6)


def test_settle_time_discards_samples_and_advances_the_sample_clock(dongles):
    dongles[0].pattern = "counter"
    with source(settle_s=0.01) as src:
        block = next(src.blocks(block_samples=4096, max_samples=4096))
    assert block.first_sample == 24_000 and counter_of(block.samples[:1])[0] == 24_000
    assert src.stats.discarded_samples == 24_000


@pytest.mark.parametrize("errno", [-4, -1, -9, None], ids=["no-device", "io", "pipe", "short-read"])
def test_unplug_mid_stream_is_device_lost_and_reopen_works(dongles, errno):
    d = dongles[0]
    d.fail_at_sample, d.fail_errno = 30_000, errno
    src = source()
    got = []
    with pytest.raises(DeviceLost, match="rtlsdr:FBS0001.*unplugged"):
        for block in src.blocks(block_samples=5000):
            got.append(block)
    assert 0 < sum(len(b) for b in got) <= 30_000
    np.testing.assert_array_equal(got[0].samples, cu8_expected(np.arange(5000), tag_of(F1)))
    assert d.opened == 0  # the handle was released
    assert not src._is_open  # DeviceLost closed the dead handle: open() (or blocks()) reconnects
    src.open()
    block = next(src.blocks(block_samples=5000, max_samples=5000))
    np.testing.assert_array_equal(block.samples, cu8_expected(np.arange(5000), tag_of(F1)))
    src.close()
    assert d.open_count == 2 and d.opened == 0


def test_no_samples_within_the_timeout_is_source_timeout_and_streaming_resumes(dongles):
    d = dongles[0]
    d.hang_at_sample = 8192
    with source(timeout_s=0.3) as src:
        stream = src.blocks(block_samples=4096)
        next(stream)
        next(stream)
        t0 = time.monotonic()
        with pytest.raises(SourceTimeout, match="no samples for 0.3 s"):
            next(stream)
        assert 0.25 < time.monotonic() - t0 < 2
        assert src.stats.timeouts == 1
        d.hang.clear()
        block = next(src.blocks(block_samples=4096))
        assert len(block) == 4096


def test_usb_timeout_errno_is_source_timeout_and_the_next_read_reopens(dongles):
    d = dongles[0]
    d.fail_at_sample, d.fail_errno = 10_000, -7
    with source() as src:
        with pytest.raises(SourceTimeout, match="timed out"):
            for _ in src.blocks(block_samples=4096):
                pass
        block = next(src.blocks(block_samples=4096))
        assert len(block) == 4096 and d.open_count == 2 and d.opened == 1
    assert d.opened == 0


def test_falling_behind_drops_are_counted_exactly(dongles):
    d = dongles[0]
    d.pattern, d.speed = "counter", 200.0
    with source(buffer_s=0.0, chunk_bytes=4096) as src:  # the pump keeps 4 chunks at most
        time.sleep(0.2)  # the reader overruns its buffer meanwhile
        blocks = list(src.blocks(block_samples=2048, max_samples=20 * 2048))
    assert src.stats.drop_events >= 1 and src.stats.dropped_samples > 0
    assert any(b.dropped_before for b in blocks)
    assert sum(b.dropped_before for b in blocks) == src.stats.dropped_samples
    for b in blocks:
        k = counter_of(b.samples)
        assert k[0] == b.first_sample % 65536, "first_sample must include the dropped samples"
        assert np.all(np.diff(k) % 65536 == 1), "no gap inside a block"


def test_missing_pyrtlsdr_is_driver_unavailable_with_a_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "rtlsdr", None)
    with pytest.raises(DriverUnavailable) as exc:
        source().open()
    assert "pip install 'fbs-sensor[rtlsdr]'" in str(exc.value) and "\n" not in str(exc.value)
    with pytest.raises(DriverUnavailable):
        backend.list_devices()


def test_pyrtlsdr_that_does_not_match_librtlsdr_is_driver_unavailable(monkeypatch, tmp_path):
    write_failing_package(
        tmp_path,
        "rtlsdr",
        "AttributeError('/lib/x86_64-linux-gnu/librtlsdr.so.0: undefined symbol: rtlsdr_set_dithering')",
    )
    monkeypatch.delitem(sys.modules, "rtlsdr", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(DriverUnavailable, match="undefined symbol: rtlsdr_set_dithering.*pyrtlsdrlib"):
        source().open()


def test_serial_not_found_no_dongle_and_busy_are_device_not_found(dongles):
    with pytest.raises(DeviceNotFound, match=r"no RTL-SDR with serial 'NOPE' \(attached: FBS0001\)"):
        source(serial="NOPE").open()
    dongles[0].busy = True
    with pytest.raises(DeviceNotFound, match="busy"):
        source().open()
    dongles.clear()
    with pytest.raises(DeviceNotFound, match="no RTL-SDR dongle found"):
        source(serial=None).open()


def test_list_devices(dongles):
    dongles.append(Dongle("00000001", name="RTL-SDR Blog V4"))
    found = backend.list_devices()
    assert [(d.spec, d.serial, d.description) for d in found] == [
        ("rtlsdr:FBS0001", "FBS0001", "Generic RTL2832U OEM"),
        ("rtlsdr:00000001", "00000001", "RTL-SDR Blog V4"),
    ]


def test_two_dongles_do_not_share_pyrtlsdr_read_counter(dongles):
    dongles.append(Dongle("FBS0002"))
    dongles[1].speed = 20.0
    with source() as a, source(serial="FBS0002") as b:
        assert a._sdr.num_bytes_read is not b._sdr.num_bytes_read
        blocks = [
            next(a.blocks(block_samples=2000, max_samples=2000)),
            next(b.blocks(block_samples=2000, max_samples=2000)),
        ]
    for blk in blocks:
        np.testing.assert_array_equal(blk.samples, cu8_expected(np.arange(2000), tag_of(F1)))


def test_opened_through_the_device_registry_with_a_profile(dongles):
    from sensor.sources.devices import open_device

    src = open_device("rtlsdr:FBS0001", center_hz=F1, gain_db=30, ppm=3)
    try:
        assert isinstance(src, RtlSdrSource) and src.gain_db == 29.7 and src.settle_s == 0.02
        assert src.info.tuning_range_hz == (24e6, 1766e6) and src.info.native_datatype == "cu8"
        assert ("ppm", 3) in dongles[0].calls
    finally:
        src.close()


@pytest.mark.hardware
def test_hardware_rtlsdr_reads_a_block():
    try:
        found = backend.list_devices()
    except DriverUnavailable as exc:
        pytest.skip(str(exc))
    if not found:
        pytest.skip("no RTL-SDR attached")
    with RtlSdrSource(serial=found[0].serial, sample_rate_hz=RATE, center_hz=F1, gain_db=30.0) as src:
        block = next(src.blocks(block_samples=1 << 16, max_samples=1 << 16))
    assert len(block) == 1 << 16 and block.samples.dtype == np.complex64
    assert np.all(np.abs(block.samples.real) <= 1) and np.std(block.samples) > 0
    assert src.info.hw and src.gain_db in src.gains_db
