"""Every GSM carrier in a stretch of IQ: wideband FCCH search → one channel stream per carrier
(channelizer) → ``receive_channel`` for each.

A stretch may also come with the carriers already known from the stretch before it (``Track``:
the same tuning, continuous samples): those need no search at all — their channel streams are cut
at once and each is synchronised from its carried-over frame timing (``receive_channel``'s
``prior``), which is what keeps a long recording or a live radio cheap once its carriers are
known. ``receiver/stream.py`` decides when a stretch is searched anyway (``search``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sensor.dsp.channelizer import channelize_all, plan_channelizer
from sensor.dsp.fcch import FcchBursts, concat_bursts, search_fcch_wideband
from sensor.dsp.fcch_carriers import FcchCarrier, estimate_receiver_ppm, group_carriers, median_receiver_ppm
from sensor.dsp.spectrum import carrier_contrast
from sensor.receiver.channel import ChannelResult, ChannelSync, receive_channel

SPS = 2
SEARCH_S = 0.3
PRESCREEN_CONTRAST = 1.2  # noise alone: 1.05; a carrier at -2 dB SNR: 1.6 (dsp/spectrum.py)
SAME_CARRIER_HZ = 2e3  # a carrier found by a search within this of a track's is that track's carrier


@dataclass(frozen=True, slots=True)
class Track:
    """A carrier carried from one stretch to the next of the same tuning. Frequencies are relative
    to the tuning; the frame timing is on the source's clock (input samples from its first), so it
    holds across stretches: BN0 of timeslot 0 of frame ``fn0`` is centred on input sample
    ``sample0``, frame fn on ``sample0 + samples_per_frame·(fn − fn0)``. ``bsic`` is None for a
    carrier whose FCCH was found but that did not synchronise (then there is no timing)."""

    arfcn: int
    band: str | None
    centre_hz: float  # its channel stream's centre (whole channelizer bins)
    raster_rel_hz: float  # its 200 kHz raster point
    freq_offset_hz: float  # the carrier, from centre_hz
    freq_std_hz: float
    bsic: int | None = None
    fn0: int = 0
    sample0: float = 0.0
    samples_per_frame: float = 0.0
    combined: bool | None = None
    unsynced_windows: int = 0  # stretches in a row in which it was found but did not synchronise

    @property
    def synchronised(self) -> bool:
        return self.bsic is not None

    @property
    def carrier_rel_hz(self) -> float:
        return self.centre_hz + self.freq_offset_hz


@dataclass(frozen=True, slots=True)
class CarrierResult:
    arfcn: int
    band: str | None
    result: ChannelResult
    carrier: FcchCarrier | None = None  # the search's view of it (None: carried over, not searched)
    track: Track | None = None  # what the next stretch carries over (None: not found in this one)


def _search(samples: np.ndarray, sample_rate_hz: float, center_hz: float, usable_fraction: float,
            search_s: float | None, end_only: bool) -> tuple[list[FcchCarrier], float | None]:
    """Carriers whose FCCH shows in the first and the last ``search_s`` seconds (None: all), or
    in the last only."""
    n_search = len(samples) if search_s is None else int(search_s * sample_rate_hz)
    if len(samples) <= (1 if end_only else 2) * n_search:
        spans = [(0, len(samples))]
    elif end_only:
        spans = [(len(samples) - n_search, len(samples))]
    else:
        spans = [(0, n_search), (len(samples) - n_search, len(samples))]
    found = []
    for a, b in spans:
        f = search_fcch_wideband(samples[a:b], sample_rate_hz=sample_rate_hz, usable_fraction=usable_fraction)
        found.append(dataclasses.replace(f, start_sample=f.start_sample + a))
    bursts = concat_bursts(found, sample_rate_hz)
    carriers = group_carriers(bursts, center_hz=center_hz)
    ppm = estimate_receiver_ppm(carriers)
    if ppm is not None:  # with the receiver's error known, each carrier lands on its own raster point
        carriers = group_carriers(bursts, center_hz=center_hz, receiver_ppm=ppm)
    return [c for c in carriers if c.arfcn is not None and c.cadence.consistent], ppm


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
    tracks: Sequence[Track] = (),
    first_sample: int = 0,
    search: bool = True,
    search_end_only: bool = False,
) -> tuple[list[CarrierResult], float | None]:
    """Decode every carrier whose FCCH is found in ``samples``, and every carrier of ``tracks``.
    Returns the carriers (searched ones strongest first, then the carried-over ones) and the
    receiver's clock error in ppm estimated from them (None with too few).

    The FCCH search (the costly part) looks at the first and the last ``search_s`` seconds only
    (None: all): five to eight FCCHs per carrier in each, enough to find it and its SCHs, also when
    it switched on or off within the stretch; the frame timing is then refined on every SCH of
    the whole stretch. ``search=False`` skips it: only the ``tracks`` are received (``first_sample``:
    the source's index of ``samples[0]``, the clock the tracks' timing is on). A carrier the search
    finds within ``SAME_CARRIER_HZ`` of a track is received as that track; ``search_end_only``:
    search the last ``search_s`` only (what a stream whose earlier stretches were searched needs
    to find a carrier that has appeared since: it is on at the end). ``work``: a complex64
    buffer the channel streams may be written into (the stream receiver reuses one across windows).
    ``prescreen``: first ask one averaged spectrum whether anything carrier-like stands out of the
    noise (``carrier_contrast``) and stop there if not: a scanner's empty tunings then cost almost
    nothing.
    """
    if prescreen and not tracks and carrier_contrast(samples, sample_rate_hz, usable_fraction=usable_fraction) < PRESCREEN_CONTRAST:
        return [], None
    bin_hz = plan_channelizer(sample_rate_hz, [0.0], samples_per_symbol=SPS).bin_hz
    jobs: list[tuple[Track | None, FcchCarrier | None]] = [(t, None) for t in tracks]
    ppm = None
    if search:
        carriers, ppm = _search(samples, sample_rate_hz, center_hz, usable_fraction, search_s, search_end_only)
        for c in carriers:
            same = [i for i, (t, _) in enumerate(jobs)
                    if t is not None and abs(t.carrier_rel_hz - c.carrier_offset_hz) < SAME_CARRIER_HZ]
            if same:
                jobs[same[0]] = (jobs[same[0]][0], c)
            else:
                jobs.append((None, c))
        # A carrier that did not synchronise before and that the search no longer finds is gone.
        jobs = [j for j in jobs if j[1] is not None or (j[0] is not None and j[0].synchronised)]
        # Searched carriers first, strongest first (as without tracks), then the rest of the tracks.
        jobs.sort(key=lambda j: (j[1] is None, -(j[1].snr_db if j[1] is not None else 0.0)))
    if not jobs:
        return [], ppm
    # Each carrier's stream centred on the carrier as seen (its raster point moved by the receiver's
    # error), to the channelizer's bin: the carrier's last few tens of Hz are measured and removed
    # per carrier anyway, and whole-bin offsets spare the channelizer a rotation of every sample.
    centres = [t.centre_hz if t is not None else round(c.carrier_offset_hz / bin_hz) * bin_hz  # type: ignore[union-attr]
               for t, c in jobs]
    plan = plan_channelizer(sample_rate_hz, centres, samples_per_symbol=SPS)
    streams = channelize_all(plan, np.asarray(samples, np.complex64), with_power=False,
                             out=None if work is None or work.shape[0] < len(centres) else work[: len(centres)]).samples
    ratio = plan.out_rate_hz / sample_rate_hz  # the channelizer has no lag: same instants, other rate
    out = []
    for (track, c), centre_hz, y in zip(jobs, centres, streams):
        if c is not None:
            raster_rel = float(c.raster_hz) - center_hz  # type: ignore[arg-type]
            arfcn, band = int(c.arfcn), c.band  # type: ignore[arg-type]
        else:
            assert track is not None
            raster_rel, arfcn, band = track.raster_rel_hz, track.arfcn, track.band
        prior = fcch = None
        if track is not None and track.synchronised:
            prior = ChannelSync(int(track.bsic), track.fn0, (track.sample0 - first_sample) * ratio,  # type: ignore[arg-type]
                                track.samples_per_frame * ratio, track.freq_offset_hz, track.freq_std_hz, 0)
        elif c is not None:
            b = c.bursts
            fcch = FcchBursts(b.start_sample * ratio, b.duration_symbols, b.tone_hz - centre_hz,
                              b.carrier_offset_hz - centre_hz, b.freq_std_hz, b.snr_db, b.coherence,
                              b.power_dbfs, plan.out_rate_hz)
        # The blocks' offsets are from the carrier's raster point: where this stream's centre lies from it.
        r = receive_channel(y, samples_per_symbol=SPS, arfcn=arfcn, band=band, t0_s=t0_s, time_utc_s=time_utc_s,
                            offset_base_hz=centre_hz - raster_rel, fcch=fcch, prior=prior,
                            combined=None if track is None else track.combined)
        out.append(CarrierResult(arfcn, band, r, c, _next_track(track, c, r, arfcn, band, centre_hz, raster_rel,
                                                                 first_sample, ratio)))
    if ppm is None:
        ppm = median_receiver_ppm([(center_hz + x.track.raster_rel_hz, center_hz + x.track.carrier_rel_hz)
                                   for x in out if x.track is not None and x.result.sync is not None])
    return out, ppm


def _next_track(track: Track | None, c: FcchCarrier | None, r: ChannelResult, arfcn: int, band: str | None,
                centre_hz: float, raster_rel: float, first_sample: int, ratio: float) -> Track | None:
    s = r.sync
    if s is not None:
        return Track(arfcn, band, centre_hz, raster_rel, s.freq_offset_hz, s.freq_std_hz, s.bsic, s.fn0,
                     first_sample + s.sample0 / ratio, s.samples_per_frame / ratio, r.combined)
    if r.fcch_found == 0 and c is None:
        return None  # neither searched nor heard: gone
    if c is not None:
        f_off, f_std = c.carrier_offset_hz - centre_hz, c.offset_std_hz
    else:
        assert track is not None
        f_off, f_std = track.freq_offset_hz, track.freq_std_hz
    return Track(arfcn, band, centre_hz, raster_rel, f_off, f_std, combined=r.combined if r.combined is not None
                 else (None if track is None else track.combined),
                 unsynced_windows=1 + (track.unsynced_windows if track is not None and not track.synchronised else 0))
