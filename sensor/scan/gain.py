"""Gain control: a tuner gain that keeps the strongest carrier of a tuning out of the ADC's clipping.

An 8-bit RTL-SDR has about 45 dB between its noise and full scale; a fake station parked by the
road can be 60 dB above the cells around it. Clipping does not only lose that carrier: it spreads
intermodulation over the whole tuning (phantom carriers, wrong offsets). So after the first look
at a tuning the controller checks how many I/Q components hit full scale and how high the
envelope peaks: clipping → lower the gain until the peak sits ``headroom_db`` under full scale;
everything far below full scale → raise it (weak cells gain SNR against the ADC's own noise).
The gain that worked is remembered per tuning, so the next pass starts there. Gains snap to what
the profile says the tuner can set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sensor.sources.profiles import ReceiverProfile

CLIP_LEVEL = 0.99  # |I| or |Q| at this fraction of full scale counts as clipped (8-bit: 127/128)


def clipped_components(x: np.ndarray) -> int:
    """How many I and Q components of ``x`` are at full scale."""
    v = np.asarray(x).view(np.float32) if np.asarray(x).dtype == np.complex64 else np.abs(np.asarray(x))
    return int(np.count_nonzero(np.abs(v) >= CLIP_LEVEL))


def peak_dbfs(x: np.ndarray, quantile: float = 0.999) -> float:
    """The envelope's high quantile in dB full scale (robust to single spikes)."""
    if len(x) == 0:
        return -math.inf
    p = float(np.quantile(np.abs(x[:: max(1, len(x) // 65536)]), quantile))
    return 20 * math.log10(p) if p > 0 else -math.inf


@dataclass(slots=True)
class GainControl:
    profile: ReceiverProfile
    headroom_db: float = 6.0  # wanted distance of the envelope's peak from full scale
    max_clip_fraction: float = 1e-5
    raise_below_dbfs: float = -30.0  # a peak this low wastes the ADC's range
    by_tuning: dict[float, float] = field(default_factory=dict)
    clipped_total: int = 0
    changes: int = 0

    def start_gain(self, center_hz: float) -> float | None:
        """Where to start on a tuning: the gain that worked there last, else the profile default."""
        return self.by_tuning.get(round(center_hz), self.profile.default_gain_db)

    def adjust(self, center_hz: float, gain_db: float | None, samples: np.ndarray) -> float | None:
        """The gain to use on this tuning after looking at ``samples`` taken at ``gain_db``;
        None when it should stay as it is (or the tuner has no settable gain)."""
        limits = self.profile.gain_limits_db()
        if gain_db is None or limits is None or len(samples) == 0:
            return None
        clipped = clipped_components(samples)
        self.clipped_total += clipped
        peak = peak_dbfs(samples)
        want = gain_db
        if clipped > self.max_clip_fraction * 2 * len(samples):
            # The true peak is unknown (it is clipped): take away at least the headroom.
            want = gain_db - max(self.headroom_db, peak + self.headroom_db) - self.headroom_db
        elif peak > -self.headroom_db / 2:
            want = gain_db - (peak + self.headroom_db)
        elif peak < self.raise_below_dbfs:
            want = gain_db + min(-self.headroom_db - peak, 20.0)
        new = self.profile.nearest_gain_db(min(max(want, limits[0]), limits[1]))
        self.by_tuning[round(center_hz)] = new
        if abs(new - gain_db) < 1e-6:
            return None
        self.changes += 1
        return new
