"""Samples converted into a place the consumer gives: ``to_complex64(out=)`` and a recording's
``deferred_blocks``, bit for bit what a block converted by itself holds, however late, often or
from however many threads the blocks are read."""

import json
import threading

import numpy as np
import pytest

from sensor.errors import InputError
from sensor.sources import recording
from sensor.sources.convert import from_complex64, parse_datatype, to_complex64
from sensor.sources.deferred import DeferredBlock
from sensor.sources.open import open_recording
from sensor.sources.sigmf import open_sigmf

# every width and kind SigMF has, both byte orders where there are two
ALL_TYPES = [
    "ci8",
    "cu8",
    "ci16_le",
    "ci16_be",
    "cu16_le",
    "cu16_be",
    "ci32_le",
    "ci32_be",
    "cu32_le",
    "cu32_be",
    "cf32_le",
    "cf32_be",
    "cf64_le",
    "cf64_be",
]


def _bits(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x).view(np.uint8)


def _raw_bytes(name: str, n: int, seed: int) -> np.ndarray:
    """``n`` samples' worth of stored bytes; floats drawn as values (random bytes would be NaNs)."""
    dt = parse_datatype(name)
    rng = np.random.default_rng(seed)
    if dt.kind == "f":
        comp = (rng.standard_normal(2 * n) * 0.3).astype(dt.component_dtype)
        return comp.view(np.uint8)
    return rng.integers(0, 256, n * dt.bytes_per_sample, dtype=np.uint8)


@pytest.mark.parametrize("name", ALL_TYPES)
def test_conversion_into_a_place_is_bit_for_bit_the_new_arrays(name):
    raw = _raw_bytes(name, 5000, 1)
    fresh = to_complex64(raw, name)
    place = np.full(5000, np.complex64(7 + 7j))  # stale contents: every value must be written
    got = to_complex64(raw, name, out=place)
    assert got is place
    assert np.array_equal(_bits(place), _bits(fresh))


@pytest.mark.parametrize("name", ["ci8", "cu8", "ci16_be", "cf32_le", "cf64_be"])
def test_conversion_into_a_slice_of_a_larger_buffer_touches_nothing_else(name):
    raw = _raw_bytes(name, 300, 2)
    room = np.zeros(1000, np.complex64)
    to_complex64(raw, name, out=room[400:700])
    assert np.array_equal(_bits(room[400:700]), _bits(to_complex64(raw, name)))
    assert not room[:400].any() and not room[700:].any()


def test_a_place_of_the_wrong_kind_is_refused():
    raw = _raw_bytes("ci8", 100, 3)
    for bad in (
        np.empty(99, np.complex64),
        np.empty(100, np.complex128),
        np.empty(200, np.complex64)[::2],
        np.empty((100, 1), np.complex64),
    ):
        with pytest.raises(ValueError):
            to_complex64(raw, "ci8", out=bad)
    frozen = np.empty(100, np.complex64)
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        to_complex64(raw, "ci8", out=frozen)


def _write(tmp_path, name: str, datatype: str, channels: int, captures: list[tuple[int, float]], n: int):
    """A SigMF recording of ``channels`` interleaved channels (channel c drawn with seed c) and
    its stored bytes per channel."""
    per = [_raw_bytes(datatype, n, seed=10 + c).reshape(n, -1) for c in range(channels)]
    np.stack(per, axis=1).tofile(tmp_path / f"{name}.sigmf-data")
    meta = {
        "global": {"core:datatype": datatype, "core:sample_rate": 2.4e6, "core:num_channels": channels},
        "captures": [{"core:sample_start": s, "core:frequency": f} for s, f in captures],
    }
    (tmp_path / f"{name}.sigmf-meta").write_text(json.dumps(meta))
    return tmp_path / f"{name}.sigmf-meta", [p.reshape(-1) for p in per]


@pytest.mark.parametrize("datatype", ["cu8", "ci8", "ci16_le", "ci16_be", "cf32_le", "cf32_be", "cf64_le"])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("read_bytes", [None, 100])
def test_deferred_blocks_read_into_place_hold_what_blocks_hold(tmp_path, monkeypatch, datatype, channels, read_bytes):
    """(``read_bytes`` 100: a block read and converted in many pieces, none a whole number of
    samples' bytes by itself.)"""
    meta, stored = _write(tmp_path, "r", datatype, channels, [(0, 935e6), (2500, 940e6)], 7000)
    channel = channels - 1
    eager = list(open_sigmf(meta, channel=channel).blocks(block_samples=1000))
    if read_bytes is not None:
        monkeypatch.setattr(recording, "READ_BYTES", read_bytes)
    src = open_sigmf(meta, channel=channel)
    room = np.zeros(7000, np.complex64)
    staged = []
    for d in src.deferred_blocks(block_samples=1000):
        assert isinstance(d, DeferredBlock)
        staged.append(d.read(into=room[d.first_sample : d.end_sample]))
    assert [len(b) for b in staged] == [len(b) for b in eager] == [1000, 1000, 500, 1000, 1000, 1000, 1000, 500]
    for e, s in zip(eager, staged):
        assert (s.first_sample, s.center_hz, s.time_utc_s, s.source_id) == (
            e.first_sample,
            e.center_hz,
            e.time_utc_s,
            e.source_id,
        )
        assert np.shares_memory(s.samples, room)
        assert np.array_equal(_bits(s.samples), _bits(e.samples))
    assert np.array_equal(_bits(room), _bits(to_complex64(stored[channel], datatype)))
    assert src.stats.samples == 7000


@pytest.mark.parametrize("datatype", ["ci8", "cf32_le"])
def test_deferred_blocks_share_no_bytes_however_late_or_often_they_are_read(tmp_path, datatype):
    """The blocks of one iteration share one read buffer: each read is whole within itself, so a
    block read after later ones were read, read twice, read after the iteration ended (the file
    closed) or read on several threads at once holds its own samples."""
    meta, stored = _write(tmp_path, "r", datatype, 1, [(0, 935e6)], 8000)
    want = to_complex64(stored[0], datatype)
    src = open_recording(meta)
    it = src.deferred_blocks(block_samples=500)
    first = next(it)
    second = next(it)
    assert np.array_equal(_bits(second.read().samples), _bits(want[500:1000]))
    assert np.array_equal(_bits(first.read().samples), _bits(want[:500]))  # read after a later one
    rest = list(it)  # the iteration over: the file was closed
    for d in reversed([first, second, *rest]):
        for _ in range(2):
            got = d.read()
            assert np.array_equal(_bits(got.samples), _bits(want[d.first_sample : d.end_sample]))
    src.close()

    blocks = [first, second, *rest]
    wrong: list[int] = []

    def reader(order: list[DeferredBlock]) -> None:
        for d in order * 5:
            if not np.array_equal(_bits(d.read().samples), _bits(want[d.first_sample : d.end_sample])):
                wrong.append(d.first_sample)

    threads = [threading.Thread(target=reader, args=(blocks[k:] + blocks[:k],)) for k in (0, 3, 7, 11)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    src.close()
    assert wrong == []


def test_a_block_read_into_place_keeps_no_view_of_the_read_buffer(tmp_path):
    meta, stored = _write(tmp_path, "r", "cu8", 1, [(0, 935e6)], 3000)
    it = open_recording(meta).deferred_blocks(block_samples=1000)
    first = next(it).read()
    kept = first.samples.copy()
    for d in it:  # the next reads go into the same buffer
        d.read()
    assert np.array_equal(_bits(first.samples), _bits(kept))
    assert first.samples.base is None or not isinstance(first.samples.base, (bytearray, memoryview))


def test_a_deferred_block_refuses_room_of_the_wrong_kind(tmp_path):
    meta, _ = _write(tmp_path, "r", "cf32_le", 1, [(0, 935e6)], 1000)
    d = next(open_recording(meta).deferred_blocks(block_samples=1000))
    for bad in (np.empty(999, np.complex64), np.empty(2000, np.complex64)[::2], np.empty(1000, np.complex128)):
        with pytest.raises(ValueError):
            d.read(into=bad)


def test_a_data_file_cut_after_opening_is_reported_when_read(tmp_path):
    meta, _ = _write(tmp_path, "r", "ci8", 1, [(0, 935e6)], 1000)
    src = open_recording(meta)
    with open(tmp_path / "r.sigmf-data", "r+b") as fh:
        fh.truncate(1000)
    blocks = list(src.deferred_blocks(block_samples=300))
    blocks[0].read()
    with pytest.raises(InputError, match="ends early"):
        for d in blocks:
            d.read(into=np.empty(len(d), np.complex64))


def test_the_values_are_the_recorded_ones(tmp_path):
    x = np.array([0.5 - 0.25j, -1.0 + 0.125j, 0.0 + 0.0j], np.complex64)
    from_complex64(x, "ci16_be").tofile(tmp_path / "v.sigmf-data")
    meta = {
        "global": {"core:datatype": "ci16_be", "core:sample_rate": 1e6},
        "captures": [{"core:sample_start": 0, "core:frequency": 9e8}],
    }
    (tmp_path / "v.sigmf-meta").write_text(json.dumps(meta))
    d = next(open_recording(tmp_path / "v.sigmf-meta").deferred_blocks())
    np.testing.assert_array_equal(d.read(into=np.empty(3, np.complex64)).samples, x)
