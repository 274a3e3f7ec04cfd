"""Rendering a scene to IQ: every cell's C0 through its channel into one receiver's passband.

Per cell: the C0 at 4 samples per symbol (``c0.py``), turned by its residual frequency offset,
faded (typical urban) if asked, scaled to its received power at the receiver's position on the
route at that moment, switched on and off; then all cells at once through the synthesis mixer
(``mixer.py``) to the receiver's rate and tuning; then the receiver's noise, DC spike, IQ
imbalance and ADC (``frontend.py``).

Motion and drift: every cell's carrier also moves by the Doppler of the car's closing speed and
by its own and the receiver's oscillator drift (``offsets.py``), as a continuous phase; a parked
receiver with locked oscillators adds nothing (its samples are what they were without it).
Frequencies: a transmitter at ``f`` (its nominal ARFCN frequency, off by its own ``cfo_ppm`` and
``cfo_hz``) appears to a receiver whose clock runs ``ppm`` fast at ``f / (1 + ppm·1e-6) − centre``:
LO and ADC clock share one crystal, so every offset is seen through the same clock. (The symbol
rate is not scaled by the receiver's clock error: a few tens of ppm of timing drift are left out.)
Speed: cells are generated at 4 samples per symbol for receivers up to 4 Msps and at 2 above (a
HackRF at 8-20 Msps with tens of cells); at 2 the GMSK skirt beyond ±270 kHz (below −45 dBc)
folds back into the carrier's own band instead of reaching the neighbours, which no receiver
notices and halves the cost.
Time: sample 0 of the output is scene time 0, when each cell begins frame ``start_fn`` (delayed by
its ``timing_symbols``).
Traffic: ``traffic`` maps a cell's name to the blocks it sends on its CCCH and dedicated channels
(``traffic.py``), placed on its SDCCH/4 or SDCCH/8 as the cell's ``dedicated`` says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np

from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.gsm.burst import FRAME_SYMBOLS
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.model import IQBlock
from sensor.sim import c0
from sensor.sim.frontend import NoiseSource, add_dc, iq_imbalance, quantise
from sensor.sim.mixer import MixerState, initial_state, mix, plan_mixer
from sensor.sim.offsets import OffsetTrack, offset_track, receiver_walk
from sensor.sim.propagation import (
    FadingState,
    distance_m,
    doppler_hz,
    faded_multipath,
    fading_state,
    fractional_taps,
    static_multipath,
)
from sensor.sim.route import Drive
from sensor.sim.scene_traffic import SceneTraffic, scene_traffic
from sensor.sim.specs import CellSpec, Scene
from sensor.sim.traffic import Traffic

WIDE_RATE_HZ = 4e6  # above this the cells are generated at 2 samples per symbol (see the docstring)
EDGE_MARGIN_HZ = 300e3  # a carrier this far outside the passband still leaks in; farther ones are skipped
SHADOW_GRID_M = 1.0


def transmit_hz(cell: CellSpec) -> float:
    nominal = arfcn_to_downlink_hz(cell.arfcn, cell.band)
    return nominal * (1 + cell.cfo_ppm * 1e-6) + cell.cfo_hz


def scene_offsets(scene: Scene, duration_s: float | None = None) -> dict[str, OffsetTrack]:
    """Each cell's Doppler and oscillator track (``offsets.py``) over the scene (or ``duration_s``)."""
    span = scene.duration_s if duration_s is None else duration_s
    drive = Drive.from_points(scene.route.points, scene.route.speed_m_s) if scene.route else None
    rx = receiver_walk(scene.receiver.drift_ppm_per_min, seed=scene.seed, duration_s=span)
    return {
        c.name: offset_track(
            drive=drive,
            position=c.position,
            carrier_hz=transmit_hz(c),
            cell_drift_ppm_per_min=c.drift_ppm_per_min,
            receiver_drift_ppm=rx,
            seed=scene.seed,
            cell_index=i,
            duration_s=span,
        )
        for i, c in enumerate(scene.cells)
    }


def cell_config(cell: CellSpec, traffic: Traffic | None = None) -> c0.C0Config:
    """What ``cell``'s C0 transmits, with ``traffic`` on its CCCH and dedicated channels."""
    return c0.C0Config.from_params(
        cell.bsic, cell.params, cell.ccch_traffic, traffic=traffic, sdcch8_timeslots=cell.sdcch8_timeslots
    )


@dataclass(slots=True)
class _Active:
    spec: CellSpec
    gen: c0.C0Generator
    bins: int
    residual_hz: float
    phase_rad: float = 0.0
    fading: FadingState | None = None
    taps: np.ndarray | None = None  # static multipath
    taps_tail: np.ndarray | None = None
    shadow_db: np.ndarray | None = None  # shadowing along the route, one value per SHADOW_GRID_M
    offsets: OffsetTrack | None = None  # Doppler and drift, when it moves at all
    gen_start: int = 0  # scene time of the generator's next sample, in input samples
    base_rot: np.ndarray | None = field(default=None, repr=False)


class SceneRenderer:
    """Renders ``scene`` for a receiver tuned to ``center_hz`` at ``sample_rate_hz`` (default: the
    scene's receiver). ``retune`` changes the tuning while scene time runs on, like an SDR."""

    def __init__(
        self,
        scene: Scene,
        *,
        center_hz: float | None = None,
        sample_rate_hz: float | None = None,
        start_utc_s: float | None = None,
        ppm_correction: float = 0.0,
        traffic: Mapping[str, Traffic] | None = None,
    ) -> None:
        self.scene = scene
        # the dedicated traffic the scene's cells carry (sessions, SMS), unless the caller brings its own
        self.scene_traffic = scene_traffic(scene) if traffic is None else SceneTraffic(dict(traffic))
        self.traffic = self.scene_traffic.traffic
        unknown = sorted(set(self.traffic) - {c.name for c in scene.cells})
        if unknown:
            raise ValueError(f"traffic for {unknown[0]!r}, a cell scene {scene.name} does not have")
        rx = scene.receiver
        self.sample_rate_hz = float(sample_rate_hz or rx.sample_rate_hz)
        self.center_hz = float(center_hz or rx.center_hz)
        self.start_utc_s = start_utc_s
        self.sps = 2 if self.sample_rate_hz > WIDE_RATE_HZ else 4
        self.in_rate_hz = self.sps * SYMBOL_RATE_HZ
        self.plan = plan_mixer(self.in_rate_hz, self.sample_rate_hz, passband_hz=min(300e3, 0.5 * self.in_rate_hz))
        self.drive = Drive.from_points(scene.route.points, scene.route.speed_m_s) if scene.route else None
        seeds = np.random.SeedSequence(scene.seed).spawn(2 + 2 * len(scene.cells))
        self._noise = NoiseSource(np.random.default_rng(seeds[0]))
        self._cell_seeds = seeds[2:]
        self.hops_done = 0
        self.samples_done = 0
        self.clipped_components = 0
        # The tuner's gain relative to the one at which the scene's full_scale_dbm holds: it scales the
        # front end's output (signals and front-end noise alike) ahead of the ADC, which clips.
        self.gain_offset_db = 0.0
        # Frequency correction applied by the driver (rtl_sdr -p): what is left of the clock error.
        self.ppm_correction = ppm_correction
        self._shadow_cache: dict[str, np.ndarray] = {}
        self.offsets = scene_offsets(scene)
        self._select()

    # --- cells in the passband ----------------------------------------------------------------
    def _select(self) -> None:
        eps = (self.scene.receiver.ppm - self.ppm_correction) * 1e-6
        delay_in = (self.plan.n_in - self.plan.hop_in) // 2
        t_in = self.hops_done * self.plan.hop_in  # 4-sps samples of scene time already rendered
        self.active: list[_Active] = []
        for i, cell in enumerate(self.scene.cells):
            apparent = transmit_hz(cell) / (1 + eps) - self.center_hz
            if abs(apparent) > self.sample_rate_hz / 2 + EDGE_MARGIN_HZ:
                continue
            bins, residual = self.plan.split_offset(apparent)
            # The mixer's output lags its input by delay_in input samples, so the generator runs that
            # far ahead: its sample 0 is scene time (t_in + delay_in) / in_rate.
            s0 = t_in + delay_in - int(round(cell.timing_symbols * self.sps))
            frames, skip = divmod(s0, FRAME_SYMBOLS * self.sps)
            config = cell_config(cell, self.traffic.get(cell.name))
            gen = c0.C0Generator(config, first_fn=cell.start_fn + frames, skip_samples=skip, sps=self.sps)
            rng = np.random.default_rng(self._cell_seeds[2 * i])
            act = _Active(cell, gen, bins, residual, gen_start=t_in + delay_in)
            track = self.offsets.get(cell.name)
            act.offsets = track if track is not None and track.moves else None
            act.phase_rad = float(rng.uniform(-np.pi, np.pi))
            if cell.multipath == "tu":
                fd = cell.doppler_hz
                if fd is None:
                    speed = self.scene.route.speed_m_s if self.scene.route else 1.0
                    fd = doppler_hz(speed, transmit_hz(cell))
                act.fading = fading_state(6, fd, np.random.default_rng(self._cell_seeds[2 * i + 1]))
                act.fading = FadingState(
                    fd, act.fading.cos_alpha, act.fading.phases, (t_in + delay_in) / self.in_rate_hz
                )
            if cell.multipath == "static":
                act.taps = fractional_taps(
                    np.array(cell.paths_delay_us) * 1e-6, np.array(cell.paths_power_db), self.in_rate_hz
                )
            if self.drive is not None and cell.tx_power_dbm is not None and cell.position is not None:
                act.shadow_db = self._shadowing(i, cell)
            self.active.append(act)
        self._mixer: MixerState = initial_state(self.plan, len(self.active))

    def _shadowing(self, i: int, cell: CellSpec) -> np.ndarray:
        if cell.name not in self._shadow_cache:
            assert self.drive is not None
            grid = np.arange(0.0, self.drive.length_m + 2 * SHADOW_GRID_M, SHADOW_GRID_M)
            rng = np.random.default_rng(self._cell_seeds[2 * i + 1].spawn(1)[0])
            self._shadow_cache[cell.name] = self.scene.propagation.shadowing_db(grid, rng)
        return self._shadow_cache[cell.name]

    def retune(self, center_hz: float) -> None:
        """Tune elsewhere; scene time goes on (the mixer restarts, as a real tuner's samples do)."""
        self.center_hz = float(center_hz)
        self._select()

    # --- levels --------------------------------------------------------------------------------
    def received_dbfs(self, act: _Active, t_s: float) -> float | None:
        """Power of ``act`` at the receiver at scene time ``t_s``; None while it is off."""
        cell = act.spec
        if t_s < cell.on_s or (cell.off_s is not None and t_s >= cell.off_s):
            return None
        if cell.power_dbfs is not None and act.shadow_db is None:
            return cell.power_dbfs
        assert self.drive is not None and cell.tx_power_dbm is not None and cell.position is not None
        lat, lon = self.drive.position(t_s)
        d = float(distance_m(cell.position[0], cell.position[1], lat, lon))
        loss = float(self.scene.propagation.mean_loss_db(d))
        s = float(self.drive.travelled_m(t_s))
        assert act.shadow_db is not None
        shadow = float(act.shadow_db[min(int(s / SHADOW_GRID_M), len(act.shadow_db) - 1)])
        return cell.tx_power_dbm - loss - shadow - self.scene.receiver.full_scale_dbm

    def position(self, t_s: float) -> tuple[float, float] | None:
        if self.drive is None:
            return None
        lat, lon = self.drive.position(t_s)
        return float(lat), float(lon)

    # --- rendering -----------------------------------------------------------------------------
    @property
    def scene_time_s(self) -> float:
        """Scene time rendered so far (at the mixer's input)."""
        return self.hops_done * self.plan.hop_in / self.in_rate_hz

    def render(self, n_hops: int) -> np.ndarray:
        """The next ``n_hops × plan.hop_out`` output samples."""
        plan = self.plan
        n_in = n_hops * plan.hop_in
        t0_s = self.hops_done * plan.hop_in / self.in_rate_hz
        carriers = np.empty((len(self.active), n_in), np.complex64)
        # Received power changes with the car's position and transmitters switch on and off: the
        # amplitude is evaluated once per hop and interpolated over the samples (a smooth envelope).
        hop_times = t0_s + np.arange(n_hops + 1) * plan.hop_in / self.in_rate_hz
        sample_pos = np.arange(n_in, dtype=np.float64)
        hop_pos = np.arange(n_hops + 1, dtype=np.float64) * plan.hop_in
        for k, act in enumerate(self.active):
            x = act.gen.samples(n_in)
            if act.base_rot is None or len(act.base_rot) != n_in:
                act.base_rot = np.exp(2j * np.pi * act.residual_hz * np.arange(n_in) / self.in_rate_hz).astype(
                    np.complex64
                )
            x = x * act.base_rot * np.complex64(np.exp(1j * act.phase_rad))
            act.phase_rad = float((act.phase_rad + 2 * np.pi * act.residual_hz * n_in / self.in_rate_hz) % (2 * np.pi))
            if act.offsets is not None:  # Doppler and drift: a phase that is a function of scene time alone
                t_gen = (act.gen_start + np.arange(n_in, dtype=np.float64)) / self.in_rate_hz
                x = x * np.exp(1j * act.offsets.phase(t_gen)).astype(np.complex64)
            act.gen_start += n_in
            if act.fading is not None:
                x, act.fading = faded_multipath(x, sample_rate_hz=self.in_rate_hz, state=act.fading)
            if act.taps is not None:
                x, act.taps_tail = static_multipath(x, act.taps, act.taps_tail)
            levels = [self.received_dbfs(act, float(t)) for t in hop_times]
            amps = np.array([0.0 if p is None else 10 ** (p / 20) for p in levels])
            if np.all(amps == amps[0]):
                x *= np.float32(amps[0])
            else:
                x *= np.interp(sample_pos, hop_pos, amps).astype(np.float32)
            carriers[k] = x
        bins = np.array([a.bins for a in self.active], dtype=np.int64)
        if self.active:
            out, self._mixer = mix(plan, carriers, bins, np.ones(len(self.active)), self._mixer)
        else:
            out = np.zeros(n_hops * plan.hop_out, np.complex64)
        rx = self.scene.receiver
        out += self._noise.noise(len(out), noise_dbfs_per_symbol_bw=rx.noise_dbfs, sample_rate_hz=self.sample_rate_hz)
        if rx.dc_dbfs is not None:
            out = add_dc(out, dc_dbfs=rx.dc_dbfs)
        if rx.iq_gain_db or rx.iq_phase_deg:
            out = iq_imbalance(out, gain_db=rx.iq_gain_db, phase_deg=rx.iq_phase_deg)
        if self.gain_offset_db:
            out *= np.float32(10 ** (self.gain_offset_db / 20))
        if rx.datatype != "cf32_le":
            out, clipped = quantise(out, rx.datatype)
            self.clipped_components += clipped
        self.hops_done += n_hops
        return out

    def blocks(
        self, *, duration_s: float | None = None, block_samples: int = 1 << 18, source_id: str | None = None
    ) -> Iterator[IQBlock]:
        """IQ blocks of about ``block_samples`` samples until ``duration_s`` (default: the scene's)."""
        total = int(round((duration_s if duration_s is not None else self.scene.duration_s) * self.sample_rate_hz))
        hops_per_block = max(1, block_samples // self.plan.hop_out)
        sid = source_id or f"sim:{self.scene.name}"
        pending = np.empty(0, np.complex64)
        emitted = 0
        while emitted < total:
            if len(pending) < min(block_samples, total - emitted):
                pending = np.concatenate((pending, self.render(hops_per_block)))
                continue
            n = min(block_samples, total - emitted, len(pending))
            first = self.samples_done
            yield IQBlock(
                samples=np.ascontiguousarray(pending[:n]),
                sample_rate_hz=self.sample_rate_hz,
                center_hz=self.center_hz,
                first_sample=first,
                time_utc_s=None if self.start_utc_s is None else self.start_utc_s + first / self.sample_rate_hz,
                gain_db=None,
                source_id=sid,
            )
            pending = pending[n:]
            emitted += n
            self.samples_done += n
