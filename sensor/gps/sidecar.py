"""Where a recording's track is, when it has one beside it (``CONTRACT.md``: ``NAME.nmea`` or
``NAME.gpx`` for ``NAME.sigmf-meta``). Apart from :mod:`.track` so that a replay looks for one
without importing the track readers (bench/README.md, "Fourth round: start-up")."""

from __future__ import annotations

from pathlib import Path

_SIGMF_SUFFIXES = (".sigmf-meta", ".sigmf-data", ".sigmf")


def sidecar_track(recording: str | Path) -> Path | None:
    """``NAME.nmea`` or ``NAME.gpx`` beside a recording ``NAME.sigmf-meta`` (or ``.sigmf-data``, ``.sigmf``, raw)."""
    recording = Path(recording)
    name = recording.name
    for suffix in _SIGMF_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    else:
        name = recording.stem
    for suffix in (".nmea", ".gpx"):
        candidate = recording.with_name(name + suffix)
        if candidate.is_file():
            return candidate
    return None
