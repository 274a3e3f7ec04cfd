"""A cell's Es/N0 at the receiver, and a scene's noise floor set to give it one.

Es/N0 is per GSM symbol (270.833 ksym/s): a carrier of power P (dBFS, while it transmits; GMSK has
a constant envelope) in white noise of density N0 has Es/N0 = P − N0·270.833 kHz, so with the
scene's ``receiver.noise_dbfs`` given per 270.833 kHz (``frontend.awgn``), Es/N0 = P − noise_dbfs.
The receiver's ADC adds noise of its own: rounding to steps of Δ (1/128 of full scale for ``cu8``
and ``ci8``, 1/32768 for ``ci16_le``; ``sources.convert``) adds Δ²/12 per component, white over
the sample rate when the signal (here: its noise) spans many steps, i.e. Δ²/6 · 270.833 kHz / fs
within the symbol band. At 2.4 Msps ``cu8`` that is −59.4 dBFS per 270.833 kHz (−65.6 at 10 Msps),
more than the street scenes' −70 dBFS of front-end noise: ignoring it would overstate Es/N0 by 10 dB.

``received_dbfs`` is the renderer's own level of a cell at the receiver (path loss, shadowing along
the route, the cell's on/off times); ``with_es_n0`` returns the scene with the front-end noise set
so that front end and ADC together give the cell ``es_n0_db`` at its weakest over the scene
(parked: at every moment). The other cells keep their levels: their Es/N0 changes with the noise.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sensor.errors import ConfigError
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim.render import SceneRenderer, transmit_hz
from sensor.sim.specs import CellSpec, Scene

# sources.convert: a step of the ADC as a share of full scale
ADC_STEP = {"cu8": 1 / 128, "ci8": 1 / 128, "ci16_le": 1 / 32768}
LEVEL_STEP_S = 0.25  # a drive's level is looked at this often


def quantisation_noise_dbfs(datatype: str, sample_rate_hz: float) -> float | None:
    """The ADC's rounding noise per 270.833 kHz (dBFS); None for floating-point samples."""
    step = ADC_STEP.get(datatype)
    if step is None:
        return None
    return 10 * math.log10(step * step / 6 * SYMBOL_RATE_HZ / sample_rate_hz)


def noise_dbfs_total(scene: Scene, sample_rate_hz: float | None = None) -> float:
    """Front-end noise and ADC noise together, per 270.833 kHz (dBFS)."""
    rx = scene.receiver
    q = quantisation_noise_dbfs(rx.datatype, sample_rate_hz or rx.sample_rate_hz)
    n = 10 ** (rx.noise_dbfs / 10) + (0.0 if q is None else 10 ** (q / 10))
    return 10 * math.log10(n)


def received_dbfs(scene: Scene, cell: str, times_s: np.ndarray) -> np.ndarray:
    """The cell's power at the receiver (dBFS) at scene times ``times_s``; NaN while it is off."""
    spec = _cell(scene, cell)
    renderer = SceneRenderer(
        scene, center_hz=transmit_hz(spec), sample_rate_hz=scene.receiver.sample_rate_hz, traffic={}
    )
    act = next(a for a in renderer.active if a.spec.name == spec.name)
    levels = [renderer.received_dbfs(act, float(t)) for t in np.atleast_1d(times_s)]
    return np.array([np.nan if p is None else p for p in levels])


def es_n0_db(scene: Scene, cell: str, times_s: np.ndarray, sample_rate_hz: float | None = None) -> np.ndarray:
    """The cell's Es/N0 (dB) at the receiver at scene times ``times_s``; NaN while it is off."""
    return received_dbfs(scene, cell, times_s) - noise_dbfs_total(scene, sample_rate_hz)


def scene_times(scene: Scene, duration_s: float | None = None) -> np.ndarray:
    """The times a scene's levels are looked at: every ``LEVEL_STEP_S`` over its duration."""
    d = scene.duration_s if duration_s is None else duration_s
    return np.arange(0.0, d + LEVEL_STEP_S / 2, LEVEL_STEP_S)


def with_es_n0(
    scene: Scene,
    cell: str,
    es_n0: float,
    *,
    sample_rate_hz: float | None = None,
    duration_s: float | None = None,
) -> Scene:
    """``scene`` with ``receiver.noise_dbfs`` set so that ``cell`` has Es/N0 ``es_n0`` dB at its weakest
    while on (over ``duration_s``, default the scene's), counting the ADC's noise at ``sample_rate_hz``
    (default the scene's). ConfigError when the ADC alone is already too loud for it."""
    rate = sample_rate_hz or scene.receiver.sample_rate_hz
    levels = received_dbfs(scene, cell, scene_times(scene, duration_s))
    if np.all(np.isnan(levels)):
        raise ConfigError(f"{scene.name}: cell {cell!r} is never on")
    want = 10 ** ((float(np.nanmin(levels)) - es_n0) / 10)
    q = quantisation_noise_dbfs(scene.receiver.datatype, rate)
    front = want - (0.0 if q is None else 10 ** (q / 10))
    if front <= 0.01 * want:
        raise ConfigError(
            f"{scene.name}: Es/N0 {es_n0:g} dB for {cell!r} is above what the {scene.receiver.datatype} "
            f"ADC's own noise leaves at {rate:g} Hz ({float(np.nanmin(levels)) - q:.1f} dB)"
        )
    receiver = dataclasses.replace(scene.receiver, noise_dbfs=10 * math.log10(front))
    return dataclasses.replace(scene, receiver=receiver)


def working_cell(scene: Scene) -> str:
    """The scene's one cell that works phones (a fake station with ``works``), for ``--es-n0``."""
    names = [c.name for c in scene.cells if c.works is not None]
    if len(names) != 1:
        raise ConfigError(
            f"{scene.name}: {len(names)} cells work phones ({', '.join(names) or 'none'}): name one with --es-n0-cell"
        )
    return names[0]


def _cell(scene: Scene, name: str) -> CellSpec:
    for c in scene.cells:
        if c.name == name:
            return c
    raise ConfigError(f"{scene.name}: no cell named {name!r} (cells: {', '.join(c.name for c in scene.cells)})")
