import numpy as np
import pytest

from sensor.errors import InputError
from sensor.sources.convert import from_complex64
from sensor.sources.open import open_recording


@pytest.mark.parametrize("fmt", ["cf32", "ci16", "ci8", "cu8"])
def test_raw_formats_stream_in_blocks(tmp_path, fmt):
    x = (0.5 * np.exp(2j * np.pi * 0.01 * np.arange(5000))).astype(np.complex64)
    path = tmp_path / f"x.{fmt}"
    from_complex64(x, fmt + ("_le" if fmt in ("cf32", "ci16") else "")).tofile(path)
    src = open_recording(path, fmt=fmt, sample_rate_hz=1e6, center_hz=953.6e6)
    blocks = list(src.blocks(block_samples=2048))
    assert [b.first_sample for b in blocks] == [0, 2048, 4096]
    assert blocks[0].time_utc_s is None and blocks[0].center_hz == 953.6e6
    np.testing.assert_allclose(np.concatenate([b.samples for b in blocks]), x, atol=1 / 128)


def test_raw_needs_rate_and_center(tmp_path):
    (tmp_path / "a.cfile").write_bytes(b"\0" * 80)
    with pytest.raises(InputError, match="--rate"):
        open_recording(tmp_path / "a.cfile", fmt="cf32", sample_rate_hz=None, center_hz=9e8)
    with pytest.raises(InputError, match="--center"):
        open_recording(tmp_path / "a.cfile", fmt="cf32", sample_rate_hz=1e6, center_hz=None)
    with pytest.raises(InputError, match="no such file"):
        open_recording(tmp_path / "b.cfile", fmt="cf32", sample_rate_hz=1e6, center_hz=9e8)
    (tmp_path / "c.cfile").write_bytes(b"\0" * 81)
    with pytest.raises(InputError, match="truncated"):
        open_recording(tmp_path / "c.cfile", fmt="cf32", sample_rate_hz=1e6, center_hz=9e8)


def test_real_gr_gsm_cfile_reads_as_cf32(captures):
    src = open_recording(captures / "gsmsp_953.6MHz_500ksps.cfile", fmt="cf32", sample_rate_hz=500e3, center_hz=953.6e6)
    assert src.duration_s == pytest.approx(0.16, abs=0.01)
    block = next(src.blocks(block_samples=50_000))
    raw = np.fromfile(captures / "gsmsp_953.6MHz_500ksps.cfile", np.complex64, count=50_000)
    np.testing.assert_array_equal(block.samples, raw)
