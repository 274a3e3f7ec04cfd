"""Scenes: what a receiver in a patrol car hears, described in TOML and validated on load.

A scene has a receiver (tuning, rate, clock error, noise, front-end impairments), cells (each a
BCCH carrier with its network parameters, power or transmitter position, frequency offset,
timing and fading), fake stations (cells built from a real operator's parameters with the
behaviours reported in the literature applied, see ``fakes.py``), and optionally a route that
the receiver drives along, with path loss and shadowing. The dataclasses are in ``specs.py``.

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

Dedicated channels and their traffic (``recordings/scenes/fake-street-sdcch4.toml`` shows them all):
a cell or fake says where its SDCCHs are with ``dedicated = "sdcch4"`` (combined timeslot 0, needs
``params.ccch_conf = 1``) or ``"sdcch8"`` with ``sdcch8_timeslot`` (1..7); a real cell's own
sessions, ciphered after the Ciphering Mode Command, come from ``[cells.traffic]``
(``sessions_per_s``, ``ciphered_blocks``, ``hopping_share``: ``real_traffic.RealTrafficSpec``); what a
fake does to phones from ``[fakes.works.phones]`` (``rate_per_s``, ``reach_m``, ``lure_share``,
``tmsi_share``, ``home_mcc/mnc/lac``), ``[fakes.works.procedure]`` (``identity_requests``, ``result``
"reject"/"accept", ``reject_cause``, ``sms_per_phone``, ``phone_response_blocks``, ``ack_loss``,
``service_centre``) and ``[[fakes.works.campaigns]]`` (``sender``, ``template`` with ``{name}``
placeholders, ``[fakes.works.campaigns.fill]`` choices with ``{digits:N}``/``{letters:N}``/``{amount}``,
``weight``, ``flash``, ``silent``, ``reference_bits``): ``fake_traffic.WorkSpec``. Unknown keys, a
sub-channel that does not exist, an unknown MM cause or an SMS longer than 255 parts are errors that
name the key.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from sensor.errors import ConfigError
from sensor.schema import load_dataclass, read_toml
from sensor.sim.fakes import expand_fake
from sensor.sim.specs import CellSpec, Scene

_MCC_RE = re.compile(r"^\d{3}$")
_MNC_RE = re.compile(r"^\d{2,3}$")


def validate_scene(scene: Scene, where: str) -> Scene:
    """Cross-field checks, then fake stations expanded into cells. Returns the full scene."""

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
        if fake_cell.works is not None:
            try:
                fake_cell.works.check(f"{key}.works")
            except ConfigError as exc:
                fail(str(exc))
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
    from sensor.gsm.bands import arfcn_to_downlink_hz

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
    conf = p.ccch_conf
    if c.dedicated == "sdcch8" and conf == 1:
        fail(f'{key} ({c.name}): dedicated = "sdcch8" but params.ccch_conf = 1 puts SDCCH/4 on timeslot 0')
    if c.dedicated == "sdcch4" and conf != 1:
        fail(f'{key} ({c.name}): dedicated = "sdcch4" needs params.ccch_conf = 1 (combined), not {conf}')
    if not 1 <= c.sdcch8_timeslot <= 7:
        fail(f"{key} ({c.name}).sdcch8_timeslot: {c.sdcch8_timeslot} is outside 1-7")


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
