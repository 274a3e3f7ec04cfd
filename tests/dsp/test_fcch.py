"""FCCH detection and frequency estimation: simulated scenes with known offsets (receiver ppm,
transmitters' own errors, noise) and the real captures in ../shared/captures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensor.dsp import fcch, fcch_carriers, fcch_refine, fcch_search
from sensor.dsp.channel_window import channelize_all
from sensor.dsp.channelizer import plan_channelizer
from sensor.dsp.gmsk import gmsk_modulate
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.gsm.burst import DUMMY_BURST_UBITS
from sensor.gsm.multiframe import FCCH_T3
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.gsm.training import SCH_TRAINING_UBITS
from sensor.sim.render import SceneRenderer, transmit_hz
from tests.sim.scenes import cell_toml, scene_from, scene_toml

CAPTURES = Path(__file__).resolve().parents[2] / "../shared/captures"
FRAME_S = 1250 / SYMBOL_RATE_HZ


def _capture(name: str) -> np.ndarray:
    path = CAPTURES / name
    if not path.is_file():
        pytest.skip(f"real capture {path} not found")
    return np.fromfile(path, np.complex64)


def _render(tmp_path: Path, text: str):
    scene = scene_from(tmp_path, text)
    r = SceneRenderer(scene)
    x = np.concatenate([b.samples for b in r.blocks()])
    return scene, r, x


def _truth_offset_hz(scene, cell) -> float:
    return transmit_hz(cell) / (1 + scene.receiver.ppm * 1e-6) - scene.receiver.center_hz


def _nominal_fcch(cell, duration_s: float, lag_s: float) -> tuple[np.ndarray, np.ndarray]:
    """(start time s, FN) of every FCCH burst of ``cell`` in the scene (TS 45.002 §7 Table 3)."""
    fn = cell.start_fn + np.arange(int(duration_s / FRAME_S) + 2)
    fn = fn[np.isin(fn % 51, FCCH_T3)]
    t = (fn - cell.start_fn) * FRAME_S + cell.timing_symbols / SYMBOL_RATE_HZ + lag_s
    return t, fn


def _renderer_lag_s(r: SceneRenderer, bursts: fcch.FcchBursts, cell) -> float:
    """The renderer places every cell at its nominal time: check the bursts against it to within a
    few symbols (returns the lag, 0)."""
    t, _ = _nominal_fcch(cell, 10.0, 0.0)
    err = np.min(np.abs(bursts.start_s[:, None] - t[None, :]), axis=1) * SYMBOL_RATE_HZ
    assert np.all(err < 3.0), "bursts are not where the cell sent its FCCHs"
    return 0.0


def _check_carriers(scene, r, x, *, max_err_hz: float = 20.0):
    """Every cell found once, its FCCHs all found at the right times, no phantoms; offsets right."""
    rate = scene.receiver.sample_rate_hz
    bursts = fcch_search.search_fcch_wideband(x, sample_rate_hz=rate)
    carriers = fcch_carriers.group_carriers(bursts, center_hz=scene.receiver.center_hz)
    assert len(carriers) == len(scene.cells), [c.arfcn for c in carriers]
    duration = len(x) / rate
    results = {}
    for cell in scene.cells:
        truth = _truth_offset_hz(scene, cell)
        match = [c for c in carriers if abs(c.carrier_offset_hz - truth) < 2e3]
        assert len(match) == 1, (cell.name, truth, [c.carrier_offset_hz for c in carriers])
        c = match[0]
        assert c.arfcn == cell.arfcn
        lag = _renderer_lag_s(r, c.bursts, cell)
        t, fn = _nominal_fcch(cell, duration, lag)
        inside = (t > 1e-3) & (t + 148 / SYMBOL_RATE_HZ < duration - 1e-3)
        whole = (t >= 0) & (t + 148 / SYMBOL_RATE_HZ <= duration)
        # Every FCCH well inside the recording is found; one right at an edge may be found or not;
        # nothing else is (every burst found sits on a sent FCCH: _renderer_lag_s).
        assert int(inside.sum()) <= len(c.bursts) <= int(whole.sum()), cell.name
        err = c.carrier_offset_hz - truth
        assert abs(err) < max_err_hz, (cell.name, err)
        assert abs(err) < 4 * c.offset_std_hz + 1.0  # the claimed precision is honest
        # Cadence: confirmed, and the FN mod 51 it infers is the one the cell sent.
        assert c.cadence.confirmed
        sent = fn[np.argmin(np.abs(c.bursts.start_s[:, None] - t[None, :]), axis=1)]  # FN of each burst found
        if c.cadence.t3 is not None:
            np.testing.assert_array_equal(c.cadence.t3, sent % 51)
        results[cell.name] = (c, err)
    return bursts, carriers, results


@pytest.fixture(scope="module")
def gsm900_scene(tmp_path_factory):
    """An RTL-SDR 40 ppm slow at 947.4 MHz, four cells at 10 dB SNR (one adjacent pair), 1.5 s."""
    cells = [
        cell_toml("a", 59, 10, power_dbfs=-30.0, extra="cfo_hz = 150.0\nstart_fn = 7\ntiming_symbols = 300.5\n"),
        cell_toml("b", 62, 11, power_dbfs=-30.0, extra="cfo_ppm = 0.05\nstart_fn = 1000\n"),
        cell_toml("c", 63, 12, power_dbfs=-30.0, extra="cfo_hz = -420.0\nstart_fn = 20\ntiming_symbols = 800.0\n"),
        cell_toml("d", 66, 13, power_dbfs=-30.0, extra="cfo_hz = 77.0\nstart_fn = 44\n"),
    ]
    text = scene_toml(947.4e6, 2.4e6, cells, duration_s=1.5, noise_dbfs=-40.0, seed=11, receiver_extra="ppm = -40.0\n")
    return _render(tmp_path_factory.mktemp("gsm900"), text)


def test_wideband_search_finds_every_fcch_with_offsets_within_10_hz(gsm900_scene):
    scene, r, x = gsm900_scene
    bursts, carriers, results = _check_carriers(scene, r, x)
    # 1-sigma of a carrier's offset (~32 bursts) within 10 Hz: RMS over the four carriers
    errs = np.array([err for _, err in results.values()])
    assert np.sqrt(np.mean(errs**2)) < 10.0, errs
    assert all(c.offset_std_hz < 10.0 for c, _ in results.values())
    # one burst alone: ~20-30 Hz at 10 dB SNR (Cramér-Rao ~27 Hz over 140 symbols); the claimed
    # 1-sigma errors match the scatter
    pulls = []
    for cell in scene.cells:
        c, _ = results[cell.name]
        pulls += list((c.bursts.carrier_offset_hz - _truth_offset_hz(scene, cell)) / c.bursts.freq_std_hz)
        # (b's tone lies 132 kHz below c's carrier: c's skirt adds to b's noise)
        assert np.median(c.bursts.snr_db) == pytest.approx(10.0, abs=1.0 if cell.name != "b" else 2.5)
        assert np.median(c.bursts.duration_symbols) == pytest.approx(fcch.FCCH_TONE_SYMBOLS, abs=6)
    assert 0.6 < np.std(pulls) < 1.5
    ppm = fcch_carriers.estimate_receiver_ppm(carriers)
    assert ppm == pytest.approx(-40.0, abs=0.1)


def test_channel_streams_give_the_same_bursts_and_ignore_neighbours(gsm900_scene):
    """Channelise the raster (not corrected for the receiver's 38 kHz error): each channel's
    detector finds its own carrier only; the empty channels between find nothing."""
    scene, r, x = gsm900_scene
    centre = scene.receiver.center_hz
    arfcns = np.arange(57, 69)
    offsets = np.array([arfcn_to_downlink_hz(int(a)) for a in arfcns]) - centre
    plan = plan_channelizer(2.4e6, offsets, samples_per_symbol=2)
    y = channelize_all(plan, x).samples
    cells = {c.arfcn: c for c in scene.cells}
    for i, a in enumerate(arfcns):
        b = fcch_search.detect_fcch(y[i], sample_rate_hz=plan.out_rate_hz)
        if a not in cells:
            assert len(b) == 0, (a, b.carrier_offset_hz)
            continue
        truth = _truth_offset_hz(scene, cells[a]) - offsets[i]
        assert len(b) >= 30
        assert np.all(np.abs(b.carrier_offset_hz - truth) < 300)  # its own FCCHs, never a neighbour's
        w = 1 / b.freq_std_hz**2
        # the bursts' weighted mean within 3 of its standard errors (~6 Hz at 10 dB: each burst's
        # frequency is fitted over its 92 interior tone symbols, fcch.FREQ_FIT_TONE_SYMBOLS)
        assert abs(np.sum(w * b.carrier_offset_hz) / np.sum(w) - truth) < 3 / np.sqrt(np.sum(w))
        cad = fcch_carriers.fcch_cadence(b.start_sample, sample_rate_hz=plan.out_rate_hz)
        assert cad.confirmed and cad.t3 is not None
        # the SCH follows one frame after each FCCH, on timeslot 0: its extended training sequence
        # (BN42..105, TS 45.002 §5.2.5) is where the predicted start says, within 2 symbols
        lags = []
        for start in cad.sch_start_sample[:-1]:
            lag = _sch_training_lag_symbols(y[i], start, truth, plan.out_rate_hz)
            assert abs(lag) <= 2.0, (a, lag)
            lags.append(lag)
        assert abs(np.median(lags)) <= 1.0


def _sch_training_lag_symbols(y, sch_start, carrier_hz, fs, span=10):
    sps = int(round(fs / SYMBOL_RATE_HZ))
    ref, _ = gmsk_modulate(SCH_TRAINING_UBITS, samples_per_symbol=sps)
    ref = ref[4 * sps : 60 * sps]  # skip the first symbols (their phase depends on BN41)
    first = int(round(sch_start + (42 + 0.5 + 4) * sps))  # centre of BN46 at 0 lag
    k = np.arange(first - span * sps, first + span * sps + len(ref))
    seg = y[k] * np.exp(-2j * np.pi * carrier_hz * k / fs)
    corr = np.abs(np.correlate(seg, ref, mode="valid"))
    corr /= np.sqrt(np.sum(np.abs(ref) ** 2) * np.convolve(np.abs(seg) ** 2, np.ones(len(ref)), mode="valid"))
    assert corr.max() > 0.5  # (noise and an adjacent carrier share the ±240 kHz channel; no SCH: ~0.1)
    return (int(np.argmax(corr)) - span * sps) / sps


def test_dcs1800_receiver_45_ppm_fast_maps_each_carrier_to_its_arfcn(tmp_path):
    """At 1842 MHz 45 ppm is −83 kHz: still each carrier to its own ARFCN, adjacent ones apart,
    and a transmitter with its own 2 ppm error stands out from the common receiver error."""
    centre = 1842.4e6
    cells = [
        cell_toml("a", 697, 1, power_dbfs=-28.0, band="DCS1800", extra="start_fn = 3\n"),
        cell_toml("b", 698, 2, power_dbfs=-25.0, band="DCS1800", extra="start_fn = 400\ntiming_symbols = 50.0\n"),
        cell_toml("fake", 702, 3, power_dbfs=-22.0, band="DCS1800", extra="cfo_ppm = 2.0\nstart_fn = 90\n"),
    ]
    text = scene_toml(centre, 2.4e6, cells, duration_s=0.3, noise_dbfs=-45.0, seed=3, receiver_extra="ppm = 45.0\n")
    scene, r, x = _render(tmp_path, text)
    bursts, carriers, results = _check_carriers(scene, r, x, max_err_hz=25.0)
    ppm = fcch_carriers.estimate_receiver_ppm(carriers)
    assert ppm == pytest.approx(45.0, abs=0.05)
    by_name = {name: c for name, (c, _) in results.items()}
    assert by_name["fake"].implied_ppm - ppm == pytest.approx(-2.0, abs=0.05)  # its own clock error
    # With the common error removed, every carrier sits within a few Hz of its raster point ...
    again = fcch_carriers.group_carriers(bursts, center_hz=centre, receiver_ppm=ppm)
    for c in again:
        if c.arfcn != 702:
            assert (
                abs(c.carrier_offset_hz + (ppm * 1e-6) * c.raster_hz / (1 + ppm * 1e-6) - (c.raster_hz - centre)) < 30
            )


def test_rtl_sdr_front_end_dc_spike_and_iq_image_make_no_phantom_carrier(tmp_path):
    """An 8-bit zero-IF receiver: DC leakage and an IQ-imbalance image (−25 dB) of a strong cell's
    FCCH mirrored about the tuning must not become carriers."""
    cells = [
        cell_toml("strong", 64, 7, power_dbfs=-8.0, extra="start_fn = 5\n"),
        cell_toml("weak", 59, 8, power_dbfs=-45.0, extra="start_fn = 17\n"),
    ]
    text = scene_toml(
        947.4e6,
        2.4e6,
        cells,
        duration_s=0.25,
        noise_dbfs=-58.0,
        seed=5,
        receiver_extra='ppm = 12.0\ndc_dbfs = -20.0\niq_gain_db = 0.8\niq_phase_deg = 4.0\ndatatype = "cu8"\n',
    )
    scene, r, x = _render(tmp_path, text)
    # (the weak cell: six bursts at 6 dB SNR, its offset's stated 1-sigma ~27 Hz; the strong one's
    # error 0.2 Hz, stated 0.2 Hz: fitted over bits 12..136 it read 2.7 Hz high, stated 0.8 Hz)
    _, _, results = _check_carriers(scene, r, x, max_err_hz=60.0)
    strong, err = results["strong"]
    assert abs(err) < 3 * strong.offset_std_hz + 0.1


def test_noise_alone_and_normal_bursts_give_no_fcch():
    rng = np.random.default_rng(9)
    rate = 1e6
    noise = ((rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)) * 0.01).astype(np.complex64)
    assert len(fcch_search.search_fcch_wideband(noise, sample_rate_hz=rate)) == 0
    bits = rng.integers(0, 2, 60_000).astype(np.uint8)  # GMSK without FCCH, and a dummy-burst pattern
    bits[20_000:30_000] = np.tile(DUMMY_BURST_UBITS, 100)[:10_000]
    g, _ = gmsk_modulate(bits, samples_per_symbol=4)
    x = 0.3 * g + noise[: len(g)] + 0.05  # and a DC offset
    assert len(fcch_search.detect_fcch(x, sample_rate_hz=4 * SYMBOL_RATE_HZ)) == 0
    assert len(fcch_search.search_fcch_wideband(x, sample_rate_hz=4 * SYMBOL_RATE_HZ)) == 0


def test_fine_estimate_single_bursts_near_cramer_rao_at_10_db():
    """200 FCCH bursts framed as on a C0 (dummy burst, guard bits, FCCH, guard bits, dummy burst)
    between random data at +5.3 kHz, 10 dB SNR per 270.833 kHz: unbiased, RMS error within 1.25×
    the Cramér-Rao bound for the tone symbols fitted (``fcch.FREQ_FIT_TONE_SYMBOLS``), honest 1-sigma."""
    rng = np.random.default_rng(21)
    sps = 4
    fs = sps * SYMBOL_RATE_HZ
    n_bursts = 200
    n_random = 800
    guard = np.ones(8, np.uint8)  # TS 45.002 §5.2.1 guard period, sent as 1s (as the simulator does)
    frame = [DUMMY_BURST_UBITS, guard, np.zeros(148, np.uint8), guard, DUMMY_BURST_UBITS]
    period = n_random + sum(len(f) for f in frame)
    bits = []
    for _ in range(n_bursts):
        bits += [rng.integers(0, 2, n_random).astype(np.uint8), *frame]
    bits.append(rng.integers(0, 2, n_random).astype(np.uint8))
    g, _ = gmsk_modulate(np.concatenate(bits), samples_per_symbol=sps)
    off_hz = 5300.0
    t = np.arange(len(g))
    x = g * np.exp(2j * np.pi * off_hz * t / fs)
    sigma = np.sqrt(10 ** (-10 / 10) * sps / 2)  # −10 dB in 270.833 kHz at 4 samples/symbol
    x = (x + sigma * (rng.standard_normal(len(x)) + 1j * rng.standard_normal(len(x)))).astype(np.complex64)
    b = fcch_search.detect_fcch(x, sample_rate_hz=fs)
    assert len(b) == n_bursts
    starts = (np.arange(n_bursts) * period + n_random + 148 + 8) * sps  # bit 0 of each FCCH
    assert np.max(np.abs(b.start_sample - starts)) <= 2 * sps
    err = b.carrier_offset_hz - off_hz
    snr = 10.0
    # complex tone in complex white noise: var(f) ≥ 6 / ((2π)² · (A²/N0) · T³)
    n_fit = fcch.FREQ_FIT_TONE_SYMBOLS[1] - fcch.FREQ_FIT_TONE_SYMBOLS[0]
    crlb_hz = np.sqrt(6 / ((2 * np.pi) ** 2 * 10 ** (snr / 10) * SYMBOL_RATE_HZ * (n_fit / SYMBOL_RATE_HZ) ** 3))
    assert abs(np.mean(err)) < 3 * crlb_hz / np.sqrt(n_bursts)
    assert np.sqrt(np.mean(err**2)) < 1.25 * crlb_hz
    assert 0.7 < np.std(err / b.freq_std_hz) < 1.4
    assert np.median(b.snr_db) == pytest.approx(10.0, abs=1.0)


def test_cadence_places_bursts_in_the_51_multiframe():
    fs = 2 * SYMBOL_RATE_HZ
    frame = 1250 * 2
    fns = np.array([10, 20, 30, 40, 51, 61, 81])  # one missed (71)
    jitter = np.array([0.0, 0.4, -0.3, 0.2, 0.0, -0.5, 0.1]) * 2
    cad = fcch_carriers.fcch_cadence(1000 + (fns - 10) * frame + jitter, sample_rate_hz=fs)
    assert cad.confirmed
    np.testing.assert_array_equal(cad.t3, fns % 51)
    np.testing.assert_array_equal(cad.frame_offset, fns - 10)
    # 10 apart only: consistent, but where in the multiframe is not known yet
    cad = fcch_carriers.fcch_cadence(np.array([0, 10, 20]) * frame, sample_rate_hz=fs)
    assert cad.confirmed and cad.t3 is None
    # 12 frames apart is no FCCH pattern; nor are bursts off the frame grid
    assert not fcch_carriers.fcch_cadence(np.array([0, 12]) * frame, sample_rate_hz=fs).consistent
    assert not fcch_carriers.fcch_cadence(np.array([0, 10 * frame + 40]), sample_rate_hz=fs).consistent


def _bursts_at(starts, fs, offset_hz=-1200.0):
    n = len(starts)
    one = np.ones(n)
    return fcch.FcchBursts(
        np.asarray(starts, float),
        147 * one,
        offset_hz + fcch.FCCH_TONE_HZ + 0 * one,
        offset_hz + 0 * one,
        20 * one,
        5 * one,
        0.9 * one,
        -30 * one,
        fs,
    )


def test_a_burst_misplaced_by_a_weak_edge_does_not_lose_the_carrier():
    """At 2 dB SNR one burst's edges may be found 12 symbols off: the carrier keeps the others."""
    fs = 2 * SYMBOL_RATE_HZ
    frame = 1250 * 2
    fns = np.array([0, 10, 20, 30, 40, 51, 61])
    starts = 1000 + fns * frame + np.where(fns == 30, 12 * 2, 0)
    (c,) = fcch_carriers.group_carriers(_bursts_at(starts, fs), center_hz=947.4e6)
    assert c.cadence.consistent and len(c.bursts) == 6 and 30 * frame + 1000 + 24 not in c.bursts.start_sample
    # but a set that does not agree (half on one grid, half on another) is no carrier's cadence
    starts = 1000 + fns * frame + np.where(fns >= 30, 40, 0)
    (c,) = fcch_carriers.group_carriers(_bursts_at(starts, fs), center_hz=947.4e6)
    assert not c.cadence.consistent


# --- real captures ---------------------------------------------------------------------------------


def _one_carrier(x, rate, centre):
    bursts = fcch_search.search_fcch_wideband(x, sample_rate_hz=rate)
    carriers = fcch_carriers.group_carriers(bursts, center_hz=centre)
    assert carriers
    return carriers


def _real_sch_lags(x, rate, offset_hz):
    """The SCH training sequence's distance (symbols) from where each FCCH predicts it."""
    plan = plan_channelizer(rate, [offset_hz], samples_per_symbol=4)
    y = channelize_all(plan, x).samples[0]
    b = fcch_search.detect_fcch(y, sample_rate_hz=plan.out_rate_hz)
    return [
        _sch_training_lag_symbols(y, s, c, plan.out_rate_hz)
        for s, c in zip(b.sch_start_sample, b.carrier_offset_hz)
        if s + 800 < len(y)
    ]


def test_real_953_6_mhz_500_ksps():
    x = _capture("gsmsp_953.6MHz_500ksps.cfile")
    c = _one_carrier(x, 500e3, 953.6e6)[0]
    assert c.arfcn == 93 and len(c.bursts) == 3 and c.cadence.confirmed
    assert c.carrier_offset_hz == pytest.approx(8.7e3, abs=100)  # ~ +9.1 ppm
    # (the first FCCH is FN 857106: the README's first SCH, FN 857107, follows one frame later)
    lags = _real_sch_lags(x, 500e3, 0.0)
    assert len(lags) == 3 and all(abs(lag) <= 3 for lag in lags)


def test_real_941_0_mhz_500_ksps():
    x = _capture("gsmsp_941.0MHz_500ksps.cfile")
    c = _one_carrier(x, 500e3, 941.0e6)[0]
    assert c.arfcn == 30 and len(c.bursts) == 4 and c.cadence.confirmed
    assert c.carrier_offset_hz == pytest.approx(8.45e3, abs=100)


def test_real_rtl_sdr_933_2_mhz_2_msps_carrier_at_plus_400_khz():
    x = _capture("rtlsdr_933.2MHz_2Msps.cfile")
    carriers = _one_carrier(x, 2e6, 933.2e6)
    c = next(c for c in carriers if c.arfcn == 1017)
    assert c.raster_offset_hz == pytest.approx(-620, abs=30)
    assert len(c.bursts) == 2 and c.cadence.confirmed
    # any other carrier found shares the receiver's error (it is a real neighbour, not a phantom)
    for other in carriers:
        assert other.implied_ppm == pytest.approx(c.implied_ppm, abs=0.1)
    # the channel stream of ARFCN 1017 gives the same
    plan = plan_channelizer(2e6, [400e3], samples_per_symbol=4)
    b = fcch_search.detect_fcch(channelize_all(plan, x).samples[0], sample_rate_hz=plan.out_rate_hz)
    assert len(b) == 2 and np.all(np.abs(b.carrier_offset_hz + 620) < 30)
    assert all(abs(lag) <= 3 for lag in _real_sch_lags(x, 2e6, 400e3))


def test_real_953_6_mhz_1_msps_two_bursts():
    x = _capture("gsmsp_953.6MHz_1Msps.cfile")
    carriers = _one_carrier(x, 1e6, 953.6e6)
    c = next(c for c in carriers if c.arfcn == 93)
    assert len(c.bursts) == 2 and c.cadence.confirmed
    assert c.carrier_offset_hz == pytest.approx(8.7e3, abs=150)


def test_wideband_candidates_refined_on_channel_streams_as_on_the_wideband_samples(gsm900_scene):
    """The search refines its candidates on narrow channel streams (cheap at high rates): the same
    bursts as refining on the wideband samples, to a fraction of a symbol and a few Hz."""
    scene, r, x = gsm900_scene
    ws, f_hz, _ = fcch_search._tone_candidates(x, 2.4e6, f_lo_hz=-1.08e6, f_hi_hz=1.08e6, threshold_db=12.0)
    direct = fcch_refine.refine_fcch(x, sample_rate_hz=2.4e6, window_start=ws, tone_hz=f_hz)
    via = fcch_search._refine_on_channels(x, 2.4e6, ws, f_hz)
    assert len(direct) >= 4 * 25 and abs(len(via) - len(direct)) <= 1
    sps = 2.4e6 / SYMBOL_RATE_HZ
    starts = []
    for i in range(len(direct)):
        j = np.argmin(np.abs(via.start_sample - direct.start_sample[i]))
        starts.append((via.start_sample[j] - direct.start_sample[i]) / sps)
        assert abs(starts[-1]) < 1.5  # symbols: the edges found at 2 samples per symbol instead of 8.9
        assert via.tone_hz[j] == pytest.approx(direct.tone_hz[i], abs=max(5.0, 0.5 * direct.freq_std_hz[i]))
        assert via.power_dbfs[j] == pytest.approx(direct.power_dbfs[i], abs=0.3)
        assert via.snr_db[j] == pytest.approx(direct.snr_db[i], abs=1.5)
    assert abs(np.mean(starts)) < 0.5 and np.std(starts) < 0.6


@pytest.mark.parametrize("size", [3, 7, 33])
def test_the_local_mean_is_uniform_filter1d_nearest_where_it_is_made(size):
    """The candidate stage's local mean, made at the bins that could pass only (``_mean_at``), is
    what a running mean over every spectrum gave (scipy.ndimage, mode "nearest"), edges included."""
    from scipy.ndimage import uniform_filter1d

    rng = np.random.default_rng(3)
    a = (rng.exponential(size=(40, 300)) * 10 ** rng.uniform(-9, 0, size=(40, 300))).astype(np.float32)
    t, f = np.meshgrid(np.arange(40), np.arange(300), indexing="ij")
    t, f = t.ravel(), f.ravel()
    got = fcch_search._mean_at(a, t, f, size)
    want = uniform_filter1d(a, size, axis=1, mode="nearest")[t, f]
    assert got.dtype == np.float32
    # Equal but for a few float32 ulps, where ndimage's running sum (sequential, with a value 10⁹
    # larger leaving the window) rounds off what the float64 sums keep.
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
    assert np.mean(got == want) > 0.99


def test_tone_candidates_find_each_tone_once_with_its_contrast():
    """The candidate stage, its contrast made only where a bin could pass: five tones in noise,
    each found once, at its frequency, standing at least the threshold out."""
    rng = np.random.default_rng(5)
    fs = 1e6
    n = int(0.25 * fs)
    x = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 0.05).astype(np.complex64)
    sps = fs / SYMBOL_RATE_HZ
    t = np.arange(int(142 * sps))
    for start in range(3000, n - len(t), 50_000):  # FCCH-like tones at +67.7 kHz - 20 kHz
        x[start : start + len(t)] += 0.2 * np.exp(2j * np.pi * (fcch.FCCH_TONE_HZ - 20e3) * t / fs)
    ws, f_hz, c_db = fcch_search._tone_candidates(x, fs, f_lo_hz=-400e3, f_hi_hz=400e3, threshold_db=12.0)
    assert len(ws) == 5 and np.all(np.abs(f_hz - (fcch.FCCH_TONE_HZ - 20e3)) < 2e3)
    assert np.all(c_db >= 12.0)


def test_the_search_s_median_over_time_taken_a_few_columns_at_a_time_is_numpy_s():
    from sensor.dsp.fcch_search import _column_median

    rng = np.random.default_rng(1)
    for shape in [(423, 1500), (10, 513), (64, 2), (5, 512)]:
        a = rng.standard_normal(shape).astype(np.float32) ** 2
        np.testing.assert_array_equal(_column_median(a[::2]), np.median(a[::2], axis=0))
