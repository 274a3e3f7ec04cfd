"""Whether a stretch of IQ shows a carrier that the carriers already known do not explain.

A cheap spectrum (``dsp.spectrum.raster_contrast``: one averaged spectrum, ~1 ms for a second
at 2.4 Msps) asks every 200 kHz raster point of the tuning whether a carrier stands out of the
noise there; points within ``TRACKED_NEAR_HZ`` of a known carrier are that carrier, and a point
mirrored onto a known carrier (``IMAGE_NEAR_HZ``) and ``IMAGE_REJECTION_DB`` or more below it is
its I/Q image (a zero-IF receiver mirrors every tone at f to −f). What is left and stands out is a
carrier that only the costly FCCH search can identify: the stream receiver searches a window for
it, and the wideband receiver asks it before searching the end of a stretch whose start it has
just searched.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sensor.dsp.channelizer import raster_offsets_hz
from sensor.dsp.fcch_search import CHANNEL_HALF_WIDTH_HZ
from sensor.dsp.spectrum import raster_contrast

USABLE_FRACTION = 0.9  # a raster point's both rings inside ±0.9 × fs/2; nearer the edge, its inner ring
NEW_CARRIER_CONTRAST = 1.3  # raster_contrast of noise alone ~1.0 ± 0.03; a carrier at 0 dB SNR ~1.8
TRACKED_NEAR_HZ = 100e3  # a raster point this close to a known carrier is that carrier
IMAGE_NEAR_HZ = 30e3  # ... and one this close to a known carrier's mirror frequency may be its I/Q image
IMAGE_REJECTION_DB = (
    15.0  # an image is this much weaker, or more (25-40 dB on an RTL-SDR; as dsp.fcch_search.drop_images)
)


def unexplained_carrier(
    samples: np.ndarray,
    sample_rate_hz: float,
    center_hz: float,
    known_rel_hz: Sequence[float],
    *,
    receiver_ppm: float = 0.0,
) -> bool:
    """Whether ``samples`` (a tuning to ``center_hz``) show a carrier on a raster point that none
    of the carriers at ``known_rel_hz`` (Hz from the tuning) explains, nor their I/Q images.
    Every raster point whose channel (±100 kHz) lies inside the recorded ±fs/2 is asked, as the
    first window's FCCH search covers them (``fcch_search.tone_search_band_hz``): those whose outer
    ring (100-160 kHz out) would leave the band against their inner ring alone."""
    edge_hz = sample_rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ
    usable = max(USABLE_FRACTION, 2 * edge_hz / sample_rate_hz)
    _, offsets = raster_offsets_hz(center_hz, sample_rate_hz, receiver_ppm=receiver_ppm, usable_fraction=usable)
    known = np.asarray(known_rel_hz, np.float64)
    if len(known):
        offsets = offsets[np.abs(offsets[:, None] - known[None, :]).min(axis=1) >= TRACKED_NEAR_HZ]
    contrast, power_dbfs = raster_contrast(
        samples, sample_rate_hz, np.concatenate((offsets, known)), usable_fraction=USABLE_FRACTION, edge_hz=edge_hz
    )
    contrast, power_dbfs, known_dbfs = contrast[: len(offsets)], power_dbfs[: len(offsets)], power_dbfs[len(offsets) :]
    stands_out = np.isfinite(contrast) & (contrast >= NEW_CARRIER_CONTRAST)
    if len(known):
        mirror = np.abs(offsets[:, None] + known[None, :]) < IMAGE_NEAR_HZ
        image = np.any(mirror & (power_dbfs[:, None] < known_dbfs[None, :] - IMAGE_REJECTION_DB), axis=1)
        stands_out &= ~image
    return bool(np.any(stands_out))
