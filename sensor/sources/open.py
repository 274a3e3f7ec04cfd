"""Opening recordings by path: SigMF (meta, data or archive) or a raw file given its format."""

from __future__ import annotations

from pathlib import Path

from sensor.errors import InputError
from sensor.sources.raw import open_raw
from sensor.sources.recording import RecordingSource
from sensor.sources.sigmf import is_sigmf_path, open_sigmf


def open_recording(
    path: str | Path,
    *,
    fmt: str | None = None,
    sample_rate_hz: float | None = None,
    center_hz: float | None = None,
) -> RecordingSource:
    """A SigMF recording, or with ``fmt`` (cf32, ci16, ci8, cu8) a raw file at ``sample_rate_hz``/``center_hz``."""
    path = Path(path)
    if fmt is not None:
        return open_raw(path, fmt=fmt, sample_rate_hz=sample_rate_hz, center_hz=center_hz)
    if is_sigmf_path(path):
        return open_sigmf(path)
    if path.with_name(path.name + ".sigmf-meta").exists():
        return open_sigmf(path.with_name(path.name + ".sigmf-meta"))
    if not path.exists():
        raise InputError(f"{path}: no such file")
    raise InputError(
        f"{path}: not a SigMF recording; for a raw file give --format cf32|ci16|ci8|cu8 --rate HZ --center HZ"
    )
