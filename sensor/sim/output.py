"""Writing rendered scenes: SigMF recordings with the ground truth in their metadata, gr-gsm
``.cfile``s, drives as a series of geotagged recordings, and an NMEA track.

The ground truth sits under the namespaced global key ``fbs:scene``: the receiver, and for every
cell its ARFCN, band, BSIC, carrier and apparent offset, power, whether it is fake and why, its
network parameters, the exact System Information octets it broadcasts (hex, by SI type), where its
dedicated channels are (``dedicated``, ``sdcch8_timeslot``) and ``blocks``: the scheduled blocks
(``traffic.py``) it sent during the recording, each ``{"tn", "fn", "channel", "sub", "octets"
(hex), "session", "ciphered"}`` with ``fn`` the frame of its first burst, in time order.
A cell whose carrier moves at the receiver (the car's Doppler, its own or the receiver's oscillator
drift: ``offsets.py``) has ``offsets``: ``{"t_s": [...], "doppler_hz": [...], "oscillator_hz": [...],
"receiver_hz": [...]}`` every ``OFFSETS_EVERY_S`` of scene time over the recording (the carrier at
the receiver is ``apparent_offset_hz + doppler_hz + oscillator_hz − receiver_hz`` from the tuning).
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sensor.errors import InputError
from sensor.gps.fix import Fix
from sensor.gps.nmea_write import fix_sentences
from sensor.gsm import tdma
from sensor.gsm.bands import arfcn_to_downlink_hz, band_of_arfcn
from sensor.l3.cell import build_all
from sensor.sim.offsets import OffsetTrack, velocity_en
from sensor.sim.render import SceneRenderer, transmit_hz
from sensor.sim.route import Drive
from sensor.sim.scene_traffic import truth_window
from sensor.sim.specs import CellSpec, Scene
from sensor.sim.traffic import Traffic
from sensor.sources.sigmf_writer import SigMFWriter, geolocation

Progress = Callable[[int, int], None]  # (samples done, samples total)
OFFSETS_EVERY_S = 0.25


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def blocks_truth(cell: CellSpec, traffic: Traffic | None, start_s: float, duration_s: float) -> list[dict[str, Any]]:
    """The scheduled blocks ``cell`` sent whose four frames lie within scene time
    ``start_s`` .. ``start_s + duration_s`` while its transmitter was on."""
    if traffic is None:
        return []
    offset_s = cell.timing_symbols / tdma.SYMBOL_RATE_HZ  # the cell begins frame start_fn then
    on_s = max(start_s, cell.on_s)
    off_s = start_s + duration_s if cell.off_s is None else min(start_s + duration_s, cell.off_s)
    k0 = math.ceil((on_s - offset_s) / tdma.FRAME_DURATION_S - 1e-9)
    k1 = math.floor((off_s - offset_s) / tdma.FRAME_DURATION_S + 1e-9)
    if k1 <= k0:
        return []
    blocks = traffic.between((cell.start_fn + k0) % tdma.HYPERFRAME_FRAMES, k1 - k0)
    return [
        {
            "tn": b.tn,
            "fn": b.first_fn % tdma.HYPERFRAME_FRAMES,
            "channel": b.channel,
            "sub": b.sub,
            "octets": b.octets.hex(),
            "session": b.session,
            "ciphered": b.ciphered,
        }
        for b in blocks
    ]


def offsets_truth(track: OffsetTrack, start_s: float, duration_s: float) -> dict[str, list[float]]:
    """A cell's offset track every ``OFFSETS_EVERY_S`` from ``start_s`` to ``start_s + duration_s``."""
    t = start_s + np.arange(int(np.floor(duration_s / OFFSETS_EVERY_S + 1e-9)) + 1) * OFFSETS_EVERY_S
    doppler, osc, rx = track.at(t)
    return {
        "t_s": [round(float(x), 3) for x in t],
        "doppler_hz": [round(float(x), 3) for x in doppler],
        "oscillator_hz": [round(float(x), 3) for x in osc],
        "receiver_hz": [round(float(x), 3) for x in rx],
    }


def cell_truth(cell: CellSpec, scene: Scene, center_hz: float) -> dict[str, Any]:
    eps = scene.receiver.ppm * 1e-6
    band = cell.band or band_of_arfcn(cell.arfcn).name
    params = {k: v for k, v in _jsonable(cell.params).items() if k != "extra"}
    return {
        "name": cell.name,
        "arfcn": cell.arfcn,
        "band": band,
        "bsic": cell.bsic,
        "downlink_hz": arfcn_to_downlink_hz(cell.arfcn, cell.band),
        "transmit_hz": transmit_hz(cell),
        "apparent_offset_hz": transmit_hz(cell) / (1 + eps) - center_hz,
        "power_dbfs": cell.power_dbfs,
        "tx_power_dbm": cell.tx_power_dbm,
        "position": None if cell.position is None else {"lat_deg": cell.position[0], "lon_deg": cell.position[1]},
        "cfo_ppm": cell.cfo_ppm,
        "cfo_hz": cell.cfo_hz,
        "start_fn": cell.start_fn,
        "timing_symbols": cell.timing_symbols,
        "on_s": cell.on_s,
        "off_s": cell.off_s,
        "fake": cell.fake,
        "behaviours": list(cell.behaviours),
        "params": params,
        "si": {t.value: l2.hex() for t, l2 in build_all(cell.params).items()},
        "dedicated": cell.dedicated_channels,
        "sdcch8_timeslot": cell.sdcch8_timeslot if cell.dedicated_channels == "sdcch8" else None,
    }


def scene_truth(
    scene: Scene,
    center_hz: float,
    sample_rate_hz: float,
    *,
    traffic: Mapping[str, Traffic] | None = None,
    start_s: float = 0.0,
    duration_s: float | None = None,
    dedicated: Mapping[str, dict[str, Any]] | None = None,
    offsets: Mapping[str, OffsetTrack] | None = None,
) -> dict[str, Any]:
    """The truth of a recording of scene time ``start_s`` .. ``start_s + duration_s`` (default: the scene's).
    ``dedicated``: each working cell's sessions and SMS (``scene_traffic``), kept for the same span;
    ``offsets``: each cell's Doppler and drift track (``SceneRenderer.offsets``)."""
    span = scene.duration_s if duration_s is None else duration_s
    traffic = traffic or {}
    dedicated = dedicated or {}
    cells = []
    for c in scene.cells:
        entry = {**cell_truth(c, scene, center_hz), "blocks": blocks_truth(c, traffic.get(c.name), start_s, span)}
        if c.name in dedicated:
            entry.update(truth_window(dedicated[c.name], start_s, span))
        track = (offsets or {}).get(c.name)
        if track is not None and track.moves:
            entry["offsets"] = offsets_truth(track, start_s, span)
        cells.append(entry)
    return {
        "name": scene.name,
        "seed": scene.seed,
        "receiver": {**_jsonable(scene.receiver), "center_hz": center_hz, "sample_rate_hz": sample_rate_hz},
        "cells": cells,
    }


def write_sigmf(
    scene: Scene,
    base: Path,
    *,
    center_hz: float | None = None,
    sample_rate_hz: float | None = None,
    duration_s: float | None = None,
    datatype: str | None = None,
    start_utc_s: float | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
    traffic: Mapping[str, Traffic] | None = None,
) -> SigMFWriter:
    """Render ``scene`` to ``BASE.sigmf-meta``/``-data``; returns the closed writer. ``traffic``: the
    scheduled blocks of the cells that send any, by cell name."""
    renderer = SceneRenderer(
        scene, center_hz=center_hz, sample_rate_hz=sample_rate_hz, start_utc_s=start_utc_s, traffic=traffic
    )
    dtype = datatype or scene.receiver.datatype
    truth = scene_truth(
        scene,
        renderer.center_hz,
        renderer.sample_rate_hz,
        traffic=renderer.traffic,
        duration_s=duration_s,
        dedicated=renderer.scene_traffic.truth,
        offsets=renderer.offsets,
    )
    extra: dict[str, Any] = {"fbs:scene": truth}
    pos = renderer.position(0.0)
    if pos is not None:
        extra["core:geolocation"] = geolocation(*pos)
    with SigMFWriter(
        base,
        datatype=dtype,
        sample_rate_hz=renderer.sample_rate_hz,
        hw=f"fbs-sensor simulator (scene {scene.name}, seed {scene.seed})",
        description=f"simulated scene {scene.name}",
        extra_global=extra,
        overwrite=overwrite,
    ) as writer:
        total = int(round((duration_s or scene.duration_s) * renderer.sample_rate_hz))
        for block in renderer.blocks(duration_s=duration_s):
            writer.write(block)
            if progress:
                progress(writer.n_samples, total)
        truth["clipped_components"] = renderer.clipped_components
    return writer


def write_cfile(
    scene: Scene,
    path: Path,
    *,
    center_hz: float | None = None,
    sample_rate_hz: float | None = None,
    duration_s: float | None = None,
    progress: Progress | None = None,
    traffic: Mapping[str, Traffic] | None = None,
) -> int:
    """Render to a gr-gsm ``.cfile`` (cf32, no metadata). Returns the number of samples."""
    renderer = SceneRenderer(scene, center_hz=center_hz, sample_rate_hz=sample_rate_hz, traffic=traffic)
    total = int(round((duration_s or scene.duration_s) * renderer.sample_rate_hz))
    n = 0
    try:
        with open(path, "wb") as fh:
            for block in renderer.blocks(duration_s=duration_s):
                fh.write(block.samples.astype("<c8").tobytes())
                n += len(block)
                if progress:
                    progress(n, total)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    return n


def write_drive(
    scene: Scene,
    out_dir: Path,
    *,
    segment_s: float,
    gap_s: float = 0.0,
    start_utc_s: float | None = None,
    progress: Progress | None = None,
    traffic: Mapping[str, Traffic] | None = None,
) -> list[Path]:
    """A drive as short recordings ``NAME_000``, ``NAME_001``... each tagged with the receiver's
    position in its middle (``core:geolocation``) and its start time (``core:datetime``).

    Between recordings ``gap_s`` seconds of scene time pass unrecorded (the car drives on).
    """
    if scene.route is None:
        raise InputError(f"scene {scene.name}: a drive needs a [route]")
    start = start_utc_s if start_utc_s is not None else datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    renderer = SceneRenderer(scene, start_utc_s=start, traffic=traffic)
    paths = []
    t = 0.0
    i = 0
    fs = renderer.sample_rate_hz
    total = int(scene.duration_s * fs)
    while t < scene.duration_s - 1e-9:
        seg = min(segment_s, scene.duration_s - t)
        base = out_dir / f"{scene.name}_{i:03d}"
        lat, lon = renderer.position(t + seg / 2)  # type: ignore[misc]
        truth = scene_truth(
            scene,
            renderer.center_hz,
            fs,
            traffic=renderer.traffic,
            start_s=t,
            duration_s=seg,
            dedicated=renderer.scene_traffic.truth,
            offsets=renderer.offsets,
        )
        truth["segment"] = {"index": i, "start_s": t, "duration_s": seg}
        with SigMFWriter(
            base,
            datatype=scene.receiver.datatype,
            sample_rate_hz=fs,
            hw="fbs-sensor simulator",
            extra_global={"fbs:scene": truth, "core:geolocation": geolocation(lat, lon)},
        ) as w:
            for block in renderer.blocks(duration_s=seg):
                w.write(block)
                if progress:
                    progress(int(t * fs) + w.n_samples, total)
        paths.append(base)
        t += seg
        if gap_s > 0 and t < scene.duration_s:
            skip = min(gap_s, scene.duration_s - t)
            for _ in renderer.blocks(duration_s=skip):
                pass
            t += skip
        i += 1
    return paths


def scene_drive(scene: Scene) -> Drive | None:
    """The receiver's drive along the scene's route (None without one)."""
    return None if scene.route is None else Drive.from_points(scene.route.points, scene.route.speed_m_s)


def route_fix(scene: Scene, t_s: float, *, start_utc_s: float, drive=None) -> Fix:  # type: ignore[no-untyped-def]
    """The simulated GPS: the receiver's position on the route at scene time ``t_s`` as a fix."""
    drive = drive or scene_drive(scene)
    if drive is None:
        raise InputError(f"scene {scene.name}: a GPS track needs a [route]")
    lat, lon = drive.position(t_s)
    moving = drive.travelled_m(t_s) < drive.length_m
    v_east, v_north = velocity_en(drive, np.array([t_s]))
    heading = math.degrees(math.atan2(float(v_east[0]), float(v_north[0]))) % 360.0 if moving else None
    return Fix(
        time_utc_s=start_utc_s + t_s,
        lat_deg=float(lat),
        lon_deg=float(lon),
        alt_m=30.0,
        mode="3d",
        hdop=0.9,
        satellites=8,
        speed_m_s=scene.route.speed_m_s if moving and scene.route else 0.0,
        track_deg=heading,
        source=f"sim:{scene.name}",
    )


def nmea_track(scene: Scene, *, start_utc_s: float, rate_hz: float = 1.0) -> str:
    """The route as an NMEA 0183 log, as a GPS in the car would have logged it."""
    drive = scene_drive(scene)
    lines: list[str] = []
    for k in range(int(scene.duration_s * rate_hz) + 1):
        lines += fix_sentences(route_fix(scene, k / rate_hz, start_utc_s=start_utc_s, drive=drive))
    return "\n".join(lines) + "\n"
