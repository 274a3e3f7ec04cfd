"""SigMF recordings as an IQ source: ``NAME.sigmf-meta`` + ``NAME.sigmf-data`` or a ``.sigmf`` archive.

Reads the metadata itself (plain JSON; SigMF v1 core namespace) so that any complex datatype,
several captures with their own ``core:frequency`` and ``core:datetime``, ``core:header_bytes``,
``core:trailing_bytes`` and multi-channel files are handled, and the data are streamed, never
loaded whole. An uncompressed ``.sigmf`` archive (a tar, as the sigmf library writes it) is read
in place at the data member's offset.
"""

from __future__ import annotations

import json
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sensor.errors import InputError
from sensor.sources.convert import parse_datatype
from sensor.sources.recording import RecordingSource, Segment, data_size, whole_samples

META_EXT = ".sigmf-meta"
DATA_EXT = ".sigmf-data"
ARCHIVE_EXT = ".sigmf"


def is_sigmf_path(path: Path) -> bool:
    return path.suffix in (META_EXT, DATA_EXT, ARCHIVE_EXT)


def parse_datetime_utc_s(text: str, where: str) -> float:
    """``core:datetime`` (ISO-8601 UTC, e.g. 2026-11-25T07:00:00.123Z) as POSIX seconds."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, AttributeError):
        raise InputError(f"{where}: core:datetime {text!r} is not an ISO-8601 time") from None


def open_sigmf(path: str | Path, *, channel: int = 0) -> RecordingSource:
    """Open a SigMF recording given its meta, data or archive path."""
    path = Path(path)
    if path.suffix == ARCHIVE_EXT:
        meta, data_path, data_offset, data_bytes = _read_archive(path)
        meta_where = f"{path}"
    else:
        meta_path = path.with_suffix(META_EXT)
        data_path = path.with_suffix(DATA_EXT)
        meta = _read_meta_file(meta_path)
        meta_where = str(meta_path)
        data_offset, data_bytes = 0, data_size(data_path)
    return _source_from_meta(meta, meta_where, data_path, data_offset, data_bytes, channel)


def _read_meta_file(meta_path: Path) -> dict[str, Any]:
    try:
        text = meta_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{meta_path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{meta_path}: cannot read: {exc}") from None
    return _parse_meta(text, str(meta_path))


def _parse_meta(text: str, where: str) -> dict[str, Any]:
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(meta, dict) or not isinstance(meta.get("global"), dict):
        raise InputError(f"{where}: not SigMF metadata (no 'global' object)")
    return meta


def _read_archive(path: Path) -> tuple[dict[str, Any], Path, int, int]:
    data_size(path)  # clear error when missing
    try:
        with tarfile.open(path, "r:") as tar:
            members = tar.getmembers()
            metas = [m for m in members if m.name.endswith(META_EXT) and m.isfile()]
            datas = [m for m in members if m.name.endswith(DATA_EXT) and m.isfile()]
            if len(metas) != 1 or len(datas) != 1:
                raise InputError(
                    f"{path}: expected one recording in the archive, "
                    f"found {len(metas)} metadata and {len(datas)} data files"
                )
            fileobj = tar.extractfile(metas[0])
            assert fileobj is not None
            meta = _parse_meta(fileobj.read().decode("utf-8", "replace"), f"{path}:{metas[0].name}")
            return meta, path, datas[0].offset_data, datas[0].size
    except tarfile.ReadError:
        raise InputError(f"{path}: not an uncompressed SigMF archive (tar); extract a compressed one first") from None


def _source_from_meta(
    meta: dict[str, Any], where: str, data_path: Path, data_offset: int, data_bytes: int, channel: int
) -> RecordingSource:
    glob = meta["global"]
    datatype_name = glob.get("core:datatype")
    if not isinstance(datatype_name, str):
        raise InputError(f"{where}: global core:datatype is missing")
    datatype = parse_datatype(datatype_name)
    if not datatype.complex:
        raise InputError(f"{where}: datatype {datatype_name} is real-valued; a receiver recording must be complex")
    rate = glob.get("core:sample_rate")
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not rate > 0:
        raise InputError(f"{where}: global core:sample_rate is missing or not a positive number")
    num_channels = glob.get("core:num_channels", 1)
    if not isinstance(num_channels, int) or num_channels < 1:
        raise InputError(f"{where}: core:num_channels must be a positive whole number")
    trailing = glob.get("core:trailing_bytes", 0)
    captures = meta.get("captures")
    if not isinstance(captures, list) or not captures:
        raise InputError(f"{where}: no captures (SigMF needs at least one, with core:sample_start)")

    stride = datatype.bytes_per_sample * num_channels
    payload = data_bytes - trailing - sum(int(c.get("core:header_bytes", 0)) for c in captures)
    if payload < 0:
        raise InputError(f"{data_path}: data file is shorter than its header and trailing bytes")
    total = whole_samples(data_path, payload, stride)
    if total == 0:
        raise InputError(f"{data_path}: data file holds no samples")

    segments: list[Segment] = []
    header_so_far = 0
    starts = []
    for i, cap in enumerate(captures):
        cwhere = f"{where}: capture {i}"
        start = cap.get("core:sample_start")
        if not isinstance(start, int) or start < 0:
            raise InputError(f"{cwhere}: core:sample_start is missing or negative")
        if starts and start <= starts[-1]:
            raise InputError(f"{cwhere}: captures are not in increasing core:sample_start order")
        starts.append(start)
    for i, cap in enumerate(captures):
        cwhere = f"{where}: capture {i}"
        header_so_far += int(cap.get("core:header_bytes", 0))
        start = starts[i]
        end = starts[i + 1] if i + 1 < len(captures) else total
        if start >= total:
            raise InputError(
                f"{data_path}: truncated data file: capture {i} starts at sample {start} but the file holds {total}"
            )
        freq = cap.get("core:frequency")
        if not isinstance(freq, (int, float)) or isinstance(freq, bool):
            raise InputError(f"{cwhere}: core:frequency (the centre frequency in Hz) is missing")
        t = cap.get("core:datetime")
        segments.append(
            Segment(
                first_sample=start,
                n_samples=min(end, total) - start,
                byte_offset=data_offset + header_so_far + start * stride,
                center_hz=float(freq),
                time_utc_s=None if t is None else parse_datetime_utc_s(t, cwhere),
            )
        )
    gain = _global_gain_db(glob)
    return RecordingSource(
        data_path,
        datatype=datatype,
        sample_rate_hz=float(rate),
        segments=segments,
        source_id=f"sigmf:{data_path}",
        driver="sigmf",
        hw=glob.get("core:hw"),
        channel=channel,
        num_channels=num_channels,
        gain_db=gain,
    )


def _global_gain_db(glob: dict[str, Any]) -> float | None:
    gain = glob.get("fbs:gain_db")
    return float(gain) if isinstance(gain, (int, float)) and not isinstance(gain, bool) else None


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The whole metadata object of a SigMF recording (meta, data or archive path)."""
    path = Path(path)
    if path.suffix == ARCHIVE_EXT:
        return _read_archive(path)[0]
    return _read_meta_file(path.with_suffix(META_EXT))
