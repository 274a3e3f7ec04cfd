"""Scenes: what a receiver in a patrol car hears, described in TOML and validated on load.

A scene has a receiver (tuning, rate, clock error, noise, front-end impairments), cells (each a
BCCH carrier with its network parameters, power or transmitter position, frequency offset,
timing and fading), fake stations (cells built from a real operator's parameters with the
behaviours reported in the literature applied, see ``fakes.py``), and optionally a route that
the receiver drives along, with path loss and shadowing.

Example (every key is optional but ``receiver.center_hz`` and the cells' ``arfcn``)::

    seed = 7
    duration_s = 2.0
    [receiver]
    center_hz = 947.4e6
    sample_rate_hz = 2.4e6
    ppm = -40.0
    noise_dbfs = -70.0
    [[cells]]
    name = "op-a-1"
    arfcn = 62
    bsic = 21
    power_dbfs = -35.0
    [cells.params]
    mcc = "460"
    mnc = "00"
    lac = 4321
    cell_id = 1001
    neighbours = [64, 66, 70]
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sensor.errors import ConfigError
from sensor.gsm.burst import FRAME_SYMBOLS
from sensor.l3.cell import CellParams
from sensor.schema import bounded, load_dataclass, read_toml
from sensor.sim.propagation import PathLossModel

Multipath = Literal["none", "tu", "static"]
CcchTraffic = Literal["idle", "live", "catcher"]


@dataclass(frozen=True, slots=True)
class ReceiverSpec:
    center_hz: float = bounded(min=1e6, max=6e9, doc="tuned centre frequency")
    sample_rate_hz: float = bounded(2.4e6, min=200e3, max=61.44e6)
    ppm: float = bounded(0.0, min=-200.0, max=200.0, doc="receiver clock error: positive = LO high")
    noise_dbfs: float = bounded(-70.0, max=0.0, doc="noise power in 270.833 kHz, dBFS")
    dc_dbfs: float | None = bounded(None, max=0.0, doc="LO leakage at the centre (None: none)")
    iq_gain_db: float = bounded(0.0, min=-6.0, max=6.0)
    iq_phase_deg: float = bounded(0.0, min=-20.0, max=20.0)
    datatype: str = bounded("cf32_le", choices=("cf32_le", "ci16_le", "ci8", "cu8"), doc="quantise like this ADC")
    full_scale_dbm: float = bounded(-20.0, doc="antenna power that reads 0 dBFS (for dBm transmitters)")


@dataclass(frozen=True, slots=True)
class CellSpec:
    arfcn: int = bounded(min=0, max=1023)
    name: str = ""
    band: str | None = None  # needed only where ARFCNs are ambiguous (DCS1800 / PCS1900)
    bsic: int = bounded(0, min=0, max=63)
    params: CellParams = field(default_factory=CellParams)
    power_dbfs: float | None = bounded(None, max=10.0, doc="received power; or give tx_power_dbm + position")
    tx_power_dbm: float | None = bounded(None, min=-30.0, max=70.0)
    position: tuple[float, float] | None = None  # (lat_deg, lon_deg)
    cfo_hz: float = bounded(0.0, min=-100e3, max=100e3, doc="transmitter frequency error in Hz")
    cfo_ppm: float = bounded(0.0, min=-50.0, max=50.0, doc="transmitter frequency error in ppm")
    timing_symbols: float = bounded(0.0, min=0.0, max=float(FRAME_SYMBOLS), doc="start delay within the TDMA frame")
    start_fn: int = bounded(0, min=0, max=2715647)
    multipath: Multipath = "none"  # "tu": Rayleigh-faded TU6; "static": the fixed paths below
    paths_delay_us: tuple[float, ...] = (0.0, 1.0, 3.7)
    paths_power_db: tuple[float, ...] = (0.0, -4.0, -10.0)
    doppler_hz: float | None = bounded(None, min=0.0, max=1000.0, doc="fading rate; default from route speed")
    on_s: float = bounded(0.0, min=0.0, doc="transmitter switches on at this time")
    off_s: float | None = bounded(None, min=0.0, doc="and off at this time (None: never)")
    ccch_traffic: CcchTraffic = "idle"  # "live": pages phones; "catcher": assignments, no pages
    fake: bool = False  # ground truth, for evaluation
    behaviours: tuple[str, ...] = ()  # ground truth: which fake behaviours it shows


@dataclass(frozen=True, slots=True)
class FakeSpec:
    """A fake station: ``imitate`` names a real cell whose operator it pretends to be."""

    imitate: str
    behaviours: tuple[str, ...]
    arfcn: int = bounded(min=0, max=1023)
    name: str = ""
    band: str | None = None
    bsic: int | None = bounded(None, min=0, max=63)
    power_dbfs: float | None = bounded(None, max=10.0)
    tx_power_dbm: float | None = bounded(None, min=-30.0, max=70.0)
    position: tuple[float, float] | None = None
    cfo_ppm: float | None = bounded(None, min=-50.0, max=50.0, doc="default: from behaviours")
    on_s: float = bounded(0.0, min=0.0)
    off_s: float | None = bounded(None, min=0.0)
    params: dict[str, object] = field(default_factory=dict)  # CellParams overrides after the behaviours


@dataclass(frozen=True, slots=True)
class RouteSpec:
    points: list[tuple[float, float]]  # (lat_deg, lon_deg) waypoints, driven in order
    speed_m_s: float = bounded(10.0, min=0.1, max=70.0)


@dataclass(frozen=True, slots=True)
class EvaluationSpec:
    """For labelled scenes (``fbs-sensor evaluate``): what the area baseline knows beforehand."""

    description: str = ""
    baseline: bool = True  # the baseline knows the scene's real cells (never its fake stations)
    not_in_baseline: tuple[str, ...] = ()  # names of real cells it does not know (a newly built cell)


@dataclass(frozen=True, slots=True)
class Scene:
    receiver: ReceiverSpec
    cells: list[CellSpec] = field(default_factory=list)
    fakes: list[FakeSpec] = field(default_factory=list)
    seed: int = 0
    duration_s: float = bounded(1.0, min=0.001, max=86400.0)
    route: RouteSpec | None = None
    propagation: PathLossModel = field(default_factory=PathLossModel)
    name: str = ""
    evaluation: EvaluationSpec = field(default_factory=EvaluationSpec)


_MCC_RE = re.compile(r"^\d{3}$")
_MNC_RE = re.compile(r"^\d{2,3}$")


def validate_scene(scene: Scene, where: str) -> Scene:
    """Cross-field checks, then fake stations expanded into cells. Returns the full scene."""
    from sensor.sim.fakes import expand_fake  # noqa: PLC0415 - fakes imports this module

    def fail(msg: str) -> None:
        raise ConfigError(f"{where}: {msg}")

    names: set[str] = set()
    cells = []
    for i, c in enumerate(scene.cells):
        key = f"cells[{i}]"
        c = _with_defaults(c, i)
        _check_cell(c, key, fail, scene)
        if c.name in names:
            fail(f"{key}.name: {c.name!r} is used twice")
        names.add(c.name)
        cells.append(c)
    by_name = {c.name: c for c in cells}
    for i, f in enumerate(scene.fakes):
        key = f"fakes[{i}]"
        if f.imitate not in by_name:
            fail(f"{key}.imitate: no cell named {f.imitate!r}")
        try:
            fake_cell = expand_fake(f, by_name[f.imitate], cells, index=i)
        except (ValueError, TypeError) as exc:
            fail(f"{key}: {exc}")
        _check_cell(fake_cell, key, fail, scene)
        if fake_cell.name in names:
            fail(f"{key}.name: {fake_cell.name!r} is used twice")
        names.add(fake_cell.name)
        cells.append(fake_cell)
    for n in scene.evaluation.not_in_baseline:
        if n not in by_name:
            fail(f"evaluation.not_in_baseline: no cell named {n!r}")
    if scene.route is not None and len(scene.route.points) < 1:
        fail("route.points: give at least one point")
    return dataclasses.replace(scene, cells=cells, fakes=[])


def _with_defaults(c: CellSpec, i: int) -> CellSpec:
    params = c.params if c.params.arfcn == c.arfcn else dataclasses.replace(c.params, arfcn=c.arfcn)
    return dataclasses.replace(c, name=c.name or f"cell{i}", params=params)


def _check_cell(c: CellSpec, key: str, fail, scene: Scene) -> None:  # type: ignore[no-untyped-def]
    from sensor.gsm.bands import arfcn_to_downlink_hz  # noqa: PLC0415

    p = c.params
    if not _MCC_RE.match(p.mcc):
        fail(f"{key}.params.mcc: {p.mcc!r} must be 3 digits")
    if not _MNC_RE.match(p.mnc):
        fail(f"{key}.params.mnc: {p.mnc!r} must be 2 or 3 digits")
    if not 0 <= p.lac <= 0xFFFF or not 0 <= p.cell_id <= 0xFFFF:
        fail(f"{key}.params: lac and cell_id must be 0-65535")
    try:
        arfcn_to_downlink_hz(c.arfcn, c.band)
    except ValueError as exc:
        fail(f"{key}.arfcn: {exc}")
    for n in (*p.neighbours, *p.cell_channels):
        if not 0 <= n <= 1023:
            fail(f"{key}.params: ARFCN {n} in a list is outside 0-1023")
    has_power = c.power_dbfs is not None
    has_tx = c.tx_power_dbm is not None and c.position is not None
    if not has_power and not has_tx:
        fail(f"{key}: give power_dbfs, or tx_power_dbm with position")
    if has_tx and scene.route is None and has_power is False:
        fail(f"{key}: a transmitter position needs a [route] for the receiver")
    if len(c.paths_delay_us) != len(c.paths_power_db) or not c.paths_delay_us:
        fail(f"{key}: paths_delay_us and paths_power_db must have the same, non-zero length")
    if any(d < 0 or d > 20 for d in c.paths_delay_us):
        fail(f"{key}.paths_delay_us: delays must be 0-20 µs")
    if c.off_s is not None and c.off_s <= c.on_s:
        fail(f"{key}: off_s must be after on_s")


def read_scene_table(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A scene's TOML table with ``extends = "BASE.toml"`` resolved (relative to the file).

    The scene's keys override the base's; tables merge key by key; a ``[[cells]]`` entry whose
    ``name`` is a base cell's merges into that cell (so a variant changes one parameter of one cell),
    other entries are added; ``remove_cells = [names]`` drops base cells.
    """
    table = read_toml(path)
    base = table.pop("extends", None)
    remove = table.pop("remove_cells", [])
    if base is None:
        if remove:
            raise ConfigError(f"{path}: remove_cells needs extends")
        return table
    if not isinstance(base, str):
        raise ConfigError(f"{path}: extends must be a file name")
    base_path = (path.parent / base).resolve()
    if base_path in _chain or base_path == path.resolve():
        raise ConfigError(f"{path}: extends {base} makes a cycle")
    merged = read_scene_table(base_path, (*_chain, path.resolve()))
    names = {c.get("name") for c in merged.get("cells", [])}
    unknown = [n for n in remove if n not in names]
    if unknown:
        raise ConfigError(f"{path}: remove_cells: no cell named {unknown[0]!r} in {base}")
    merged["cells"] = [c for c in merged.get("cells", []) if c.get("name") not in remove]
    for key, value in table.items():
        if key == "cells" and isinstance(value, list):
            by_name = {c.get("name"): c for c in merged["cells"]}
            for c in value:
                if isinstance(c, dict) and c.get("name") in by_name:
                    _deep_merge(by_name[c["name"]], c)
                else:
                    merged["cells"].append(c)
        elif key == "fakes" and isinstance(value, list):
            merged["fakes"] = [*merged.get("fakes", []), *value]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _deep_merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _deep_merge(into[k], v)
        else:
            into[k] = v


def load_scene(path: str | Path) -> Scene:
    path = Path(path)
    table = read_scene_table(path)
    scene = load_dataclass(Scene, table, str(path))
    if not scene.name:
        scene = dataclasses.replace(scene, name=path.stem)
    return validate_scene(scene, str(path))
