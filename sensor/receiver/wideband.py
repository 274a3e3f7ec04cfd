"""Every GSM carrier in a stretch of IQ: wideband FCCH search → one channel stream per carrier
(channelizer) → ``receive_channel`` for each.

This is the offline form used for recordings of seconds (it holds the stretch in memory); the
streaming receiver for long recordings and live radios builds on the same pieces.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from sensor.dsp.channelizer import channelize_all, plan_channelizer
from sensor.dsp.fcch import FcchBursts, concat_bursts, search_fcch_wideband
from sensor.dsp.fcch_carriers import FcchCarrier, estimate_receiver_ppm, group_carriers
from sensor.dsp.spectrum import carrier_contrast
from sensor.receiver.channel import ChannelResult, receive_channel

SPS = 2
SEARCH_S = 0.3
PRESCREEN_CONTRAST = 1.2  # noise alone: 1.05; a carrier at -2 dB SNR: 1.6 (dsp/spectrum.py)


@dataclass(frozen=True, slots=True)
class CarrierResult:
    carrier: FcchCarrier
    result: ChannelResult


def receive_wideband(
    samples: np.ndarray,
    *,
    sample_rate_hz: float,
    center_hz: float,
    t0_s: float = 0.0,
    time_utc_s: float | None = None,
    usable_fraction: float = 0.9,
    search_s: float | None = SEARCH_S,
    work: np.ndarray | None = None,
    prescreen: bool = False,
) -> tuple[list[CarrierResult], float | None]:
    """Decode every carrier whose FCCH is found in ``samples``. Returns the carriers (strongest
    first) and the receiver's clock error in ppm estimated from them (None with too few).

    The FCCH search (the costly part) looks at the first and the last ``search_s`` seconds only
    (None: all): five to eight FCCHs per carrier in each, enough to find it and its SCHs, also when
    it switched on or off within the stretch; the frame timing is then refined on every SCH of
    the whole stretch. ``work``: a complex64 buffer the channel streams
    may be written into (the stream receiver reuses one across windows). ``prescreen``: first ask
    one averaged spectrum whether anything carrier-like stands out of the noise (``carrier_contrast``)
    and stop there if not: a scanner's empty tunings then cost almost nothing.
    """
    if prescreen and carrier_contrast(samples, sample_rate_hz, usable_fraction=usable_fraction) < PRESCREEN_CONTRAST:
        return [], None
    n_search = len(samples) if search_s is None else int(search_s * sample_rate_hz)
    spans = [(0, len(samples))] if len(samples) <= 2 * n_search else [(0, n_search), (len(samples) - n_search, len(samples))]
    found = []
    for a, b in spans:
        f = search_fcch_wideband(samples[a:b], sample_rate_hz=sample_rate_hz, usable_fraction=usable_fraction)
        found.append(dataclasses.replace(f, start_sample=f.start_sample + a))
    bursts = concat_bursts(found, sample_rate_hz)
    carriers = group_carriers(bursts, center_hz=center_hz)
    ppm = estimate_receiver_ppm(carriers)
    if ppm is not None:  # with the receiver's error known, each carrier lands on its own raster point
        carriers = group_carriers(bursts, center_hz=center_hz, receiver_ppm=ppm)
    carriers = [c for c in carriers if c.arfcn is not None and c.cadence.consistent]
    if not carriers:
        return [], ppm
    # Each carrier's stream centred on the carrier as seen (its raster point moved by the receiver's
    # error), to the channelizer's bin: the carrier's last few tens of Hz are measured and removed
    # per carrier anyway, and whole-bin offsets spare the channelizer a rotation of every sample.
    bin_hz = plan_channelizer(sample_rate_hz, [0.0], samples_per_symbol=SPS).bin_hz
    offsets = [round(c.carrier_offset_hz / bin_hz) * bin_hz for c in carriers]
    plan = plan_channelizer(sample_rate_hz, offsets, samples_per_symbol=SPS)
    streams = channelize_all(plan, np.asarray(samples, np.complex64), with_power=False,
                             out=None if work is None or work.shape[0] < len(offsets) else work[: len(offsets)]).samples
    out = []
    ratio = plan.out_rate_hz / sample_rate_hz  # the channelizer has no lag: same instants, other rate
    for c, centre_hz, y in zip(carriers, offsets, streams):
        b = c.bursts
        fcch = FcchBursts(b.start_sample * ratio, b.duration_symbols, b.tone_hz - centre_hz,
                          b.carrier_offset_hz - centre_hz, b.freq_std_hz, b.snr_db, b.coherence,
                          b.power_dbfs, plan.out_rate_hz)
        # The blocks' offsets are from the carrier's raster point: where this stream's centre lies from it.
        base = float(c.raster_offset_hz or 0.0) - (c.carrier_offset_hz - centre_hz)
        r = receive_channel(y, samples_per_symbol=SPS, arfcn=int(c.arfcn), band=c.band, t0_s=t0_s, time_utc_s=time_utc_s,
                            offset_base_hz=base, fcch=fcch)
        out.append(CarrierResult(c, r))
    return out, ppm
