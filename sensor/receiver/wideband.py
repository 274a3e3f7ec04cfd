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

from sensor.dsp.channel_window import channelize_all, channelize_groups, padded_length
from sensor.dsp.channelizer import ChannelizerPlan, select_channels
from sensor.dsp.fcch import FcchBursts, concat_bursts
from sensor.dsp.fcch_carriers import FcchCarrier, estimate_receiver_ppm, group_carriers, median_receiver_ppm
from sensor.dsp.fcch_search import search_fcch_wideband
from sensor.dsp.spectrum import carrier_contrast
from sensor.receiver.channel import ChannelResult, ChannelSync, receive_channel, tracked_spans
from sensor.receiver.channel_plan import PADDED, SPS, STREAMS_MAX_BYTES, Workspace, centre_grid_hz, channel_plan
from sensor.receiver.follow import Follower
from sensor.receiver.unexplained import unexplained_carrier

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
    follower: Follower | None = None  # the sub-channels it assigned that are followed (receiver.follow)

    @property
    def slots(self) -> tuple[int, ...]:
        """The timeslots its stream is wanted around: 0 and those of the sub-channels followed."""
        followed = () if self.follower is None else (tn for tn, _ in self.follower.channels)
        return tuple(sorted({0, *followed}))

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
    offset_base_hz: float = 0.0  # where its channel stream's centre lies from its raster point


def _search(
    samples: np.ndarray,
    sample_rate_hz: float,
    center_hz: float,
    usable_fraction: float,
    search_s: float | None,
    end_only: bool,
    room: np.ndarray | None = None,
) -> tuple[list[FcchCarrier], float | None]:
    """Carriers whose FCCH shows in the first ``search_s`` seconds (None: all) and in the last
    ``search_s`` (searched only when the rest of the stretch shows a carrier the first did not
    explain: ``receiver.unexplained``), or in the last only. ``room``: the buffer the stretch
    lies in (``Workspace.padded``), where the search may pad a piece of it in place."""
    n = len(samples)
    n_search = n if search_s is None else int(search_s * sample_rate_hz)
    if n <= (1 if end_only else 2) * n_search:
        spans = [(0, n)]
    elif end_only:
        spans = [(n - n_search, n)]
    else:
        spans = [(0, n_search), (n - n_search, n)]
    found = []
    for i, (a, b) in enumerate(spans):
        if i == 1:  # the end too, if the rest of the stretch shows a carrier the start did not explain
            carriers, ppm = _carriers(concat_bursts(found, sample_rate_hz), center_hz)
            if not unexplained_carrier(
                samples[n_search:],
                sample_rate_hz,
                center_hz,
                [c.carrier_offset_hz for c in carriers],
                receiver_ppm=0.0 if ppm is None else ppm,
            ):
                return carriers, ppm
        f = search_fcch_wideband(
            samples[a:b], sample_rate_hz=sample_rate_hz, usable_fraction=usable_fraction, room=room
        )
        found.append(dataclasses.replace(f, start_sample=f.start_sample + a))
    return _carriers(concat_bursts(found, sample_rate_hz), center_hz)


def _carriers(bursts: FcchBursts, center_hz: float) -> tuple[list[FcchCarrier], float | None]:
    """The carriers of FCCH bursts that identify one (on the raster, on the FCCH cadence), and
    the receiver's clock error they give (None with too few)."""
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
    work: Workspace | None = None,
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
    it switched on or off within the stretch (the last only when a cheap spectrum of the rest
    shows a carrier the first did not find); the frame timing is then refined on every SCH of
    the whole stretch. ``search=False`` skips it: only the ``tracks`` are received (``first_sample``:
    the source's index of ``samples[0]``, the clock the tracks' timing is on). A carrier the search
    finds within ``SAME_CARRIER_HZ`` of a track is received as that track; ``search_end_only``:
    search the last ``search_s`` only (what a stream whose earlier stretches were searched needs
    to find a carrier that has appeared since: it is on at the end). ``work``: where the
    channel streams are written (the stream receiver keeps one across windows).
    ``prescreen``: first ask one averaged spectrum whether anything carrier-like stands out of the
    noise (``carrier_contrast``) and stop there if not: a scanner's empty tunings then cost almost
    nothing.
    """
    if (
        prescreen
        and not tracks
        and carrier_contrast(samples, sample_rate_hz, usable_fraction=usable_fraction) < PRESCREEN_CONTRAST
    ):
        return [], None
    grid_hz = centre_grid_hz(sample_rate_hz)
    jobs: list[tuple[Track | None, FcchCarrier | None]] = [(t, None) for t in tracks]
    ppm = None
    if search:
        if work is not None:
            work.drop_rows()
        room = None if work is None else work.padded()
        carriers, ppm = _search(samples, sample_rate_hz, center_hz, usable_fraction, search_s, search_end_only, room)
        for c in carriers:
            same = [
                i
                for i, (t, _) in enumerate(jobs)
                if t is not None and abs(t.carrier_rel_hz - c.carrier_offset_hz) < SAME_CARRIER_HZ
            ]
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
    centres = [
        t.centre_hz if t is not None else round(c.carrier_offset_hz / grid_hz) * grid_hz  # type: ignore[union-attr]
        for t, c in jobs
    ]
    # A synchronised track needs its stream only around timeslot 0 and the timeslots of the
    # sub-channels it follows (``tracked_spans``; the whole of it only if its timing turns out
    # lost, or a new assignment lies on another timeslot). Those around timeslot 0 alone go last,
    # as ``channel_plan`` counts them; the block length is chosen as if a following carrier's
    # stream were wanted whole (as it was before it was cut to its timeslots: the same streams).
    slots = [t.slots if t is not None and t.synchronised else None for t, _ in jobs]
    order = sorted(range(len(jobs)), key=lambda i: slots[i] == (0,))
    jobs, centres, slots = [jobs[i] for i in order], [centres[i] for i in order], [slots[i] for i in order]
    plan = channel_plan(sample_rate_hz, centres, tracked=sum(s == (0,) for s in slots))
    ratio = plan.out_rate_hz / sample_rate_hz  # the channelizer has no lag: same instants, other rate
    n_out = -(-len(samples) * plan.rate_ratio.numerator // plan.rate_ratio.denominator)
    x = np.asarray(samples, np.complex64)
    priors = [_prior(t, first_sample, ratio) if t is not None and t.synchronised else None for t, _ in jobs]
    spans = [None if s is None else tracked_spans(p, n_out, SPS, s) for p, s in zip(priors, slots)]  # type: ignore[arg-type]
    # The streams a group of carriers at a time (at 20 Msps 60 carriers' whole streams of a 1.1 s
    # window are 290 MB; tracked ones are stored only around their spans, so all 60 make one group
    # and each block is transformed once), each received before the next group is made — on
    # another thread, while this one is received, where there are cores for it (two groups'
    # streams held then) — in the order ``_making_order`` gives (a group's forward transforms are
    # made for the blocks its carriers want); the results are put back in the carriers' order.
    make = _making_order(priors)
    streams = channelize_groups(
        select_channels(plan, make),
        x,
        max_bytes=STREAMS_MAX_BYTES,
        spans=[spans[i] for i in make],
        rows=None if work is None else work.rows,
        scratch=None if work is None else work.flat(PADDED, padded_length(plan, len(x))),
        rows_ahead=None if work is None else work.rows_ahead,
    )
    made: list[CarrierResult | None] = [None] * len(jobs)
    for i, y in zip(make, streams):
        (track, c), centre_hz, prior, sp, held = jobs[i], centres[i], priors[i], spans[i], slots[i]
        if c is not None:
            raster_rel = float(c.raster_hz) - center_hz  # type: ignore[arg-type]
            arfcn, band = int(c.arfcn), c.band  # type: ignore[arg-type]
        else:
            assert track is not None
            raster_rel, arfcn, band = track.raster_rel_hz, track.arfcn, track.band
        fcch = None
        if prior is None and c is not None:
            b = c.bursts
            fcch = FcchBursts(
                b.start_sample * ratio,
                b.duration_symbols,
                b.tone_hz - centre_hz,
                b.carrier_offset_hz - centre_hz,
                b.freq_std_hz,
                b.snr_db,
                b.coherence,
                b.power_dbfs,
                plan.out_rate_hz,
            )
        whole = (
            None
            if sp is None
            else (lambda centre_hz=centre_hz: _whole_stream(channel_plan(sample_rate_hz, [centre_hz]), x, work))
        )
        # The blocks' offsets are from the carrier's raster point: where this stream's centre lies from it.
        r = receive_channel(
            y,
            samples_per_symbol=SPS,
            arfcn=arfcn,
            band=band,
            t0_s=t0_s,
            time_utc_s=time_utc_s,
            offset_base_hz=centre_hz - raster_rel,
            fcch=fcch,
            prior=prior,
            combined=None if track is None else track.combined,
            prefiltered=True,
            whole=whole,
            slots=held,
            follower=None if track is None else track.follower,
        )
        made[i] = CarrierResult(
            arfcn,
            band,
            r,
            c,
            _next_track(track, c, r, arfcn, band, centre_hz, raster_rel, first_sample, ratio),
            centre_hz - raster_rel,
        )
    out = [r for r in made if r is not None]
    if ppm is None:
        ppm = median_receiver_ppm(
            [
                (center_hz + x.track.raster_rel_hz, center_hz + x.track.carrier_rel_hz)
                for x in out
                if x.track is not None and x.result.sync is not None
            ]
        )
    return out, ppm


def _making_order(priors: Sequence[ChannelSync | None]) -> list[int]:
    """The order carriers' streams are made in: those wanted whole first (as they come), then the
    synchronised ones by where timeslot 0 lies in their frame. A group of carriers is
    transformed only in the blocks one of them wants (around its timeslot 0, ~15 % of a frame
    each): carriers whose timeslot 0 falls alike want the same blocks, so where the tracked
    carriers need more than one group (more of them, or followed timeslots widening their
    spans), each group wants fewer blocks than in the carriers' own order, in which every group
    wanted nearly every block. (At 20 Msps 60 tracked carriers fit one group.)"""

    def key(i: int) -> tuple[bool, float]:
        p = priors[i]
        return (p is not None, 0.0 if p is None else p.sample0 % p.samples_per_frame)

    return sorted(range(len(priors)), key=key)


def _whole_stream(plan: ChannelizerPlan, x: np.ndarray, work: Workspace | None) -> np.ndarray:
    """One carrier's whole stream, padded where the window already lies (``Workspace.stretch``
    leaves room for any plan's padding), not in a copy of the window (at 20 Msps 176 MB)."""
    scratch = None if work is None else work.flat(PADDED, padded_length(plan, len(x)))
    return channelize_all(plan, x, with_power=False, scratch=scratch).samples[0]


def _prior(track: Track, first_sample: int, ratio: float) -> ChannelSync:
    """A track's synchronisation on the clock of a channel stream starting at ``first_sample``."""
    return ChannelSync(
        int(track.bsic),
        track.fn0,
        (track.sample0 - first_sample) * ratio,  # type: ignore[arg-type]
        track.samples_per_frame * ratio,
        track.freq_offset_hz,
        track.freq_std_hz,
        0,
    )


def _next_track(
    track: Track | None,
    c: FcchCarrier | None,
    r: ChannelResult,
    arfcn: int,
    band: str | None,
    centre_hz: float,
    raster_rel: float,
    first_sample: int,
    ratio: float,
) -> Track | None:
    s = r.sync
    if s is not None:
        return Track(
            arfcn,
            band,
            centre_hz,
            raster_rel,
            s.freq_offset_hz,
            s.freq_std_hz,
            s.bsic,
            s.fn0,
            first_sample + s.sample0 / ratio,
            s.samples_per_frame / ratio,
            r.combined,
            follower=r.follower,
        )
    if r.fcch_found == 0 and c is None:
        return None  # neither searched nor heard: gone
    if c is not None:
        f_off, f_std = c.carrier_offset_hz - centre_hz, c.offset_std_hz
    else:
        assert track is not None
        f_off, f_std = track.freq_offset_hz, track.freq_std_hz
    return Track(
        arfcn,
        band,
        centre_hz,
        raster_rel,
        f_off,
        f_std,
        combined=r.combined if r.combined is not None else (None if track is None else track.combined),
        unsynced_windows=1 + (track.unsynced_windows if track is not None and not track.synchronised else 0),
    )
