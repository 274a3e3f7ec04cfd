"""Carriers carried from window to window: the same blocks as searching every window afresh, at a
fraction of the searches; transmitters switching on and off; FCCH frequency at known places."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.dsp.fcch_search import detect_fcch
from sensor.dsp.fcch_track import measure_fcch_at
from sensor.dsp.spectrum import raster_contrast
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.receiver.stream import StreamReceiver
from sensor.sim.render import SceneRenderer, transmit_hz
from tests.sim.scenes import cell_toml, scene_from, scene_toml


def blocks_of(scene, seconds, block_s=0.2):
    return SceneRenderer(scene).blocks(duration_s=seconds, block_samples=int(block_s * scene.receiver.sample_rate_hz))


def decoded(rx, scene, seconds):
    return {(b.arfcn, b.bsic, b.fn): b for b in rx.process(blocks_of(scene, seconds))}


@pytest.mark.slow
def test_tracked_windows_decode_what_fresh_searches_do(tmp_path):
    arfcns = [57, 59, 60, 62, 63, 65, 66]
    cells = [
        cell_toml(
            f"c{a}",
            a,
            (5 * i + 2) % 64,
            power_dbfs=-24.0 - 2.0 * i,
            cell_id=10 + i,
            extra=f"start_fn = {i * 4321}\ntiming_symbols = {(i * 311) % 1250}.5\n",
        )
        for i, a in enumerate(arfcns)
    ]
    scene = scene_from(
        tmp_path,
        scene_toml(
            947.4e6,
            2.4e6,
            cells,
            duration_s=4.5,
            noise_dbfs=-58.0,
            seed=5,
            receiver_extra='ppm = -37.0\ndatatype = "cu8"\n',
        ),
    )
    tracked, fresh = StreamReceiver(), StreamReceiver(track=False)
    got, want = decoded(tracked, scene, 4.5), decoded(fresh, scene, 4.5)
    assert fresh.stats.searches == fresh.stats.windows == 5
    assert tracked.stats.searches == 1  # the first window only: everything after it was tracked
    assert set(got) == set(want) and len(got) > 7 * 150  # every block of every cell, none lost or added
    for key, b in got.items():
        assert b.octets == want[key].octets and b.crc_ok
        assert b.freq_offset_hz == pytest.approx(want[key].freq_offset_hz, abs=20.0)
    # The offsets tracked window by window stay on the truth (receiver −37 ppm seen in every carrier).
    for c in scene.cells:
        truth = transmit_hz(c) / (1 - 37e-6) - arfcn_to_downlink_hz(c.arfcn)
        offs = [b.freq_offset_hz for (a, _, _), b in got.items() if a == c.arfcn]
        assert np.median(offs) == pytest.approx(truth, abs=10.0)
    assert np.median(tracked.stats.receiver_ppm) == pytest.approx(-37.0, abs=0.05)


@pytest.mark.slow
def test_a_transmitter_switching_on_and_off_while_others_are_tracked(tmp_path):
    cells = [
        cell_toml("a", 60, 11, power_dbfs=-25.0, cell_id=1),
        cell_toml("b", 64, 12, power_dbfs=-28.0, cell_id=2, extra="start_fn = 777\n"),
        # switches on in the middle of the second window and off two windows later, then on again
        cell_toml("late", 62, 13, power_dbfs=-30.0, cell_id=3, extra="start_fn = 5000\non_s = 1.45\noff_s = 3.2\n"),
    ]
    scene = scene_from(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=5.0, noise_dbfs=-58.0, seed=6))
    rx = StreamReceiver()
    got = decoded(rx, scene, 5.0)
    late = sorted(b.t_s for (a, _, _), b in got.items() if a == 62)
    assert late and 1.45 <= late[0] <= 1.45 + 0.3  # found in the window it switched on in
    assert late[-1] <= 3.2  # nothing decoded after it went off
    assert all(b.crc_ok for b in got.values())
    assert {k[:2] for k in got} == {(60, 11), (64, 12), (62, 13)}  # no phantom
    assert rx.carriers[(62, 13)].state == "lost" and rx.carriers[(60, 11)].state == "synchronised"
    assert rx.stats.searches < rx.stats.windows
    for arfcn in (60, 64):  # the tracked ones lost nothing meanwhile: ~9 blocks per 235 ms
        assert sum(1 for k in got if k[0] == arfcn) >= 0.9 * 5.0 / 0.2354 * 9


def test_searched_again_every_search_every_s(tmp_path):
    scene = scene_from(
        tmp_path, scene_toml(947.4e6, 1e6, [cell_toml("a", 62, 21, power_dbfs=-25.0)], duration_s=5.0, noise_dbfs=-55.0)
    )
    rx = StreamReceiver(search_every_s=2.0)
    got = decoded(rx, scene, 5.0)
    # 1 s windows, 0.9 s of them new: searched in the first and when 2.7 s had passed since
    assert rx.stats.windows == 6 and rx.stats.searches == 2
    assert len(got) >= 0.9 * 5.0 / 0.2354 * 9
    rx = StreamReceiver()
    assert len(decoded(rx, scene, 5.0)) == len(got) and rx.stats.searches == 1


def fcch_stream(tmp_path, snr_db, cfo_hz, seconds=6.0):
    fs = 2 * 1625e3 / 6
    one = scene_from(
        tmp_path,
        scene_toml(
            947.4e6,
            fs,
            [cell_toml("a", 62, 21, power_dbfs=-20.0, extra=f"cfo_hz = {cfo_hz}\n")],
            duration_s=seconds,
            noise_dbfs=-20.0 - snr_db,
            seed=int(snr_db) + 2,
        ),
    )
    x = np.concatenate([b.samples for b in SceneRenderer(one).blocks(duration_s=seconds)])
    return x, fs, transmit_hz(one.cells[0]) - 947.4e6


@pytest.mark.parametrize("snr_db", [10.0, 25.0])
def test_fcch_at_known_places_matches_the_truth_and_its_own_error_claim(tmp_path, snr_db):
    x, fs, truth = fcch_stream(tmp_path, snr_db, 1234.5)
    places = detect_fcch(x, sample_rate_hz=fs).start_sample
    assert len(places) > 100
    # A guess 700 Hz off, the places rounded as a frame timing would give them.
    m = measure_fcch_at(x, sample_rate_hz=fs, start_sample=np.round(places) + 1.0, carrier_offset_hz=truth + 700.0)
    assert len(m) == len(places)
    err = m.carrier_offset_hz - truth
    assert abs(np.mean(err)) < 3 * np.std(err) / np.sqrt(len(err)) + 3.0  # unbiased (within the simulator's ~2 Hz)
    assert 0.7 < np.std(err) / np.median(m.freq_std_hz) < 1.4  # the 1-sigma it claims is the one it has
    if snr_db == 10.0:  # a second's FCCHs (~21) give the carrier to a few Hz: issue 4 asks for 10 Hz
        assert np.std(err) / np.sqrt(21) < 10.0
    assert np.median(m.snr_db) == pytest.approx(snr_db, abs=1.5)


def test_fcch_at_places_where_there_is_none_gives_nothing(tmp_path):
    x, fs, truth = fcch_stream(tmp_path, 20.0, 0.0, seconds=1.0)
    places = detect_fcch(x, sample_rate_hz=fs).start_sample
    wrong = places + 3 * 1250 * 2  # three frames later: normal bursts, not a tone
    assert len(measure_fcch_at(x, sample_rate_hz=fs, start_sample=wrong, carrier_offset_hz=truth)) == 0
    assert (
        len(measure_fcch_at(x, sample_rate_hz=fs, start_sample=places, carrier_offset_hz=truth + 5e3)) == 0
    )  # too far
    assert (
        len(
            measure_fcch_at(
                x, sample_rate_hz=fs, start_sample=np.array([-500.0, len(x) + 10.0]), carrier_offset_hz=truth
            )
        )
        == 0
    )  # outside the stream


def test_raster_contrast_sees_a_carrier_and_not_the_noise(tmp_path):
    scene = scene_from(
        tmp_path,
        scene_toml(947.4e6, 2.4e6, [cell_toml("a", 64, 21, power_dbfs=-50.0)], duration_s=0.3, noise_dbfs=-50.0),
    )
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=0.3)])
    offsets = np.array([400e3, -400e3, 0.0, 600e3, 1.15e6])  # ARFCN 64 (0 dB SNR), empty ones, beyond the band
    contrast, power = raster_contrast(x, 2.4e6, offsets)
    assert contrast[0] > 1.5 and np.all(contrast[1:4] < 1.15) and np.isnan(contrast[4])
    assert power[0] > power[1] + 2.0


def test_a_track_whose_timing_is_wrong_falls_back_to_the_whole_stream(tmp_path):
    """Tracked carriers get their channel stream only around timeslot 0 (``tracked_spans``); when
    the carried-over timing is wrong the carrier is searched again on the whole stream."""
    import dataclasses

    from sensor.receiver.wideband import receive_wideband

    scene = scene_from(
        tmp_path,
        scene_toml(
            947.4e6, 2.4e6, [cell_toml("a", 62, 21, power_dbfs=-25.0, cell_id=7)], duration_s=2.0, noise_dbfs=-55.0
        ),
    )
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=2.0)])
    half = len(x) // 2
    first, _ = receive_wideband(x[:half], sample_rate_hz=2.4e6, center_hz=947.4e6)
    (track,) = [r.track for r in first]
    kw = dict(sample_rate_hz=2.4e6, center_hz=947.4e6, first_sample=half, search=False)
    good, _ = receive_wideband(x[half:], tracks=[track], **kw)
    # 400 symbols off: no SCH where the timing says, so the carrier is searched for afresh
    bad, _ = receive_wideband(
        x[half:], tracks=[dataclasses.replace(track, sample0=track.sample0 + 400 * 2.4e6 / 270833.3)], **kw
    )
    assert len(good[0].result.blocks) > 30
    assert {(b.fn, b.octets) for b in bad[0].result.blocks} == {(b.fn, b.octets) for b in good[0].result.blocks}
    g, b = good[0].track, bad[0].track
    from sensor.gsm import tdma

    assert b.sample0 + b.samples_per_frame * tdma.fn_diff(g.fn0, b.fn0) == pytest.approx(g.sample0, abs=2.0)


@pytest.mark.parametrize("late_on_s", [None, 0.55])
def test_a_stretch_end_is_searched_only_for_a_carrier_its_start_did_not_show(tmp_path, monkeypatch, late_on_s):
    """The wideband receiver searches a stretch's start; its end only when a cheap spectrum of the
    rest shows a carrier the start did not explain — a transmitter switching on mid-stretch is
    still found and decoded from where it came on."""
    import sensor.receiver.wideband as wideband

    extra = "" if late_on_s is None else f"on_s = {late_on_s}\n"
    cells = [
        cell_toml("a", 60, 11, power_dbfs=-26.0, cell_id=1),
        cell_toml("b", 64, 22, power_dbfs=-30.0, cell_id=2, extra="start_fn = 900\n" + extra),
    ]
    scene = scene_from(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=1.2, noise_dbfs=-60.0, seed=9))
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=1.2)])
    searched = []
    search = wideband.search_fcch_wideband
    monkeypatch.setattr(wideband, "search_fcch_wideband", lambda s, **kw: (searched.append(len(s)), search(s, **kw))[1])
    results, _ = wideband.receive_wideband(x, sample_rate_hz=2.4e6, center_hz=947.4e6)
    found = {r.arfcn: r for r in results if r.result.sync is not None}
    assert set(found) == {60, 64}
    assert len(searched) == (1 if late_on_s is None else 2)
    b_times = [b.t_s for b in found[64].result.blocks if b.crc_ok]
    assert len(b_times) >= (40 if late_on_s is None else 15)
    if late_on_s is not None:
        assert late_on_s <= min(b_times) < late_on_s + 0.1  # from where it came on, not from the next stretch


@pytest.mark.parametrize("dc_dbfs", [None, -45.0])
def test_a_quiet_tuning_centre_among_strong_carriers_is_not_a_new_carrier(tmp_path, dc_dbfs):
    """The fake-street RTL-SDR tuning: four strong cells 400 and 800 kHz either side of an empty
    centre raster point. The centre's DC guard takes the level beside it, not the whole crowded
    spectrum's median (10 dB higher), which made a carrier of the centre and sent every window of
    a stream to the costly search; a DC spike is no carrier either, and a real one at the centre is."""
    from sensor.receiver.unexplained import NEW_CARRIER_CONTRAST, unexplained_carrier

    cells = [
        cell_toml(n, a, 10 + i, power_dbfs=p)
        for i, (n, a, p) in enumerate([("a", 58, -22.0), ("b", 60, -35.0), ("c", 64, -38.0), ("d", 66, -28.0)])
    ]
    extra = "" if dc_dbfs is None else f"dc_dbfs = {dc_dbfs}\n"
    rx = f'datatype = "cu8"\n{extra}'
    scene = scene_from(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=0.3, noise_dbfs=-70.0, receiver_extra=rx))
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=0.3)])
    known = [-800e3, -400e3, 400e3, 800e3]
    contrast, _ = raster_contrast(x, 2.4e6, np.array([0.0, 200e3, -200e3]))
    assert np.all(contrast < 1.15)
    assert not unexplained_carrier(x, 2.4e6, 947.4e6, known)
    centre = scene_from(
        tmp_path,
        scene_toml(
            947.4e6,
            2.4e6,
            [*cells, cell_toml("e", 62, 30, power_dbfs=-55.0)],
            duration_s=0.3,
            noise_dbfs=-70.0,
            receiver_extra=rx,
        ),
        "centre",
    )
    y = np.concatenate([b.samples for b in SceneRenderer(centre).blocks(duration_s=0.3)])
    assert raster_contrast(y, 2.4e6, np.array([0.0]))[0][0] > NEW_CARRIER_CONTRAST
    assert unexplained_carrier(y, 2.4e6, 947.4e6, known)
