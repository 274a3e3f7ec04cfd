"""How each cell's carrier moves at the receiver over time: the Doppler of the car's closing speed
and the oscillators' slow drift, as a frequency track and its continuous phase.

Doppler: a receiver moving with velocity v sees a transmitter at unit direction û (from the
receiver to the transmitter) shifted by f_d = (v·û) / λ: approaching raises the carrier (at
950 MHz, 3.17 Hz per m/s of closing speed). v is the route's velocity (constant speed along each
leg, zero after the last waypoint), û from the flat-earth offset of the transmitter (fine over a
few km). A cell without a position (given by ``power_dbfs``) has no direction: no Doppler.

Oscillators: a cell's (``drift_ppm_per_min``) and the receiver's (``ReceiverSpec.drift_ppm_per_min``)
frequency errors wander as random walks of that many ppm per √minute, on top of their static
errors (``cfo_ppm``/``cfo_hz``, ``ReceiverSpec.ppm``); each walk starts at zero at scene time 0
and is drawn from the scene's seed and the cell's index (a stream of its own: no other random
draw of the scene changes). A real operator's cell is locked to its network's reference (0.05 ppm
class: no drift, the default); a fake's free-running crystal drifts (0.01 ppm per minute is typical).

The track is sampled every ``GRID_S``; between samples the frequency is linear, so the phase (its
integral) is exact and continuous for any stretch of samples, across retunes and block edges: no
phase jump that a receiver would take for a frequency error. Everything is in Hz at the receiver:
``total_hz = doppler_hz + oscillator_hz − receiver_hz`` (a receiver whose clock runs fast sees every
carrier low by the carrier times its error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.sim.propagation import EARTH_RADIUS_M, SPEED_OF_LIGHT_M_S
from sensor.sim.route import Drive

GRID_S = 0.05  # frequency track resolution (a car's Doppler changes by < 1 Hz in 50 ms but at a corner)
DRIFT_STREAM = 0x0D0F  # the SeedSequence key of the oscillators' walks (apart from the scene's other draws)


@dataclass(frozen=True, slots=True, eq=False)
class OffsetTrack:
    """One cell's frequency offsets at the receiver on a regular grid from scene time 0."""

    t_s: np.ndarray
    doppler_hz: np.ndarray
    oscillator_hz: np.ndarray  # the cell's drift (beyond its static cfo)
    receiver_hz: np.ndarray  # the receiver's drift as seen at this carrier (beyond its static ppm)
    total_hz: np.ndarray  # doppler + oscillator − receiver
    phase_rad: np.ndarray  # 2π ∫ total from time 0, at each grid point

    @property
    def moves(self) -> bool:
        """Whether the carrier moves at all (a parked receiver with locked oscillators: it does not)."""
        return bool(np.any(self.total_hz != 0.0))

    def phase(self, t_s: np.ndarray) -> np.ndarray:
        """2π ∫₀ᵗ total(τ) dτ at scene times ``t_s`` (exact for the piecewise-linear frequency)."""
        t = np.asarray(t_s, dtype=np.float64)
        step = self.t_s[1] - self.t_s[0]
        i = np.clip((t // step).astype(np.int64), 0, len(self.t_s) - 2)
        tau = t - self.t_s[i]
        f0 = self.total_hz[i]
        slope = (self.total_hz[i + 1] - f0) / step
        # beyond the grid the frequency holds its last value
        beyond = t > self.t_s[-1]
        slope = np.where(beyond, 0.0, slope)
        f0 = np.where(beyond, self.total_hz[-1], f0)
        i = np.where(beyond, len(self.t_s) - 1, i)
        tau = np.where(beyond, t - self.t_s[-1], tau)
        return self.phase_rad[i] + 2 * np.pi * (f0 * tau + 0.5 * slope * tau * tau)

    def at(self, t_s: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(doppler_hz, oscillator_hz, receiver_hz) at scene times ``t_s`` (linear between grid points)."""
        return (
            np.interp(t_s, self.t_s, self.doppler_hz),
            np.interp(t_s, self.t_s, self.oscillator_hz),
            np.interp(t_s, self.t_s, self.receiver_hz),
        )


def velocity_en(drive: Drive, t_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The receiver's velocity (east, north) in m/s at scene times ``t_s``: along the leg it is on,
    at the route's speed; zero once it stopped at the last waypoint (or on a one-point route)."""
    t = np.asarray(t_s, dtype=np.float64)
    if len(drive.lat_deg) < 2 or drive.length_m <= 0.0:
        return np.zeros_like(t), np.zeros_like(t)
    s = drive.travelled_m(t)
    leg = np.clip(np.searchsorted(drive.cum_m, s, side="right") - 1, 0, len(drive.cum_m) - 2)
    lat0 = np.radians(drive.lat_deg[leg])
    d_north = np.radians(drive.lat_deg[leg + 1] - drive.lat_deg[leg]) * EARTH_RADIUS_M
    d_east = np.radians(drive.lon_deg[leg + 1] - drive.lon_deg[leg]) * EARTH_RADIUS_M * np.cos(lat0)
    norm = np.hypot(d_north, d_east)
    moving = (t * drive.speed_m_s < drive.length_m) & (norm > 0)
    scale = np.where(moving, drive.speed_m_s / np.where(norm > 0, norm, 1.0), 0.0)
    return d_east * scale, d_north * scale


def doppler_track_hz(drive: Drive, position: tuple[float, float], carrier_hz: float, t_s: np.ndarray) -> np.ndarray:
    """f_d = (v·û)/λ of a transmitter at ``position`` (lat, lon) seen from the car at times ``t_s``."""
    lat, lon = drive.position(t_s)
    north = np.radians(position[0] - lat) * EARTH_RADIUS_M
    east = np.radians(position[1] - lon) * EARTH_RADIUS_M * np.cos(np.radians(lat))
    dist = np.hypot(north, east)
    ve, vn = velocity_en(drive, t_s)
    closing = np.where(dist > 0, (ve * east + vn * north) / np.where(dist > 0, dist, 1.0), 0.0)
    return closing * carrier_hz / SPEED_OF_LIGHT_M_S


def random_walk_ppm(ppm_per_min: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """A random walk of ``ppm_per_min`` per √minute sampled every GRID_S, starting at 0."""
    if ppm_per_min == 0.0 or n == 0:
        return np.zeros(n)
    steps = rng.standard_normal(n - 1) * ppm_per_min * np.sqrt(GRID_S / 60.0)
    return np.concatenate(([0.0], np.cumsum(steps)))


def grid(duration_s: float) -> np.ndarray:
    """The track's times: from 0 to past ``duration_s`` (two points at least)."""
    return np.arange(int(np.ceil(duration_s / GRID_S)) + 2) * GRID_S


def offset_track(
    *,
    drive: Drive | None,
    position: tuple[float, float] | None,
    carrier_hz: float,
    cell_drift_ppm_per_min: float,
    receiver_drift_ppm: np.ndarray,
    seed: int,
    cell_index: int,
    duration_s: float,
) -> OffsetTrack:
    """The offsets of one cell at ``carrier_hz`` over ``duration_s`` of scene time; ``receiver_drift_ppm``
    is the receiver's walk on the same grid (``receiver_walk``)."""
    t = grid(duration_s)
    doppler = (
        doppler_track_hz(drive, position, carrier_hz, t)
        if drive is not None and position is not None
        else np.zeros(len(t))
    )
    rng = np.random.default_rng(np.random.SeedSequence([seed, DRIFT_STREAM, 1 + cell_index]))
    osc = random_walk_ppm(cell_drift_ppm_per_min, len(t), rng) * carrier_hz * 1e-6
    rx = receiver_drift_ppm * carrier_hz * 1e-6
    total = doppler + osc - rx
    # the phase at each grid point: the trapezoid rule is exact for a piecewise-linear frequency
    phase = np.concatenate(([0.0], np.cumsum(np.pi * (total[1:] + total[:-1]) * GRID_S)))
    return OffsetTrack(t, doppler, osc, rx, total, phase)


def receiver_walk(ppm_per_min: float, *, seed: int, duration_s: float) -> np.ndarray:
    """The receiver's oscillator drift (ppm, beyond its static error) on the track's grid."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, DRIFT_STREAM, 0]))
    return random_walk_ppm(ppm_per_min, len(grid(duration_s)), rng)
