"""Headerless IQ files given their datatype, rate and centre frequency.

A gr-gsm ``.cfile`` is ``cf32`` (``cf32_le``), ``rtl_sdr`` output ``cu8``, ``hackrf_transfer``
output ``ci8``; multi-byte types without an endianness suffix are little-endian.
"""

from __future__ import annotations

from pathlib import Path

from sensor.errors import InputError
from sensor.sources.convert import parse_datatype
from sensor.sources.recording import RecordingSource, Segment, data_size, whole_samples

RAW_FORMATS = ("cf32", "ci16", "ci8", "cu8", "cf32_le", "cf32_be", "ci16_le", "ci16_be", "cf64_le", "cu16_le")


def sigmf_datatype_of(fmt: str) -> str:
    """``cf32`` → ``cf32_le``: the SigMF name of a raw format."""
    base = fmt.lower()
    if base in ("cf32", "ci16", "cf64", "cu16", "ci32", "cu32"):
        base += "_le"
    return base


def open_raw(
    path: str | Path,
    *,
    fmt: str,
    sample_rate_hz: float | None,
    center_hz: float | None,
    time_utc_s: float | None = None,
) -> RecordingSource:
    path = Path(path)
    if sample_rate_hz is None or not sample_rate_hz > 0:
        raise InputError(f"{path}: a raw file needs --rate (its sample rate in Hz)")
    if center_hz is None:
        raise InputError(f"{path}: a raw file needs --center (the frequency it was tuned to, in Hz)")
    datatype = parse_datatype(sigmf_datatype_of(fmt))
    if not datatype.complex:
        raise InputError(f"{path}: format {fmt} is real-valued; a receiver recording must be complex")
    n = whole_samples(path, data_size(path), datatype.bytes_per_sample)
    segment = Segment(first_sample=0, n_samples=n, byte_offset=0, center_hz=float(center_hz), time_utc_s=time_utc_s)
    return RecordingSource(
        path,
        datatype=datatype,
        sample_rate_hz=float(sample_rate_hz),
        segments=[segment] if n else [],
        source_id=f"raw:{path}",
        driver="raw",
    )
