"""Replaying recordings through the receiver: windows of IQ → blocks → cells, with positions.

A recording is cut into windows (``window_s``, overlapping by ``overlap_s`` so that no block is
lost at a boundary); each window goes through the wideband receiver; blocks decoded twice in an
overlap are kept once. Several recordings are one drive of one sensor: cells are merged across
them. Positions come from the recording's ``core:geolocation`` (a fixed position), or from a GPS
track (``--track`` or a sidecar ``NAME.nmea``/``NAME.gpx``) at each block's UTC time.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sensor.cells import CellTracker
from sensor.geo.source import PositionSource
from sensor.geo.track import TrackSource, sidecar_track
from sensor.model import L2Block
from sensor.receiver.wideband import receive_wideband
from sensor.sources.recording import RecordingSource
from sensor.sources.sigmf import read_metadata

log = logging.getLogger(__name__)

WINDOW_S = 1.0
OVERLAP_S = 0.1  # > one 4-frame block (18.5 ms) plus the equaliser's margins


@dataclass(slots=True)
class ReplayStats:
    recordings: int = 0
    seconds: float = 0.0
    blocks: int = 0
    blocks_failed: int = 0
    windows: int = 0
    receiver_ppm: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Recording:
    source: RecordingSource
    path: Path
    track: Path | None = None


def recording_position(path: Path) -> dict[str, Any] | None:
    """``core:geolocation`` of a SigMF recording as the contract's position object (fix "fixed")."""
    try:
        meta = read_metadata(path)
    except Exception:  # noqa: BLE001 - raw files have no metadata
        return None
    geo = meta.get("global", {}).get("core:geolocation")
    coords = geo.get("coordinates") if isinstance(geo, dict) else None
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    return {"lat_deg": float(coords[1]), "lon_deg": float(coords[0]),
            "alt_m": float(coords[2]) if len(coords) > 2 else None, "fix": "fixed", "hdop": None, "age_s": 0.0}


class Replayer:
    def __init__(self, *, on_block: Callable[[L2Block], None] | None = None, window_s: float = WINDOW_S,
                 overlap_s: float = OVERLAP_S, progress: Callable[[float, float], None] | None = None) -> None:
        self.tracker = CellTracker()
        self.stats = ReplayStats()
        self.on_block = on_block
        self.window_s = window_s
        self.overlap_s = overlap_s
        self.progress = progress

    def run(self, recordings: list[Recording]) -> CellTracker:
        total_s = sum(r.source.duration_s for r in recordings)
        for rec in recordings:
            self._one(rec, total_s)
            self.stats.recordings += 1
        return self.tracker

    def _one(self, rec: Recording, total_s: float) -> None:
        src = rec.source
        fs = src.info.sample_rate_hz
        fixed = recording_position(rec.path)
        track_path = rec.track or sidecar_track(rec.path)
        gps: PositionSource | None = TrackSource(track_path).start() if track_path else None
        drive_t0 = self.stats.seconds
        win = max(int(self.window_s * fs), 1)
        hop = max(win - int(self.overlap_s * fs), 1)
        seen: set[tuple[int, int | None, int]] = set()
        pending: list[L2Block] = []
        with src:
            for seg in src.segments:
                pos = seg.first_sample
                end = seg.first_sample + seg.n_samples
                while pos < end:
                    n = min(win, end - pos)
                    block = src.read(pos, n)
                    t0 = pos / fs
                    results, ppm = receive_wideband(block.samples, sample_rate_hz=fs, center_hz=block.center_hz,
                                                    t0_s=t0, time_utc_s=block.time_utc_s)
                    self.stats.windows += 1
                    if ppm is not None:
                        self.stats.receiver_ppm.append(ppm)
                    for r in results:
                        for b in r.result.blocks:
                            if not b.crc_ok:
                                self.stats.blocks_failed += 1
                                continue
                            key = (b.arfcn, b.bsic, b.fn)
                            if key not in seen:
                                seen.add(key)
                                pending.append(b)
                    final = pos + n >= end
                    ready_before = t0 + (n - (0 if final else int(self.overlap_s * fs))) / fs
                    pending.sort(key=lambda b: (b.t_s or 0.0, b.arfcn))
                    emit = [b for b in pending if final or (b.t_s or 0.0) < ready_before]
                    pending = [b for b in pending if not (final or (b.t_s or 0.0) < ready_before)]
                    for b in emit:
                        self._emit(b, gps, fixed, drive_t0)
                    if self.progress:
                        self.progress(drive_t0 + (pos + n) / fs, total_s)
                    if final:
                        break
                    pos += hop
        if gps is not None:
            gps.stop()
        self.stats.seconds += src.duration_s

    def _emit(self, b: L2Block, gps: PositionSource | None, fixed: dict[str, Any] | None, drive_t0: float) -> None:
        self.stats.blocks += 1
        if self.on_block:
            self.on_block(b)
        position = gps.position_at(b.time_utc_s) if gps is not None else fixed
        self.tracker.add_block(dataclasses.replace(b, t_s=None if b.t_s is None else drive_t0 + b.t_s), position)
