"""Analysis filter bank: tones land where they should with the right power and continuous phase,
streaming in any pieces equals one call, and a simulated cell comes out equal to its C0."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sensor.dsp.channel_window import channelize_all, channelize_groups
from sensor.dsp.channelizer import channelize, flush, initial_state, plan_channelizer, raster_offsets_hz
from sensor.dsp.gmsk import gmsk_modulate
from sensor.gsm.tdma import SYMBOL_RATE_HZ
from sensor.sim import c0
from sensor.sim.render import SceneRenderer, transmit_hz
from tests.sim.scenes import cell_toml, scene_from, scene_toml


def _stream(plan, x, rng, max_chunk=40000):
    """Feed ``x`` in random pieces, then flush; return all outputs joined."""
    st = initial_state(plan)
    parts = []
    pos = 0
    while pos < len(x):
        m = int(rng.integers(1, max_chunk))
        out, st = channelize(plan, x[pos : pos + m], st)
        assert out.first_sample == sum(p.shape[1] for p in parts)
        parts.append(out.samples)
        pos += m
    out, st = flush(plan, st)
    parts.append(out.samples)
    return np.concatenate(parts, axis=1)


@pytest.mark.parametrize("rate_hz", [500e3, 1e6, 2.048e6, 2.4e6, 20e6])
@pytest.mark.parametrize("sps", [2, 4])
def test_tone_lands_at_its_offset_with_continuous_phase(rate_hz, sps):
    """A tone at f comes out of the channel at `offset` as exactly A·exp(iφ + 2πi(f − offset)k/out_rate)."""
    rng = np.random.default_rng(int(rate_hz) + sps)
    offsets = [0.0, 0.37 * rate_hz, -0.31 * rate_hz] if rate_hz > 1e6 else [0.0]
    plan = plan_channelizer(rate_hz, offsets, samples_per_symbol=sps)
    n = int(rate_hz * 0.03)
    t = np.arange(n)
    for c, off in enumerate(offsets):
        f_hz = off + rng.uniform(-120e3, 120e3)
        phase0 = rng.uniform(-np.pi, np.pi)
        x = (0.25 * np.exp(2j * np.pi * f_hz * t / rate_hz + 1j * phase0)).astype(np.complex64)
        y = _stream(plan, x, rng)
        assert y.shape == (len(offsets), int(np.ceil(n * plan.out_rate_hz / rate_hz)))
        k = np.arange(y.shape[1])
        want = 0.25 * np.exp(1j * phase0 + 2j * np.pi * (f_hz - off) * k / plan.out_rate_hz)
        inner = slice(300, y.shape[1] - 300)  # filter transients at the stream's two ends
        assert np.max(np.abs(y[c, inner] - want[inner])) < 2e-5 * 0.25 / 0.25 + 5e-6
        for other in range(len(offsets)):
            if other != c:
                assert np.max(np.abs(y[other, inner])) < 1e-5  # far channels see nothing


def test_rejects_neighbours_and_passes_the_search_band():
    rate = 2.4e6
    plan = plan_channelizer(rate, [0.0], samples_per_symbol=2)
    t = np.arange(int(rate * 0.02))
    for f_hz, lo, hi in [(165e3, 0.999, 1.001), (-160e3, 0.999, 1.001), (300e3, 0, 1e-5), (-400e3, 0, 1e-5)]:
        y = channelize_all(plan, np.exp(2j * np.pi * f_hz * t / rate).astype(np.complex64)).samples[0, 500:-500]
        assert lo <= np.sqrt(np.mean(np.abs(y) ** 2)) <= hi, f_hz


def test_power_dbfs_of_tone_noise_and_gmsk():
    rate = 2.4e6
    rng = np.random.default_rng(3)
    plan = plan_channelizer(rate, [-600e3, 0.0, 400e3], samples_per_symbol=4)
    n = int(rate * 0.1)
    t = np.arange(n)
    tone = 0.1 * np.exp(2j * np.pi * (-620e3) * t / rate)  # −20 dBFS in channel 0
    bits = rng.integers(0, 2, int(n / rate * SYMBOL_RATE_HZ) + 20).astype(np.uint8)
    g, _ = gmsk_modulate(bits, samples_per_symbol=rate / SYMBOL_RATE_HZ)
    gm = 10 ** (-30 / 20) * g[:n] * np.exp(2j * np.pi * 400e3 * t / rate)  # −30 dBFS GMSK in channel 2
    noise = (rng.standard_normal(n) + 1j * rng.standard_normal(n)) * np.sqrt(10 ** (-50 / 10) / 2)  # −50 dBFS total
    out = channelize_all(plan, (tone + gm + noise).astype(np.complex64))
    p = out.power_dbfs
    assert p[0] == pytest.approx(-20.0, abs=0.05)
    assert p[1] == pytest.approx(-50 + 10 * np.log10(200e3 / rate), abs=0.3)  # noise in ±100 kHz
    assert p[2] == pytest.approx(-30.0, abs=0.3)  # nearly all of a GMSK carrier lies within ±100 kHz


def test_streaming_in_pieces_equals_one_call():
    rng = np.random.default_rng(5)
    rate = 2.048e6
    x = (rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)).astype(np.complex64)
    plan = plan_channelizer(rate, [-812345.6, 12.5, 700e3], samples_per_symbol=2)
    whole = channelize_all(plan, x).samples
    pieces = _stream(plan, x, rng, max_chunk=7000)
    assert pieces.shape == whole.shape
    assert np.max(np.abs(pieces - whole)) < 1e-4 * np.max(np.abs(whole))


def test_a_plan_that_would_alias_is_refused():
    with pytest.raises(ValueError):
        plan_channelizer(2.4e6, [0.0], samples_per_symbol=2, passband_hz=250e3, stopband_hz=320e3)


def test_simulated_cell_equals_its_narrowband_c0(tmp_path: Path):
    """A rendered cell, cut out at its apparent frequency, is its C0 (TS 45.002 frames, GMSK at
    4 samples/symbol) delayed and turned: the residual is the filters' error only."""
    cell = cell_toml("a", 62, 21, power_dbfs=-20.0, extra="cfo_hz = 1234.0\nstart_fn = 100\n")
    text = scene_toml(947.4e6, 2.4e6, [cell], duration_s=0.06, noise_dbfs=-140.0, receiver_extra="ppm = 25.0\n")
    scene = scene_from(tmp_path, text)
    r = SceneRenderer(scene)
    x = np.concatenate([b.samples for b in r.blocks()])
    spec = scene.cells[0]
    apparent = transmit_hz(spec) / (1 + 25e-6) - 947.4e6
    plan = plan_channelizer(2.4e6, [apparent], samples_per_symbol=4)
    y = channelize_all(plan, x).samples[0]
    gen = c0.C0Generator(c0.C0Config.from_params(spec.bsic, spec.params), first_fn=spec.start_fn, sps=4)
    ref = gen.samples(len(y) + 4000)
    # Delay: whole samples at 4 sps (the renderer's own timing; see the report on its lag).
    seg = y[8000:40000]
    corr = np.abs(np.fft.ifft(np.fft.fft(ref, 1 << 16) * np.conj(np.fft.fft(seg, 1 << 16))))
    lag = 8000 - int(np.argmax(corr))  # y[k] ≈ g·ref[k − lag]
    assert lag == 0, lag  # the renderer puts the cell at its nominal time
    want = ref[8000 - lag : 8000 - lag + len(seg)]
    gain = np.vdot(want, seg) / np.vdot(want, want)
    assert abs(gain) == pytest.approx(10 ** (-20 / 20), rel=0.01)
    err = np.mean(np.abs(seg - gain * want) ** 2) / np.mean(np.abs(seg) ** 2)
    assert 10 * np.log10(err) < -35  # measured −40 dB; GMSK beyond ±170 kHz (cut by this filter bank) is below that


def test_raster_offsets_follow_the_receiver_error():
    raster, offsets = raster_offsets_hz(947.4e6, 2.4e6, receiver_ppm=-40.0)
    every = np.arange(4730, 4745) * 200e3
    seen = every / (1 - 40e-6) - 947.4e6
    np.testing.assert_array_equal(raster, every[np.abs(seen) <= 0.4 * 2.4e6])  # 946.6 … 948.2 MHz
    np.testing.assert_allclose(offsets, raster / (1 - 40e-6) - 947.4e6)


def test_spans_give_the_same_samples_as_the_whole_stream():
    rng = np.random.default_rng(3)
    x = ((rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)) * 0.1).astype(np.complex64)
    from sensor.dsp.prefilter import prefilter_taps

    plan = plan_channelizer(
        2.4e6,
        [-600e3, 0.0, 800e3],
        samples_per_symbol=2,
        shape_taps=prefilter_taps(2),
        stopband_hz=220e3,
        overlap_factor=1,
        min_block=2400,
    )
    whole = channelize_all(plan, x, with_power=False).samples
    spans = [(np.array([100, 20_000]), np.array([900, 20_400])), None, (np.array([50_000]), np.array([50_001]))]
    part = channelize_all(
        plan, x, with_power=False, spans=spans, out=np.full((3, whole.shape[1] + plan.hop_out), np.nan, np.complex64)
    ).samples
    for c, sp in enumerate(spans):
        if sp is None:
            np.testing.assert_array_equal(part[c], whole[c])
            continue
        for a, b in zip(*sp):
            np.testing.assert_array_equal(part[c, a:b], whole[c, a:b])
        assert np.isnan(part[c]).mean() > 0.9  # most blocks were never transformed for this channel
    with pytest.raises(ValueError):
        channelize(plan, x, initial_state(plan), spans=spans)  # the per-channel power needs every block


def test_blocks_no_channel_wants_are_not_transformed(monkeypatch):
    """With every channel given spans, only the blocks one of them needs are transformed (forward
    and inverse), and each channel's spans still come out as in the whole stream."""
    from sensor.dsp import fft as dsp_fft
    from sensor.dsp.prefilter import prefilter_taps

    rng = np.random.default_rng(4)
    x = ((rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)) * 0.1).astype(np.complex64)
    plan = plan_channelizer(
        2.4e6,
        [-600e3, 0.0, 800e3],
        samples_per_symbol=2,
        shape_taps=prefilter_taps(2),
        stopband_hz=220e3,
        overlap_factor=1,
        min_block=2400,
    )
    whole = channelize_all(plan, x, with_power=False).samples
    spans = [
        (np.array([100, 20_000]), np.array([900, 20_400])),
        (np.array([20_100]), np.array([21_000])),
        (np.array([50_000]), np.array([50_001])),
    ]
    rows = []
    fft = dsp_fft.fft
    monkeypatch.setattr(dsp_fft, "fft", lambda a, *k, **kw: (rows.append(len(a)), fft(a, *k, **kw))[1])
    part = channelize_all(
        plan, x, with_power=False, spans=spans, out=np.full((3, whole.shape[1] + plan.hop_out), np.nan, np.complex64)
    ).samples
    for c, sp in enumerate(spans):
        for a, b in zip(*sp):
            np.testing.assert_array_equal(part[c, a:b], whole[c, a:b])
    blocks = [set(range(a // plan.hop_out, -(-b // plan.hop_out))) for sp in spans for a, b in zip(*sp)]
    assert sum(rows) == len(set().union(*blocks))  # 900 + 900 + 1 samples: a handful of blocks, of ~250


def test_shape_taps_are_the_channel_response():
    """With a FIR as its response, a tone at f comes out scaled by H(f)/H(0), and the overlap
    shrinks to the FIR's length."""
    from sensor.dsp.prefilter import prefilter_taps

    h = prefilter_taps(2)
    plan = plan_channelizer(2.4e6, [0.0], samples_per_symbol=2, shape_taps=h, stopband_hz=220e3, overlap_factor=1)
    assert plan.overlap_in < plan_channelizer(2.4e6, [0.0], samples_per_symbol=2).overlap_in / 2
    n = np.arange(240_000)
    t = np.arange(len(h)) - len(h) // 2
    for f in (0.0, 40e3, 100e3, 140e3, -120e3):
        y = channelize_all(plan, np.exp(2j * np.pi * f / 2.4e6 * n).astype(np.complex64), with_power=False).samples[0]
        want = np.sum(h * np.cos(2 * np.pi * f * t / plan.out_rate_hz)) / h.sum()
        assert np.abs(y[2000:-2000]).mean() == pytest.approx(want, abs=2e-4), f
    with pytest.raises(ValueError):
        plan_channelizer(2.4e6, [0.0], shape_taps=h[:-1])  # even length: not zero-phase


def _receiver_like_plan():
    """Two channels at 2.4 Msps with the receiver's response and short blocks."""
    from sensor.dsp.prefilter import prefilter_taps

    return plan_channelizer(
        2.4e6,
        [-300e3, 500e3],
        samples_per_symbol=2,
        shape_taps=prefilter_taps(2),
        stopband_hz=220e3,
        overlap_factor=1,
        min_block=2400,
    )


def test_samples_already_in_the_padded_scratch_are_not_copied(monkeypatch):
    """``channelize_all`` given samples that lie in its scratch at the start's padding reads them
    in place, with the same output as from a copy."""
    from sensor.dsp import channel_window as cw

    rng = np.random.default_rng(5)
    x = ((rng.standard_normal(100_000) + 1j * rng.standard_normal(100_000)) * 0.1).astype(np.complex64)
    plan = _receiver_like_plan()
    want = channelize_all(plan, x, with_power=False).samples
    scratch = np.full(cw.padded_length(plan, len(x)), np.nan, np.complex64)
    lead = plan.overlap_in // 2
    scratch[lead : lead + len(x)] = x
    seen = []
    in_place = cw._in_place
    monkeypatch.setattr(cw, "_in_place", lambda s, buf, off: seen.append(in_place(s, buf, off)) or seen[-1])
    got = channelize_all(plan, scratch[lead : lead + len(x)], with_power=False, scratch=scratch).samples
    np.testing.assert_array_equal(got, want)
    assert seen == [True]
    got = channelize_all(plan, x, with_power=False, scratch=scratch).samples  # elsewhere: copied in
    np.testing.assert_array_equal(got, want)
    assert seen == [True, False]


def test_channels_made_a_group_at_a_time_are_those_made_together():
    """``channelize_groups``: a few channels' streams at a time (bounded memory), each exactly what
    ``channelize_all`` makes with all of them, whole or only around the spans asked for."""
    rng = np.random.default_rng(7)
    fs = 2.4e6
    x = (rng.standard_normal(240_000) + 1j * rng.standard_normal(240_000)).astype(np.complex64)
    plan = plan_channelizer(fs, [-800e3, -400e3, 0.0, 200e3, 600e3], samples_per_symbol=2)
    together = channelize_all(plan, x, with_power=False).samples
    one = together.shape[1] * 8  # bytes of one stream: two to a group, three groups
    got = list(channelize_groups(plan, x, max_bytes=2 * one + 8))
    assert len(got) == 5
    for a, b in zip(got, together):
        np.testing.assert_array_equal(a, b)
    spans = [(np.array([1000]), np.array([3000]))] * 5
    sparse = channelize_all(plan, x, with_power=False, spans=spans).samples
    for a, b in zip(channelize_groups(plan, x, max_bytes=one, spans=spans), sparse):
        np.testing.assert_array_equal(a[1000:3000], b[1000:3000])


@pytest.mark.parametrize("n_threads", [1, 2])
def test_groups_made_ahead_on_another_thread_are_those_made_together(monkeypatch, n_threads):
    """With a second place for streams (``rows_ahead``) and threads to spare, the next group is made
    on another thread while the current one is consumed: the same streams, in the same order, the
    groups alternating between the two places; a caller that stops early leaves no thread behind."""
    import threading

    from sensor import threads

    monkeypatch.setattr(threads, "_override", n_threads)
    rng = np.random.default_rng(8)
    fs = 2.4e6
    x = (rng.standard_normal(240_000) + 1j * rng.standard_normal(240_000)).astype(np.complex64)
    plan = plan_channelizer(fs, [-800e3, -400e3, 0.0, 200e3, 600e3], samples_per_symbol=2)
    together = channelize_all(plan, x, with_power=False).samples
    one = -(-together.shape[1] // plan.hop_out) * plan.hop_out * 8  # one stream's room, whole blocks
    places = [np.empty(2 * one // 8, np.complex64), np.empty(2 * one // 8, np.complex64)]
    used = []

    def place(k):
        def rows(n_rows, n_samples):
            used.append(k)
            return places[k][: n_rows * n_samples].reshape(n_rows, n_samples)

        return rows

    got = [y.copy() for y in channelize_groups(plan, x, max_bytes=2 * one + 8, rows=place(0), rows_ahead=place(1))]
    assert len(got) == 5
    for a, b in zip(got, together):
        np.testing.assert_array_equal(a, b)
    assert used == ([0, 1, 0] if n_threads > 1 else [0, 0, 0])
    before = threading.active_count()
    streams = channelize_groups(plan, x, max_bytes=one, rows=place(0), rows_ahead=place(1))
    np.testing.assert_array_equal(next(streams), together[0])
    streams.close()  # stopped with the next group in the making
    assert threading.active_count() == before


def test_padding_in_place_gives_the_copy_s_streams_and_puts_the_room_back():
    """``padded_in_place``: samples lying inside a larger buffer are padded there (the zeros written
    over their neighbours, which are put back afterwards), not copied; the streams are those of a
    copy. Without room before them for the half overlap, it declines (None: a copy as before)."""
    from sensor.dsp.channel_window import padded_in_place

    rng = np.random.default_rng(9)
    room = (rng.standard_normal(300_000) + 1j * rng.standard_normal(300_000)).astype(np.complex64)
    before = room.copy()
    plan = _receiver_like_plan()
    for a, b in [(1000, 101_000), (150_000, 290_000)]:
        x = room[a:b]
        want = channelize_all(plan, x.copy(), with_power=False).samples
        with padded_in_place(plan, x, room) as scratch:
            assert scratch is not None and np.shares_memory(scratch, room)
            got = [s.copy() for s in channelize_groups(plan, x, max_bytes=1, scratch=scratch)]
        np.testing.assert_array_equal(np.array(got), want)
        np.testing.assert_array_equal(room, before)
    with padded_in_place(plan, room[: plan.overlap_in // 2 - 1], room) as scratch:
        assert scratch is None
    with padded_in_place(plan, room[1000:2000].copy(), room) as scratch:
        assert scratch is None
