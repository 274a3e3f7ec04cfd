"""SigMF recordings: written with the sigmf library, read back in blocks by our source."""

import json
import warnings

import numpy as np
import pytest
import sigmf
from sigmf import SigMFFile

from sensor.errors import InputError
from sensor.model import IQBlock
from sensor.sources.convert import from_complex64, parse_datatype, to_complex64
from sensor.sources.open import open_recording
from sensor.sources.sigmf import open_sigmf
from sensor.sources.sigmf_writer import SigMFWriter, geolocation

DATATYPES = ["cf32_le", "cf32_be", "cf64_le", "ci16_le", "ci16_be", "ci32_le", "ci8", "cu8", "cu16_le"]


def _signal(n, seed=0):
    rng = np.random.default_rng(seed)
    x = (0.4 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64)
    np.clip(x.view(np.float32), -0.99, 0.99, out=x.view(np.float32))
    return x


def _write_with_sigmf(tmp_path, name, datatype, samples, captures, extra_global=None):
    data_path = tmp_path / f"{name}.sigmf-data"
    from_complex64(samples, datatype).tofile(data_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        meta = SigMFFile(
            data_file=str(data_path),
            global_info={
                "core:datatype": datatype,
                "core:sample_rate": 2.4e6,
                "core:hw": "test rig",
                **(extra_global or {}),
            },
        )
        for start, freq, when in captures:
            md = {"core:frequency": freq}
            if when:
                md["core:datetime"] = when
            meta.add_capture(start, metadata=md)
        meta.tofile(str(tmp_path / name))
    return meta


@pytest.mark.parametrize("datatype", DATATYPES)
def test_every_datatype_round_trips_in_blocks(tmp_path, datatype):
    x = _signal(10_000)
    _write_with_sigmf(tmp_path, "rec", datatype, x, [(0, 947.4e6, "2026-11-25T07:00:00.000000Z")])
    src = open_recording(tmp_path / "rec.sigmf-meta")
    assert src.info.sample_rate_hz == 2.4e6 and src.info.hw == "test rig"
    blocks = list(src.blocks(block_samples=3000))
    assert [len(b) for b in blocks] == [3000, 3000, 3000, 1000]
    assert [b.first_sample for b in blocks] == [0, 3000, 6000, 9000]
    got = np.concatenate([b.samples for b in blocks])
    lsb = 1.0 / parse_datatype(datatype).full_scale if datatype[1] != "f" else 1e-7
    np.testing.assert_allclose(got, x, atol=lsb)
    assert all(b.center_hz == 947.4e6 for b in blocks)
    assert blocks[0].time_utc_s == pytest.approx(1795590000.0)
    assert blocks[1].time_utc_s == pytest.approx(1795590000.0 + 3000 / 2.4e6)


def test_data_path_and_base_name_open_too(tmp_path):
    _write_with_sigmf(tmp_path, "rec", "ci8", _signal(100), [(0, 9e8, None)])
    for p in ("rec.sigmf-data", "rec.sigmf-meta", "rec"):
        assert open_recording(tmp_path / p).n_samples == 100


def test_captures_split_blocks_and_carry_their_frequency(tmp_path):
    x = _signal(5000)
    _write_with_sigmf(tmp_path, "rec", "cu8", x, [(0, 935e6, None), (2000, 1805.2e6, "2026-01-01T00:00:01Z")])
    src = open_sigmf(tmp_path / "rec.sigmf-meta")
    blocks = list(src.blocks(block_samples=1500))
    assert [(b.first_sample, len(b), b.center_hz) for b in blocks] == [
        (0, 1500, 935e6),
        (1500, 500, 935e6),
        (2000, 1500, 1805.2e6),
        (3500, 1500, 1805.2e6),
    ]
    assert blocks[0].time_utc_s is None
    assert blocks[3].time_utc_s == pytest.approx(1767225601.0 + 1500 / 2.4e6)


def test_archive_is_read_in_place(tmp_path):
    x = _signal(4096)
    meta = _write_with_sigmf(tmp_path, "rec", "ci16_le", x, [(0, 9e8, None)])
    meta.tofile(str(tmp_path / "arch.sigmf"), toarchive=True)
    src = open_recording(tmp_path / "arch.sigmf")
    got = np.concatenate([b.samples for b in src.blocks(block_samples=1000)])
    np.testing.assert_allclose(got, x, atol=1 / 32768)


def test_header_and_trailing_bytes_are_skipped(tmp_path):
    x = _signal(300)
    payload = from_complex64(x, "ci16_le").tobytes()
    (tmp_path / "ncd.sigmf-data").write_bytes(b"H" * 16 + payload[:400] + b"h" * 8 + payload[400:] + b"T" * 5)
    meta = {
        "global": {
            "core:datatype": "ci16_le",
            "core:sample_rate": 1e6,
            "core:version": "1.2.0",
            "core:trailing_bytes": 5,
        },
        "captures": [
            {"core:sample_start": 0, "core:frequency": 9e8, "core:header_bytes": 16},
            {"core:sample_start": 100, "core:frequency": 9e8, "core:header_bytes": 8},
        ],
        "annotations": [],
    }
    (tmp_path / "ncd.sigmf-meta").write_text(json.dumps(meta))
    got = np.concatenate([b.samples for b in open_recording(tmp_path / "ncd.sigmf-meta").blocks()])
    np.testing.assert_allclose(got, x, atol=1 / 32768)


def test_multichannel_recording_selects_a_channel(tmp_path):
    a, b = _signal(200, 1), _signal(200, 2)
    inter = np.stack([from_complex64(a, "ci16_le").reshape(-1, 2), from_complex64(b, "ci16_le").reshape(-1, 2)], axis=1)
    inter.tofile(tmp_path / "mc.sigmf-data")
    meta = {
        "global": {"core:datatype": "ci16_le", "core:sample_rate": 1e6, "core:num_channels": 2},
        "captures": [{"core:sample_start": 0, "core:frequency": 9e8}],
    }
    (tmp_path / "mc.sigmf-meta").write_text(json.dumps(meta))
    got = next(open_sigmf(tmp_path / "mc.sigmf-meta", channel=1).blocks()).samples
    np.testing.assert_allclose(got, b, atol=1 / 32768)


def _meta(tmp_path, glob, captures=None, data=b"\0" * 64):
    (tmp_path / "bad.sigmf-data").write_bytes(data)
    meta = {
        "global": glob,
        "captures": captures if captures is not None else [{"core:sample_start": 0, "core:frequency": 9e8}],
    }
    (tmp_path / "bad.sigmf-meta").write_text(json.dumps(meta))
    return tmp_path / "bad.sigmf-meta"


@pytest.mark.parametrize(
    "glob, captures, data, message",
    [
        ({"core:datatype": "cf32_le"}, None, b"\0" * 64, "sample_rate"),
        ({"core:datatype": "cf32_le", "core:sample_rate": -5}, None, b"\0" * 64, "sample_rate"),
        ({"core:datatype": "cq7", "core:sample_rate": 1e6}, None, b"\0" * 64, "unknown SigMF datatype"),
        ({"core:datatype": "rf32_le", "core:sample_rate": 1e6}, None, b"\0" * 64, "real-valued"),
        ({"core:sample_rate": 1e6}, None, b"\0" * 64, "core:datatype"),
        ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, None, b"\0" * 63, "truncated"),
        ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, None, b"", "no samples"),
        ({"core:datatype": "cf32_le", "core:sample_rate": 1e6}, [], b"\0" * 64, "no captures"),
        (
            {"core:datatype": "cf32_le", "core:sample_rate": 1e6},
            [{"core:sample_start": 0}],
            b"\0" * 64,
            "core:frequency",
        ),
        (
            {"core:datatype": "cf32_le", "core:sample_rate": 1e6},
            [{"core:sample_start": 0, "core:frequency": 9e8}, {"core:sample_start": 100, "core:frequency": 9e8}],
            b"\0" * 64,
            "truncated",
        ),
    ],
)
def test_bad_recordings_raise_one_clear_input_error(tmp_path, glob, captures, data, message):
    with pytest.raises(InputError, match=message):
        open_sigmf(_meta(tmp_path, glob, captures, data))


def test_missing_and_garbled_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_recording(tmp_path / "nothere.sigmf-meta")
    (tmp_path / "x.sigmf-meta").write_text("{not json")
    (tmp_path / "x.sigmf-data").write_bytes(b"\0" * 8)
    with pytest.raises(InputError, match="not valid JSON"):
        open_recording(tmp_path / "x.sigmf-meta")
    (tmp_path / "y.sigmf").write_bytes(b"garbage" * 100)
    with pytest.raises(InputError, match="archive"):
        open_recording(tmp_path / "y.sigmf")
    (tmp_path / "z.bin").write_bytes(b"\0" * 8)
    with pytest.raises(InputError, match="--format"):
        open_recording(tmp_path / "z.bin")


def test_data_file_cut_after_opening_is_reported(tmp_path):
    _write_with_sigmf(tmp_path, "rec", "cf32_le", _signal(1000), [(0, 9e8, None)])
    src = open_recording(tmp_path / "rec")
    with open(tmp_path / "rec.sigmf-data", "r+b") as fh:
        fh.truncate(4000)
    with pytest.raises(InputError, match="ends early"):
        list(src.blocks(block_samples=256))


def _block(samples, first, center=947.4e6, t=1.7e9, dropped=0):
    return IQBlock(samples, 2.4e6, center, first, t, 30.0, "fake:1", dropped)


@pytest.mark.parametrize("datatype", ["cu8", "ci8", "ci16_le", "cf32_le"])
def test_writer_output_is_valid_sigmf_and_reads_back(tmp_path, datatype):
    x = _signal(6000)
    with SigMFWriter(
        tmp_path / "out",
        datatype=datatype,
        sample_rate_hz=2.4e6,
        hw="RTL-SDR",
        extra_global={"core:geolocation": geolocation(52.5, 13.4, 40.0)},
    ) as w:
        w.write(_block(x[:2000], 0))
        w.write(_block(x[2000:4000], 2000))
        w.write(_block(x[4000:], 5000, dropped=1000))  # 1000 samples lost
    lib = sigmf.sigmffile.fromfile(str(tmp_path / "out.sigmf-meta"))  # validates against the SigMF schema
    lib.validate()
    assert lib.get_global_field("core:geolocation") == {"type": "Point", "coordinates": [13.4, 52.5, 40.0]}
    caps = lib.get_captures()
    assert [c["core:sample_start"] for c in caps] == [0, 4000]
    assert [c["core:global_index"] for c in caps] == [0, 5000]
    assert "1000" in lib.get_annotations()[0]["core:comment"]
    src = open_recording(tmp_path / "out")
    got = np.concatenate([b.samples for b in src.blocks()])
    np.testing.assert_allclose(got, x, atol=1.0 / parse_datatype(datatype).full_scale)
    assert src.info.native_datatype == datatype


def test_writer_new_capture_on_retune_and_refuses_overwrite(tmp_path):
    with SigMFWriter(tmp_path / "out", datatype="ci8", sample_rate_hz=2.4e6) as w:
        w.write(_block(_signal(100), 0, center=935e6))
        w.write(_block(_signal(100), 100, center=940e6))
    caps = json.loads((tmp_path / "out.sigmf-meta").read_text())["captures"]
    assert [c["core:frequency"] for c in caps] == [935e6, 940e6]
    with pytest.raises(InputError, match="exists already"):
        SigMFWriter(tmp_path / "out", datatype="ci8", sample_rate_hz=2.4e6)


def test_recording_interrupted_before_close_is_still_readable(tmp_path):
    w = SigMFWriter(tmp_path / "cut", datatype="cu8", sample_rate_hz=2.4e6)
    w.write(_block(_signal(1000), 0))  # first write also writes the metadata
    w._fh.flush()
    src = open_recording(tmp_path / "cut")
    assert src.n_samples == 1000
    assert to_complex64(np.fromfile(tmp_path / "cut.sigmf-data", np.uint8), "cu8").shape == (1000,)


def test_blocks_are_not_held_by_the_reader_once_handed_on(tmp_path):
    """A recording's reader keeps no reference to a block it has yielded: the consumer's is the
    only one, so a block let go is freed before the next is read (at 20 Msps ci8 a 0.25 s block is
    40 MB of complex64, which the stream receiver copies into its window and drops)."""
    import weakref

    x = _signal(40_000)
    _write_with_sigmf(tmp_path, "r", "cf32_le", x, [(0, 947.4e6, None)])
    rec = open_recording(tmp_path / "r.sigmf-meta")
    blocks = rec.blocks(block_samples=10_000)
    first = next(blocks)
    ref = weakref.ref(first.samples)
    np.testing.assert_array_equal(first.samples, x[:10_000])
    del first
    assert ref() is None
    assert sum(len(b) for b in blocks) == 30_000
