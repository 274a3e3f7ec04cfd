"""A carrier's frequency from its FCCH bursts' phases (``fcch_coherent``): unbiased with an honest
sd on simulated bursts at known offsets, far finer than the bursts' own frequencies; refused (the
incoherent mean kept) when the unwrap cannot be trusted; and what the real captures show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensor.cells import CellObservation, CellTracker
from sensor.dsp import fcch_search
from sensor.dsp.carrier_mean import carrier_mean
from sensor.dsp.channel_window import channelize_all
from sensor.dsp.channelizer import plan_channelizer
from sensor.dsp.fcch_coherent import MIN_BURSTS, coherent_carrier, reading_carrier
from sensor.dsp.fcch_track import PHASE_READ_S, measure_fcch_at
from sensor.dsp.gmsk import gmsk_modulate
from sensor.gsm.burst import BURST_BITS, FRAME_SYMBOLS
from sensor.gsm.multiframe import FCCH_T3
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.model import FcchEstimate

SPS = 2
FS = SPS * SYMBOL_RATE_HZ
CAPTURES = Path(__file__).resolve().parents[2] / "../shared/captures"


def _c0_stream(rng: np.random.Generator, n_frames: int, offset_hz: float, snr_db: float, rate_hz_per_s: float = 0.0):
    """Timeslot 0 of a C0 for ``n_frames`` frames, GMSK modulated continuously (the phase each
    FCCH burst starts at is what the data before it left), every other slot random data; at
    ``offset_hz`` (+ ``rate_hz_per_s`` × the time from the first sample: a moving receiver's
    Doppler) with white noise at ``snr_db`` per 270.833 kHz. (samples, FCCH bit-0 samples)."""
    bits, starts, pos = [], [], 0
    for fn in range(n_frames):
        for tn in range(8):
            n = 157 if tn in (0, 4) else 156
            fcch = tn == 0 and fn % 51 in FCCH_T3
            burst = np.zeros(BURST_BITS, np.uint8) if fcch else rng.integers(0, 2, BURST_BITS).astype(np.uint8)
            if fcch:
                starts.append(pos * SPS)
            bits += [burst, np.ones(n - BURST_BITS, np.uint8)]
            pos += n
    assert pos == n_frames * FRAME_SYMBOLS
    g, _ = gmsk_modulate(np.concatenate(bits), samples_per_symbol=SPS)
    t = np.arange(len(g)) / FS
    x = g * np.exp(1j * (2 * np.pi * (offset_hz + 0.5 * rate_hz_per_s * t) * t + rng.uniform(-np.pi, np.pi)))
    sigma = np.sqrt(10 ** (-snr_db / 10) * SPS / 2)
    x = x + sigma * (rng.standard_normal(len(x)) + 1j * rng.standard_normal(len(x)))
    return x.astype(np.complex64), np.array(starts, np.float64)


def _bursts(rng, offset_hz, snr_db, n_frames=216, rate_hz_per_s=0.0):
    x, starts = _c0_stream(rng, n_frames, offset_hz, snr_db, rate_hz_per_s)
    return measure_fcch_at(x, sample_rate_hz=FS, start_sample=starts, carrier_offset_hz=offset_hz + rng.normal(0, 5))


@pytest.mark.parametrize("snr_db", [25.0, 10.0])
def test_a_seconds_bursts_give_the_carrier_unbiased_with_an_honest_sd(snr_db):
    """40 one-second readings (22 bursts) at random offsets: bias within its standard error, ~95 %
    inside 2 stated sd, and hundreds of times finer than the mean of the bursts' own frequencies."""
    rng = np.random.default_rng(int(snr_db))
    errs, sds, incoherent = [], [], []
    for _ in range(40):
        off = rng.uniform(-400.0, 400.0)
        b = _bursts(rng, off, snr_db)
        prior = carrier_mean(b.carrier_offset_hz)
        assert prior is not None
        c = coherent_carrier(
            b.start_sample / FS, b.carrier_phase_rad, b.phase_std_rad, prior_hz=prior[0], prior_sd_hz=prior[1]
        )
        assert c is not None and c.n_bursts == len(b) >= 20
        errs.append(c.freq_hz - off)
        sds.append(c.freq_sd_hz)
        incoherent.append(prior[0] - off)
    errs, sds = np.array(errs), np.array(sds)
    assert abs(np.mean(errs)) < 3 * np.sqrt(np.mean(sds**2) / len(errs))
    assert 0.85 <= np.mean(np.abs(errs) < 2 * sds) <= 1.0
    assert 0.6 < np.std(errs / sds) < 1.3
    assert np.sqrt(np.mean(errs**2)) < np.sqrt(np.mean(np.square(incoherent))) / 300


def test_a_moving_receivers_changing_doppler_is_measured_at_the_bursts_mean_time():
    """A car's Doppler changes within a second (15 m/s past a cell 100-500 m away: 1.4-7 Hz/s).
    30 one-second readings at 20 dB SNR, the carrier changing at ±(0.2-8) Hz/s: every one coherent
    (a line alone left the doubled phases bent by up to π·r/2 rad and refused them, or read a
    frequency off the bursts' mean time: on the simulated drive 0.1-0.2 Hz off, 10-16 stated sd),
    the frequency at its mean time unbiased and ~95 % inside 2 sd, the rate within its sd."""
    rng = np.random.default_rng(25)
    # the phase is read at the fit's centre symbol, 75 symbols (0.28 ms) after the burst's start
    # (its time): 2 mHz at 8 Hz/s, twice the sd
    read_s = PHASE_READ_S
    errs, sds, rate_z = [], [], []
    for _ in range(30):
        off, rate = rng.uniform(-400.0, 400.0), rng.choice([-1, 1]) * rng.uniform(0.2, 8.0)
        b = _bursts(rng, off, 20.0, rate_hz_per_s=rate)
        prior = carrier_mean(b.carrier_offset_hz)
        assert prior is not None
        t = b.start_sample / FS
        c = coherent_carrier(t, b.carrier_phase_rad, b.phase_std_rad, prior_hz=prior[0], prior_sd_hz=prior[1])
        assert c is not None and c.n_bursts == len(b) >= 20
        errs.append(c.freq_hz - (off + rate * (c.t_mean_s + read_s)))
        sds.append(c.freq_sd_hz)
        rate_z.append((c.rate_hz_per_s - rate) / c.rate_sd_hz_per_s)
    errs, sds = np.array(errs), np.array(sds)
    assert abs(np.mean(errs)) < 3 * np.sqrt(np.mean(sds**2) / len(errs))
    assert 0.85 <= np.mean(np.abs(errs) < 2 * sds) <= 1.0
    assert 0.6 < np.std(errs / sds) < 1.3 and np.median(sds) < 0.01
    assert np.mean(np.abs(rate_z) < 2) >= 0.85


def test_a_readings_streams_are_combined_at_their_own_times():
    """Two receiver windows' streams in one reading, 15 bursts and 7, the carrier changing at
    2 Hz/s: the reading's frequency is at the finer stream's time (it returns that time; the other
    stream's carried there by its own rate), not at the mean of all bursts' times; the second
    stream's phases do not cohere with the first's (a fresh phase: each stream is fitted on its own)."""
    rng = np.random.default_rng(26)
    b = _bursts(rng, 75.0, 20.0, rate_hz_per_s=2.0)
    t, phase, std = b.start_sample / FS, b.carrier_phase_rad.copy(), b.phase_std_rad
    n = len(t)
    split = np.where(np.arange(n) < 15, 1, 2)
    phase[split == 2] += 1.0  # another stream: another phase
    f, sd, used, coherent, at = reading_carrier(
        b.carrier_offset_hz, t, phase, std, np.zeros(n), split, systematic_hz=0.3, coherent_systematic_hz=0.001
    )
    assert coherent == used == n and sd < 0.01
    assert abs(f - (75.0 + 2.0 * at)) < 3 * sd
    # at the finer stream's time (its 15 bursts' weighted mean), 0.2 s before all 22 bursts' mean:
    # 0.4 Hz from the frequency there
    assert abs(at - np.mean(t[split == 1])) < 0.06 and np.mean(t) - at > 0.12


def test_a_fading_channel_or_a_slip_is_refused_and_the_reading_keeps_the_incoherent_mean():
    rng = np.random.default_rng(4)
    b = _bursts(rng, 120.0, 25.0)
    t, phase, std = b.start_sample / FS, b.carrier_phase_rad, b.phase_std_rad
    prior = carrier_mean(b.carrier_offset_hz)
    assert prior is not None
    kw = dict(prior_hz=prior[0], prior_sd_hz=prior[1])
    assert coherent_carrier(t, phase, std, **kw) is not None
    # a fading channel: the phase turns at random between bursts
    assert coherent_carrier(t, rng.uniform(-np.pi, np.pi, len(t)), std, **kw) is None
    # one burst a quarter turn off (a slip the doubled phase sees as half a turn)
    slipped = phase.copy()
    slipped[len(t) // 2] += np.pi / 2
    assert coherent_carrier(t, slipped, std, **kw) is None
    # too few bursts; bursts of one multiframe only (10 frames apart: 10.8 Hz is as good a fit)
    assert coherent_carrier(t[: MIN_BURSTS - 1], phase[: MIN_BURSTS - 1], std[: MIN_BURSTS - 1], **kw) is None
    one_mf = slice(0, 4)
    assert coherent_carrier(t[one_mf], phase[one_mf], std[one_mf], **kw, min_bursts=4, min_span_s=0.1) is None
    # the reading: coherent where it can be, else the incoherent mean (0 bursts coherent)
    n = len(t)
    args = (b.carrier_offset_hz, t, phase, std, np.zeros(n), np.full(n, 7))
    f, sd, used, coherent, _ = reading_carrier(*args, systematic_hz=0.3, coherent_systematic_hz=0.001)
    assert coherent == used == n and abs(f - 120.0) < 0.01 and sd < 0.01
    faded = (b.carrier_offset_hz, t, rng.uniform(-np.pi, np.pi, n), std, np.zeros(n), np.full(n, 7))
    f, sd, used, coherent, _ = reading_carrier(*faded, systematic_hz=0.3, coherent_systematic_hz=0.001)
    assert coherent == 0 and (f, sd) == pytest.approx(carrier_mean(b.carrier_offset_hz, systematic_hz=0.3)[:2])
    # bursts of two streams (two receiver windows) are fitted apart, then combined
    half = np.where(np.arange(n) < n // 2, 1, 2)
    f, sd, used, coherent, _ = reading_carrier(
        b.carrier_offset_hz, t, phase, std, np.zeros(n), half, systematic_hz=0.3, coherent_systematic_hz=0.001
    )
    assert coherent == n and abs(f - 120.0) < 0.02


def test_real_captures_phases_cohere_no_better_than_their_receivers_oscillator():
    """The 941 MHz capture (USRP1, 2007): four FCCH bursts of one multiframe, 10 frames apart. Their
    doubled phases (the frame timing from the search) leave 0.1-0.2 rad about the best line where
    the fits state 0.02-0.04 rad: the receiver's own phase noise over 46 ms, which the coherent
    estimate's scatter-scaled sd carries. Four bursts 10 frames apart cannot tell 10.8 Hz apart:
    refused."""
    path = CAPTURES / "gsmsp_941.0MHz_500ksps.cfile"
    if not path.is_file():
        pytest.skip(f"real capture {path} not found")
    x = np.fromfile(path, np.complex64)
    plan = plan_channelizer(500e3, [0.0], samples_per_symbol=SPS)
    y = channelize_all(plan, x).samples[0]
    fs = plan.out_rate_hz
    found = fcch_search.detect_fcch(y, sample_rate_hz=fs)
    b = measure_fcch_at(
        y,
        sample_rate_hz=fs,
        start_sample=found.start_sample,
        carrier_offset_hz=float(np.median(found.carrier_offset_hz)),
    )
    assert len(b) == 4
    t = b.start_sample / fs
    prior = carrier_mean(b.carrier_offset_hz)
    assert prior is not None
    kw = dict(prior_hz=prior[0], prior_sd_hz=prior[1], min_bursts=4, min_span_s=0.1)
    assert coherent_carrier(t, b.carrier_phase_rad, b.phase_std_rad, **kw) is None
    # the best line through the doubled phases near the carrier (a 0.01 Hz grid over ±30 Hz)
    ph2, sd2 = np.angle(np.exp(2j * b.carrier_phase_rad)), 2 * b.phase_std_rad
    best = np.inf
    for f in prior[0] + np.arange(-30.0, 30.0, 0.01):
        r = np.exp(1j * (ph2 - 4 * np.pi * f * t))
        r = np.angle(r * np.conj(np.sum(r / sd2**2)))
        best = min(best, float(np.sum((r / sd2) ** 2)))
    assert 0.02 < float(np.median(sd2)) < 0.05
    assert 10.0 < best < 400.0  # χ² for 2 degrees of freedom: the phases scatter beyond their fits' sd


def _one_reading(b, position, streams=None):
    """A cell (ARFCN 62) that took bursts ``b`` as FcchEstimates (the receiver's ``position(k)`` at
    the k-th, UTC 1000 s + its time, all of stream 1 or of ``streams``), its reading closed."""
    tracker = CellTracker()
    cell = tracker.cells.setdefault((62, 13), CellObservation(62, 13))
    t = b.start_sample / FS
    for k in range(len(b)):
        e = FcchEstimate(
            62,
            13,
            None,
            float(b.carrier_offset_hz[k]),
            float(b.freq_std_hz[k]),
            20.0,
            float(t[k]),
            time_utc_s=1000.0 + float(t[k]),
            phase_rad=float(b.carrier_phase_rad[k]),
            phase_std_rad=float(b.phase_std_rad[k]),
            stream_id=1 if streams is None else int(streams[k]),
        )
        tracker.add_fcch(e, position(k))
    tracker.finish_readings()
    return cell


@pytest.mark.parametrize(
    ("position", "coherent"),
    [({"speed_m_s": 0.0}, True), ({"fix": "fixed"}, True), ({"speed_m_s": 12.0}, False), (None, False)],
)
def test_a_cells_reading_is_coherent_only_where_the_receiver_stands_still(position, coherent):
    """``cells``: a reading's bursts measured coherently only when the receiver is known at rest
    (on the simulated drive the receiver's and the fake's oscillator walks leave the few readings
    that cohere 5 × their sd off: ``cells.COHERENT_MAX_SPEED_M_S``)."""
    rng = np.random.default_rng(9)
    b = _bursts(rng, 40.0, 25.0, n_frames=216)
    cell = _one_reading(b, lambda k: position)
    (r,) = cell.frequency_readings
    assert r.coherent is coherent and len(b) - 2 <= r.n_bursts <= len(b)
    assert abs(r.freq_hz - (cell.downlink_hz + 40.0)) < (0.01 if coherent else 4 * r.freq_sd_hz)


def test_a_moving_cells_reading_is_at_the_time_its_frequency_applies(monkeypatch):
    """``cells`` with the at-rest gate lifted: a reading of a carrier changing at 3 Hz/s over two
    streams (15 bursts, then 7) gives the frequency at its ``t_s`` (the finer stream's time, not
    all the bursts' mean: 0.6 Hz apart here), and the position and UTC of its burst nearest then."""
    monkeypatch.setattr("sensor.cells.COHERENT_MAX_SPEED_M_S", float("inf"))
    rng = np.random.default_rng(27)
    b = _bursts(rng, 40.0, 20.0, rate_hz_per_s=3.0)
    t = b.start_sample / FS
    cell = _one_reading(b, lambda k: {"speed_m_s": 12.0, "k": k}, streams=np.where(np.arange(len(b)) < 15, 1, 2))
    (r,) = cell.frequency_readings
    assert r.coherent and r.n_bursts == len(b) and r.freq_sd_hz < 0.01
    assert abs(r.freq_hz - (cell.downlink_hz + 40.0 + 3.0 * r.t_s)) < 3 * r.freq_sd_hz
    assert np.mean(t) - r.t_s > 0.12
    nearest = int(np.argmin(np.abs(t - r.t_s)))
    assert r.position == {"speed_m_s": 12.0, "k": nearest} and r.time_utc_s == pytest.approx(1000.0 + r.t_s)
