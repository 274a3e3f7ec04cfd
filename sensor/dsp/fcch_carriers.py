"""FCCH bursts grouped into carriers: the FCCH cadence (TS 45.002 §7 Table 3), each carrier's
offset, its ARFCN on the 200 kHz raster, and the receiver's clock error from all carriers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sensor.dsp.fcch import SCH_DELAY_FRAMES, FcchBursts
from sensor.gsm.bands import CHANNEL_SPACING_HZ, downlink_hz_to_arfcn
from sensor.gsm.burst import FRAME_SYMBOLS
from sensor.gsm.multiframe import FCCH_T3
from sensor.gsm.tdma import FRAMES_PER_51_MULTIFRAME, SYMBOL_RATE_HZ


@dataclass(frozen=True, slots=True, eq=False)
class FcchCadence:
    consistent: bool  # all bursts on one grid of whole frames, at FCCH positions of the 51-multiframe
    confirmed: bool  # consistent and at least two bursts
    frame_offset: np.ndarray  # whole frames of each burst after the first
    timing_error_symbols: np.ndarray  # each burst's distance from that grid
    t3: np.ndarray | None  # FN mod 51 of each burst, when the bursts fix it (an 11-frame gap seen); else None
    sch_start_sample: np.ndarray  # where the SCH one frame after each burst begins


def fcch_cadence(start_sample: np.ndarray, *, sample_rate_hz: float, tolerance_symbols: float = 3.0) -> FcchCadence:
    """Check that bursts (of one carrier, sorted) follow the FCCH schedule: FN mod 51 ∈ {0, 10, 20,
    30, 40} (gaps 10, 10, 10, 10, 11 frames; missed bursts allowed), and place their SCHs."""
    s = np.sort(np.asarray(start_sample, dtype=np.float64))
    frame_samples = FRAME_SYMBOLS * sample_rate_hz / SYMBOL_RATE_HZ
    if len(s) == 0:
        e = np.empty(0)
        return FcchCadence(False, False, e.astype(np.int64), e, None, e)
    rel = (s - s[0]) / frame_samples
    frames = np.round(rel).astype(np.int64)
    err = (rel - frames) * FRAME_SYMBOLS
    on_grid = bool(np.all(np.abs(err - np.median(err)) <= tolerance_symbols)) and len(np.unique(frames)) == len(frames)
    is_fcch = np.zeros(FRAMES_PER_51_MULTIFRAME, bool)
    is_fcch[list(FCCH_T3)] = True
    every = np.arange(FRAMES_PER_51_MULTIFRAME)[:, None]  # the multiframe position of the first burst
    shifts = np.flatnonzero(np.all(is_fcch[(frames[None, :] + every) % FRAMES_PER_51_MULTIFRAME], axis=1))
    consistent = on_grid and len(shifts) > 0
    t3 = (frames + shifts[0]) % FRAMES_PER_51_MULTIFRAME if consistent and len(shifts) == 1 else None
    sch = s + SCH_DELAY_FRAMES * frame_samples
    return FcchCadence(consistent, consistent and len(s) >= 2, frames, err, t3, sch)


def _robust_mean(b: FcchBursts) -> tuple[float, float]:
    """Inverse-variance mean of the bursts' carrier offsets and its 1-sigma, bursts far from the
    median left out."""
    w = 1.0 / np.maximum(b.freq_std_hz, 1e-3) ** 2
    med = np.median(b.carrier_offset_hz)
    mad = np.median(np.abs(b.carrier_offset_hz - med)) * 1.4826 + 1e-9
    use = np.abs(b.carrier_offset_hz - med) <= np.maximum(5 * mad, 3 * b.freq_std_hz)
    return float(np.sum(w[use] * b.carrier_offset_hz[use]) / np.sum(w[use])), float(1 / np.sqrt(np.sum(w[use])))


def _on_common_grid(start_sample: np.ndarray, sample_rate_hz: float, tolerance_symbols: float = 3.0) -> np.ndarray:
    """Which bursts (sorted starts) lie on the whole-frame grid that most of them share."""
    s = np.asarray(start_sample, dtype=np.float64)
    rel = (s - s[0]) / (FRAME_SYMBOLS * sample_rate_hz / SYMBOL_RATE_HZ)
    err = (rel - np.round(rel)) * FRAME_SYMBOLS
    return np.abs(err - np.median(err)) <= tolerance_symbols


@dataclass(frozen=True, slots=True, eq=False)
class FcchCarrier:
    """One carrier found by its FCCH bursts."""

    carrier_offset_hz: float  # apparent carrier relative to the tuning (inverse-variance mean)
    offset_std_hz: float  # 1-sigma of that mean
    carrier_hz: float | None  # centre + offset (None when the centre is unknown)
    raster_hz: float | None  # nearest 200 kHz raster point (after removing the receiver's error, if given)
    raster_offset_hz: float | None  # carrier_hz − raster_hz
    arfcn: int | None
    band: str | None
    implied_ppm: float | None  # receiver clock error that would put this carrier on its raster point
    bursts: FcchBursts
    cadence: FcchCadence
    snr_db: float  # median over the bursts


def group_carriers(
    bursts: FcchBursts,
    *,
    center_hz: float | None = None,
    receiver_ppm: float | None = None,
    merge_hz: float = 2e3,
    bands: tuple[str, ...] | None = None,
) -> list[FcchCarrier]:
    """Merge bursts whose carriers agree within ``merge_hz`` into carriers, strongest first.

    With ``center_hz`` each carrier is mapped to a 200 kHz raster point: the nearest one to the
    carrier as seen, or — given the receiver's clock error ``receiver_ppm`` (e.g. from
    ``estimate_receiver_ppm``) — to the carrier corrected for it (the apparent frequency is
    f / (1 + ppm·1e-6)), which resolves offsets near ±100 kHz (large ppm at 1800 MHz).
    """
    if len(bursts) == 0:
        return []
    order = np.argsort(bursts.carrier_offset_hz)
    off = bursts.carrier_offset_hz[order]
    groups = np.split(order, np.flatnonzero(np.diff(off) > merge_hz) + 1)
    out: list[FcchCarrier] = []
    for g in groups:
        g = np.sort(g)
        b = bursts.take(g)
        cad = fcch_cadence(b.start_sample, sample_rate_hz=b.sample_rate_hz)
        if not cad.consistent and len(b) >= 3:
            # At low SNR a burst's edges may be misplaced by several symbols: leave bursts off the
            # grid most of them share out, if most remain, rather than lose the carrier.
            on_grid = _on_common_grid(b.start_sample, b.sample_rate_hz)
            if on_grid.sum() >= max(2, int(np.ceil(0.6 * len(b)))) and not on_grid.all():
                kept = b.take(np.flatnonzero(on_grid))
                cad_kept = fcch_cadence(kept.start_sample, sample_rate_hz=kept.sample_rate_hz)
                if cad_kept.consistent:
                    b, cad = kept, cad_kept
        mean, std = _robust_mean(b)
        carrier_hz = raster = raster_off = ppm = None
        arfcn = band = None
        if center_hz is not None:
            carrier_hz = center_hz + mean
            true_guess = carrier_hz * (1 + (receiver_ppm or 0.0) * 1e-6)
            raster = round(true_guess / CHANNEL_SPACING_HZ) * CHANNEL_SPACING_HZ
            raster_off = carrier_hz - raster
            ppm = (raster / carrier_hz - 1) * 1e6
            match = downlink_hz_to_arfcn(raster, bands=bands, max_offset_hz=1.0)
            if match is not None:
                arfcn, band = match.arfcn, match.band
        out.append(
            FcchCarrier(mean, std, carrier_hz, raster, raster_off, arfcn, band, ppm, b, cad, float(np.median(b.snr_db)))
        )
    out.sort(key=lambda c: -c.snr_db)
    return out


def estimate_receiver_ppm(carriers: list[FcchCarrier], *, max_ppm: float = 60.0) -> float | None:
    """The receiver clock error common to the carriers (median of their implied errors, those
    within ``max_ppm``); None without a carrier mapped to the raster. A carrier far from it is
    off on its own (a transmitter with a poor clock, e.g. a fake base station)."""
    return _median_ppm([c.implied_ppm for c in carriers if c.implied_ppm is not None], max_ppm)


def median_receiver_ppm(raster_and_apparent_hz: list[tuple[float, float]], *, max_ppm: float = 60.0) -> float | None:
    """``estimate_receiver_ppm`` from (raster point, carrier as received) pairs in Hz."""
    return _median_ppm([(r / f - 1) * 1e6 for r, f in raster_and_apparent_hz], max_ppm)


def _median_ppm(implied: list[float], max_ppm: float) -> float | None:
    # The apparent carrier is f/(1+ε): ε = raster/apparent − 1 is the receiver error itself.
    vals = np.array([p for p in implied if abs(p) <= max_ppm])
    return float(np.median(vals)) if len(vals) else None
