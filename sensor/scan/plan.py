"""Scan planning: the fewest tunings (centre frequencies) of a receiver that cover a set of GSM
channels, each channel assigned to exactly one tuning.

Bandwidth
---------
A receiver sampling at ``fs`` complex samples per second sees ±fs/2 around its centre, but its
anti-alias filter rolls off towards the edges: the profile's ``usable_bandwidth_fraction`` is the
part flat enough to decode, ``B = fs × fraction`` (RTL-SDR at 2.4 Msps × 0.85: 2.04 MHz; HackRF
at 20 Msps × 0.75: 15 MHz). A carrier owns its 200 kHz channel of the TS 45.005 §2 raster, ±100 kHz
around it (``channel_half_width_hz``; the channelizer keeps that much), so the whole channel must
lie inside ±B/2.

Before calibration a receiver's clock error ε (±50 ppm for a plain dongle, ``ppm_uncertainty``)
moves every carrier by about −ε·f: 47 kHz at 950 MHz, 90 kHz at 1800 MHz. The plan keeps a margin
m(f) = f·u/(1 − u) ≈ u·f (u = ppm_uncertainty × 1e-6; a carrier at f is seen at f/(1 + ε)) on both
sides, so a carrier stays where it was planned whatever the error; after ``fbs-sensor calibrate``
the uncertainty is well under a ppm and the margin shrinks to a few hundred Hz.

Zero-IF tuners have a DC spike (LO leakage, 1/f noise) at the centre: the profile's
``dc_spike_width_hz`` (when ``dc_spike``); no channel may overlap ±dc_spike_width_hz/2. Together, a
tuning at ``c`` may be responsible for the carrier at ``f`` only when

    dc_spike_width_hz/2 + 100 kHz + m(f)  ≤  |f − c|  ≤  B/2 − 100 kHz − m(f)

(without a DC spike the lower limit goes). Each tuning therefore covers two windows, one either
side of a hole around its centre, each B/2 − w/2 − 200 kHz − 2m wide: an RTL-SDR at 2.4 Msps with
±50 ppm at 950 MHz has windows of 715 kHz, at most 4 carriers each, 8 per tuning; a HackRF at
20 Msps has windows of 7.2 MHz.

Minimising
----------
Any set of channels that one centre can cover is covered by a centre at an edge of the interval
of centres that cover them all, and those edges are the channels' window edges or the edges of the
tuner's range and gaps. So the centres are chosen among these critical points (rounded inward to
whole Hz, 1 Hz of slack kept) without losing anything; a candidate covering only what another
covers too is dropped. The smallest set of candidates covering every reachable channel is then
found by an exact search (``_min_cover``: set cover is hard in general, but on a regular grid a
sweep from low to high frequency has only a few channels pending at a time). Each channel goes
to the chosen tuning that has it deepest inside its window, and each tuning is moved to the middle
of the interval of centres that still cover its own channels, so the margins are as wide as the
plan allows.

Tunings for the whole E-GSM 900 downlink (174 channels; DCS 1800: 374), all proven minimal:

    receiver                     ±50 ppm (uncalibrated)    ±1 ppm (calibrated)
    rtlsdr-r820t, 2.4 Msps       E-GSM 28, DCS unreachable  E-GSM 24
    hackrf-one, 16 Msps (default) E-GSM 4, DCS 9            E-GSM 4, DCS 9
    hackrf-one, 20 Msps          E-GSM 4, DCS 8             E-GSM 4, DCS 8
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from sensor.errors import ConfigError
from sensor.gsm.bands import BANDS, CHANNEL_SPACING_HZ, Band
from sensor.sources.profiles import ReceiverProfile

log = logging.getLogger(__name__)

DEFAULT_PPM_UNCERTAINTY = 50.0  # an uncalibrated dongle's crystal
CHANNEL_HALF_WIDTH_HZ = CHANNEL_SPACING_HZ / 2  # TS 45.005 §2: 200 kHz raster
SLACK_HZ = 1.0  # every planned channel keeps at least this much room (centres are whole Hz)
MAX_STATES = 200_000  # per step of the exact search; beyond it, greedy set cover


@dataclass(frozen=True, slots=True)
class Channel:
    band: str
    arfcn: int
    downlink_hz: int


@dataclass(frozen=True, slots=True)
class Passband:
    """Where a carrier may sit relative to a tuning's centre (see the module docstring)."""

    usable_bandwidth_hz: float
    dc_exclusion_hz: float  # half-width of the zone around the centre kept clear (0: none)
    channel_half_width_hz: float = CHANNEL_HALF_WIDTH_HZ
    ppm_uncertainty: float = DEFAULT_PPM_UNCERTAINTY

    @classmethod
    def of(
        cls,
        profile: ReceiverProfile,
        sample_rate_hz: float,
        *,
        ppm_uncertainty: float = DEFAULT_PPM_UNCERTAINTY,
        channel_half_width_hz: float = CHANNEL_HALF_WIDTH_HZ,
    ) -> Passband:
        return cls(
            usable_bandwidth_hz=sample_rate_hz * profile.usable_bandwidth_fraction,
            dc_exclusion_hz=profile.dc_spike_width_hz / 2 if profile.dc_spike else 0.0,
            channel_half_width_hz=channel_half_width_hz,
            ppm_uncertainty=ppm_uncertainty,
        )

    @property
    def has_hole(self) -> bool:
        return self.dc_exclusion_hz > 0

    def window_hz(self, carrier_hz: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lowest, highest) allowed |carrier − centre| for carriers at ``carrier_hz`` (nominal)."""
        f = np.asarray(carrier_hz, dtype=np.float64)
        u = self.ppm_uncertainty * 1e-6
        margin = np.abs(f) * u / (1 - u)  # a clock u slow sees f at f/(1 − u): the larger shift
        lo = self.dc_exclusion_hz + self.channel_half_width_hz + margin if self.has_hole else np.zeros_like(f)
        hi = self.usable_bandwidth_hz / 2 - self.channel_half_width_hz - margin
        return lo, hi

    def slack_hz(self, center_hz: float | np.ndarray, carrier_hz: float | np.ndarray) -> np.ndarray:
        """How far inside its window each carrier is (negative: outside)."""
        lo, hi = self.window_hz(carrier_hz)
        d = np.abs(np.asarray(carrier_hz, dtype=np.float64) - np.asarray(center_hz, dtype=np.float64))
        inner = d - lo if self.has_hole else np.full_like(d, np.inf)
        return np.minimum(inner, hi - d)

    def fits(self, center_hz: float, carrier_hz: float) -> bool:
        return bool(self.slack_hz(center_hz, carrier_hz) >= 0)


@dataclass(frozen=True, slots=True)
class Tuning:
    center_hz: float
    channels: tuple[Channel, ...]  # the channels this tuning is responsible for, by frequency

    @property
    def arfcns(self) -> tuple[int, ...]:
        return tuple(c.arfcn for c in self.channels)

    def offset_hz(self, channel: Channel) -> float:
        """Nominal carrier − centre."""
        return channel.downlink_hz - self.center_hz


@dataclass(frozen=True, slots=True)
class ScanPlan:
    profile: str
    sample_rate_hz: float
    passband: Passband
    tunings: tuple[Tuning, ...]  # by centre frequency
    left_out: tuple[Channel, ...] = ()  # channels no tuning of this receiver can cover
    optimal: bool = True  # the number of tunings is proven minimal (False: greedy fallback)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(c for t in self.tunings for c in t.channels)

    def tuning_for(self, arfcn: int, band: str | None = None) -> Tuning | None:
        for t in self.tunings:
            for c in t.channels:
                if c.arfcn == arfcn and (band is None or c.band == band):
                    return t
        return None


def arfcn_ranges_text(arfcns: Iterable[int]) -> str:
    """``[1, 2, 3, 7]`` → ``"1-3, 7"`` (in the order given, runs of consecutive numbers joined)."""
    out: list[str] = []
    run: list[int] = []
    for a in arfcns:
        if run and a == run[-1] + 1:
            run.append(a)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [a]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ", ".join(out)


def _channels(
    bands: Sequence[Band | str], arfcns: Iterable[int] | None
) -> tuple[list[Channel], dict[str, list[Channel]]]:
    """Every channel of ``bands`` (restricted to ``arfcns``), once per carrier frequency, by frequency;
    and the channels of each band as requested."""
    wanted = None if arfcns is None else {int(a) for a in arfcns}
    by_freq: dict[int, Channel] = {}
    per_band: dict[str, list[Channel]] = {}
    for b in bands:
        b = BANDS[b] if isinstance(b, str) else b
        numbers = b.arfcns()
        freqs = b.downlink_hz(numbers)
        chans = [Channel(b.name, int(a), int(f)) for a, f in zip(numbers, freqs) if wanted is None or int(a) in wanted]
        per_band[b.name] = chans
        for c in chans:
            by_freq.setdefault(c.downlink_hz, c)
    if wanted is not None:
        known = {c.arfcn for cs in per_band.values() for c in cs}
        missing = sorted(wanted - known)
        if missing:
            raise ConfigError(f"ARFCN {arfcn_ranges_text(missing)} in none of the bands {', '.join(per_band)}")
    return [by_freq[f] for f in sorted(by_freq)], per_band


def _tunable_segments(profile: ReceiverProfile) -> list[tuple[float, float]]:
    """The tuning range without its gaps, as closed intervals of whole Hz."""
    lo, hi = profile.tuning_range_hz
    segs = [(float(np.ceil(lo)), float(np.floor(hi)))]
    for g0, g1 in sorted(profile.tuning_gaps_hz):
        out = []
        for a, b in segs:
            if g1 < a or g0 > b:
                out.append((a, b))
                continue
            if a < g0:
                out.append((a, float(np.ceil(g0)) - 1))
            if g1 < b:
                out.append((float(np.floor(g1)) + 1, b))
        segs = [(a, b) for a, b in out if a <= b]
    return segs


def _candidates(profile: ReceiverProfile, f: np.ndarray, lo: np.ndarray, hi: np.ndarray, hole: bool) -> np.ndarray:
    pts = [np.ceil(f - hi + SLACK_HZ), np.floor(f + hi - SLACK_HZ)]
    if hole:
        pts += [np.floor(f - lo - SLACK_HZ), np.ceil(f + lo + SLACK_HZ)]
    segs = _tunable_segments(profile)
    pts.append(np.array([x for seg in segs for x in seg]))
    c = np.unique(np.concatenate(pts))
    return np.array([x for x in c if any(a <= x <= b for a, b in segs)], dtype=np.float64)


def _useful_candidates(cover: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the candidates worth considering: one of each distinct set of covered
    channels, none that covers nothing, none whose set is inside another's."""
    rows, first = np.unique(cover, axis=0, return_index=True)
    keep = rows.any(axis=1)
    rows, first = rows[keep], first[keep]
    r = rows.astype(np.int32)
    inside = (r @ r.T) == r.sum(axis=1)[:, None]  # [i, j]: row i's set is inside row j's
    np.fill_diagonal(inside, False)
    return np.sort(first[~inside.any(axis=1)])


def _greedy_cover(cover: np.ndarray) -> np.ndarray:
    left = np.ones(cover.shape[1], dtype=bool)
    picks = []
    while left.any():
        j = int(np.argmax((cover & left).sum(axis=1)))
        picks.append(j)
        left &= ~cover[j]
    return np.array(sorted(picks))


def _min_cover(cover: np.ndarray) -> tuple[np.ndarray, bool]:
    """Indices of the fewest rows of ``cover`` (candidates in ascending centre order × channels)
    covering every column, and whether that is proven minimal.

    Exact search, breadth first over the number of centres: centres are chosen in ascending order;
    a state is the set of channels still uncovered; each channel has a deadline, the last candidate
    that covers it, so the next centre must come no later than the earliest deadline among them and
    must cover one of them. Of states with the same uncovered set the one with the lower last centre
    is kept (it has every choice the other has). On these grids a state's uncovered set is a window
    of a few channels ahead of the sweep, so the search stays small; past ``MAX_STATES`` it gives up
    for greedy set cover."""
    n_cand, n = cover.shape
    deadline = np.array([np.flatnonzero(cover[:, k]).max() for k in range(n)])
    order = np.argsort(deadline, kind="stable")  # bit i = the channel with the i-th earliest deadline
    dl = [int(d) for d in deadline[order]]
    masks = [sum(1 << int(i) for i in np.flatnonzero(row[order])) for row in cover]
    expired = [sum(1 << i for i, d in enumerate(dl) if d <= j) for j in range(n_cand)]
    level: dict[int, tuple[int, tuple[int, int] | None]] = {(1 << n) - 1: (-1, None)}
    history = []
    while 0 not in level:
        history.append(level)
        nxt: dict[int, tuple[int, tuple[int, int] | None]] = {}
        for left, (j, _) in level.items():
            earliest = dl[(left & -left).bit_length() - 1]
            for jn in range(j + 1, earliest + 1):
                mask = masks[jn]
                if not left & mask:
                    continue
                rest = left & ~mask
                if rest & expired[jn]:
                    continue
                old = nxt.get(rest)
                if old is None or jn < old[0]:
                    nxt[rest] = (jn, (left, j))
        if not nxt or len(nxt) > MAX_STATES:
            log.warning(
                "scan planner: exact search %s; using greedy set cover",
                "found no cover" if not nxt else "grew too large",
            )
            return _greedy_cover(cover), False
        level = nxt
    chosen = []
    j, parent = level[0]
    for past in reversed(history[1:]):
        chosen.append(j)
        assert parent is not None
        j, parent = past[parent[0]]
    chosen.append(j)
    return np.array(sorted(chosen)), True


def _recentre(center: float, f: np.ndarray, passband: Passband, segs: list[tuple[float, float]]) -> float:
    """The middle of the interval of centres (around ``center``) that still cover carriers ``f``."""
    lo, hi = passband.window_hz(f)
    if passband.has_hole:
        below = center < f  # the carrier is in the upper window
        lows = np.where(below, f - hi, f + lo)
        highs = np.where(below, f - lo, f + hi)
    else:
        lows, highs = f - hi, f + hi
    a, b = float(lows.max()) + SLACK_HZ, float(highs.min()) - SLACK_HZ
    seg = next(((s0, s1) for s0, s1 in segs if s0 <= center <= s1), (center, center))
    a, b = max(a, seg[0]), min(b, seg[1])
    mid = float(round((a + b) / 2))
    if a <= mid <= b and np.all(passband.slack_hz(mid, f) >= SLACK_HZ / 2):
        return mid
    return center


@dataclass(frozen=True, slots=True, eq=False)
class Cover:
    """Centres covering a set of carriers: ``owner[k]`` is the index in ``centers_hz`` of the centre
    responsible for carrier k, −1 where no centre the receiver can tune to covers it."""

    centers_hz: tuple[float, ...]
    owner: np.ndarray
    optimal: bool

    @property
    def reachable(self) -> np.ndarray:
        return self.owner >= 0


def cover_frequencies(profile: ReceiverProfile, carriers_hz: Sequence[float] | np.ndarray, passband: Passband) -> Cover:
    """The fewest centres (tunable by ``profile``'s receiver) that hold every reachable carrier of
    ``carriers_hz`` inside ``passband``; each carrier goes to one of them (see the module docstring)."""
    f = np.asarray(carriers_hz, dtype=np.float64)
    lo, hi = passband.window_hz(f)
    if np.any(hi - lo < 2 * SLACK_HZ):
        worst = int(np.argmin(hi - lo))
        raise ConfigError(
            f"{profile.name}: its usable {passband.usable_bandwidth_hz / 1e3:.0f} kHz cannot hold a "
            f"{2 * passband.channel_half_width_hz / 1e3:.0f} kHz channel at {f[worst] / 1e6:.1f} MHz beside the DC "
            f"exclusion with a ±{passband.ppm_uncertainty:g} ppm margin"
        )
    cand = _candidates(profile, f, lo, hi, passband.has_hole)
    cover = passband.slack_hz(cand[:, None], f[None, :]) >= SLACK_HZ / 2 if len(cand) else np.zeros((0, len(f)), bool)
    keep_cols = np.flatnonzero(cover.any(axis=0))
    owner = np.full(len(f), -1)
    if len(keep_cols) == 0:
        return Cover((), owner, True)
    rows = _useful_candidates(cover[:, keep_cols])
    chosen_local, optimal = _min_cover(cover[rows][:, keep_cols])
    chosen = rows[chosen_local]
    slack = passband.slack_hz(cand[chosen][:, None], f[None, keep_cols])
    slack = np.where(cover[chosen][:, keep_cols], slack, -np.inf)
    best = np.argmax(slack, axis=0)  # each carrier to the centre that has it deepest inside
    segs = _tunable_segments(profile)
    centres = []
    for k, j in enumerate(chosen):
        mine = keep_cols[best == k]
        if len(mine):
            centres.append((_recentre(float(cand[j]), f[mine], passband, segs), mine))
    centres.sort(key=lambda cm: cm[0])
    for i, (_, mine) in enumerate(centres):
        owner[mine] = i
    return Cover(tuple(c for c, _ in centres), owner, optimal)


def plan_scan(
    profile: ReceiverProfile,
    bands: Sequence[Band | str],
    *,
    arfcns: Iterable[int] | None = None,
    sample_rate_hz: float | None = None,
    ppm_uncertainty: float = DEFAULT_PPM_UNCERTAINTY,
    channel_half_width_hz: float = CHANNEL_HALF_WIDTH_HZ,
) -> ScanPlan:
    """The fewest tunings of ``profile``'s receiver at ``sample_rate_hz`` (default: the profile's)
    that cover every channel of ``bands`` (only ``arfcns``, when given), each channel assigned to
    one tuning. A band the receiver cannot reach at all is a ``ConfigError``; channels it cannot
    reach in a band it partly reaches are left out with a warning (``ScanPlan.left_out``)."""
    rate = float(sample_rate_hz or profile.default_sample_rate_hz)
    if not profile.rate_supported(rate):
        raise ConfigError(f"{profile.name} cannot run at {rate / 1e6:g} Msps")
    if ppm_uncertainty < 0:
        raise ConfigError(f"ppm uncertainty must not be negative, got {ppm_uncertainty}")
    passband = Passband.of(profile, rate, ppm_uncertainty=ppm_uncertainty, channel_half_width_hz=channel_half_width_hz)
    channels, per_band = _channels(bands, arfcns)
    if not channels:
        raise ConfigError("no channels to scan: no band given")
    cover = cover_frequencies(profile, [c.downlink_hz for c in channels], passband)
    reachable = cover.reachable
    t_lo, t_hi = profile.tuning_range_hz
    index = {c.downlink_hz: i for i, c in enumerate(channels)}
    for name, chans in per_band.items():
        if chans and not any(reachable[index[c.downlink_hz]] for c in chans):
            b_lo, b_hi = chans[0].downlink_hz, chans[-1].downlink_hz
            raise ConfigError(
                f"band {name} ({min(b_lo, b_hi) / 1e6:.1f}-{max(b_lo, b_hi) / 1e6:.1f} MHz) "
                f"is out of reach of {profile.name} "
                f"(tuning range {t_lo / 1e6:g}-{t_hi / 1e6:g} MHz)"
            )
    left_out = tuple(c for c, ok in zip(channels, reachable) if not ok)
    for name in per_band:
        lost = [c.arfcn for c in left_out if c.band == name]
        if lost:
            log.warning(
                "%s cannot receive %d channel(s) of %s (ARFCN %s): planning the rest",
                profile.name,
                len(lost),
                name,
                arfcn_ranges_text(lost),
            )
    tunings = tuple(
        Tuning(c, tuple(ch for ch, o in zip(channels, cover.owner) if o == i)) for i, c in enumerate(cover.centers_hz)
    )
    return ScanPlan(profile.name, rate, passband, tunings, left_out, cover.optimal)
