"""Scene TOML snippets for tests (scenes are generated at test time, not stored)."""

from __future__ import annotations

from pathlib import Path

from sensor.sim.scene import load_scene
from sensor.sim.specs import Scene


def cell_toml(
    name: str,
    arfcn: int,
    bsic: int,
    *,
    power_dbfs: float = -25.0,
    mcc: str = "460",
    mnc: str = "00",
    lac: int = 4321,
    cell_id: int = 1001,
    neighbours: tuple[int, ...] = (),
    band: str | None = None,
    extra: str = "",
    params_extra: str = "",
) -> str:
    band_line = f'band = "{band}"\n' if band else ""
    return (
        f'[[cells]]\nname = "{name}"\narfcn = {arfcn}\nbsic = {bsic}\npower_dbfs = {power_dbfs}\n{band_line}{extra}'
        f'[cells.params]\nmcc = "{mcc}"\nmnc = "{mnc}"\nlac = {lac}\ncell_id = {cell_id}\n'
        f"neighbours = {list(neighbours)}\n{params_extra}"
    )


def scene_toml(
    center_hz: float,
    rate_hz: float,
    cells: list[str],
    *,
    duration_s: float = 1.0,
    seed: int = 1,
    noise_dbfs: float = -60.0,
    receiver_extra: str = "",
) -> str:
    return (
        f"seed = {seed}\nduration_s = {duration_s}\n[receiver]\ncenter_hz = {center_hz}\n"
        f"sample_rate_hz = {rate_hz}\nnoise_dbfs = {noise_dbfs}\n{receiver_extra}" + "".join(cells)
    )


def write_scene(tmp_path: Path, text: str, name: str = "scene") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def scene_from(tmp_path: Path, text: str, name: str = "scene") -> Scene:
    return load_scene(write_scene(tmp_path, text, name))
