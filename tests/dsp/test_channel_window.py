"""A window's channel streams stored compactly: only the (channel, block) pairs wanted, a group as
many channels as their wanted blocks fit in, each block transformed once for a whole group, and
every stream the same at its spans as the full rows'."""

from __future__ import annotations

import numpy as np
import pytest

from sensor.dsp import fft as dsp_fft
from sensor.dsp.channel_window import (
    channel_groups,
    channelize_all,
    channelize_groups,
    padded_length,
    pieces_per_block,
)
from sensor.dsp.channelizer import ChannelizerState, channelize, needed_pieces, plan_channelizer
from sensor.dsp.prefilter import prefilter_taps

OFFSETS_HZ = [-900e3, -600e3, -300e3, 0.0, 200e3, 500e3, 800e3]


def _plan(offsets_hz=OFFSETS_HZ):
    """The receiver's kind of plan at 2.4 Msps: its response, short blocks."""
    return plan_channelizer(
        2.4e6,
        offsets_hz,
        samples_per_symbol=2,
        shape_taps=prefilter_taps(2),
        stopband_hz=220e3,
        overlap_factor=1,
        min_block=2400,
    )


def _noise(n, seed):
    rng = np.random.default_rng(seed)
    return ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 0.1).astype(np.complex64)


def _tracked(n_out, period, first, width):
    """Spans as a tracked carrier's: ``width`` samples every ``period`` from ``first``."""
    lo = np.arange(first, n_out, period, dtype=np.int64)
    return lo, np.minimum(lo + width, n_out)


def _counting(monkeypatch):
    rows = []
    fft = dsp_fft.fft
    monkeypatch.setattr(dsp_fft, "fft", lambda a, *k, **kw: (rows.append(len(a)), fft(a, *k, **kw))[1])
    return rows


@pytest.mark.parametrize("m", [1, 5])
def test_pieces_wanted_come_out_in_their_rows_and_nothing_else_is_transformed(monkeypatch, m):
    """``channelize(..., pieces=...)``: piece j of block b of channel c (``hop_out / m`` samples)
    lands in the next row of the channel's run in ``out``, equal to those samples of its full
    stream; no row beyond the pieces is written, and a block no channel wants is not transformed."""
    plan = _plan()
    assert plan.hop_out % 5 == 0
    piece = plan.hop_out // m
    x = _noise(120_000, 1)
    full = channelize_all(plan, x, with_power=False).samples
    n_blocks = (padded_length(plan, len(x)) - plan.n_in) // plan.hop_in + 1
    rng = np.random.default_rng(2)
    wanted = rng.random((plan.n_channels, n_blocks, m)) < 0.2
    wanted[3] = True  # a channel wanted (nearly) whole
    wanted[:, 5] = False  # a block no one wants
    n_rows = int(wanted.sum())
    out = np.full((n_rows + 3, piece), np.nan, np.complex64)
    lead = plan.overlap_in // 2
    padded = np.zeros(padded_length(plan, len(x)), np.complex64)
    padded[lead : lead + len(x)] = x
    rows = _counting(monkeypatch)
    res, _ = channelize(plan, padded, ChannelizerState(padded[:0]), with_power=False, out=out, pieces=wanted)
    assert res.samples is out
    assert sum(rows) == n_blocks - 1  # every block but the one no one wants, once
    whole = np.zeros((plan.n_channels, n_blocks * plan.hop_out), np.complex64)
    whole[:, : full.shape[1]] = full  # (the last block runs past the stream's end: compared where it has one)
    whole = whole.reshape(plan.n_channels, n_blocks, m, piece)
    for row, (c, b, j) in enumerate(zip(*np.nonzero(wanted))):  # channel by channel, in stream order
        if b * plan.hop_out + (j + 1) * piece <= full.shape[1]:
            np.testing.assert_array_equal(out[row], whole[c, b, j])
    assert not np.isnan(out[:n_rows]).any()
    assert np.isnan(out[n_rows:]).all()  # no row beyond them
    with pytest.raises(ValueError):
        channelize(plan, padded, ChannelizerState(padded[:0]), with_power=False, pieces=wanted)  # no out
    with pytest.raises(ValueError):  # pieces that do not divide a block
        channelize(plan, padded, ChannelizerState(padded[:0]), with_power=False, out=out, pieces=wanted[:, :, :0])


def test_pieces_divide_a_block_into_at_most_32_of_16_samples_or_more():
    assert pieces_per_block(494) == 26  # 20 Msps: 19 samples each
    assert pieces_per_block(1000) == 25
    assert pieces_per_block(64) == 4
    assert pieces_per_block(97) == 1  # a prime: the block whole
    assert pieces_per_block(8) == 1


def test_groups_hold_as_many_channels_as_their_wanted_blocks_fit():
    """``channel_groups``: by the bytes of the blocks wanted (one whole stream more for a group that
    puts a channel back from part of it), not a fixed number of channels."""
    hop, n_blocks = 100, 10
    row = hop * 8
    need = np.zeros((6, n_blocks), bool)
    need[:2] = True  # two wanted whole: 10 rows each
    need[2:, ::5] = True  # four at spans: 2 rows each, plus one stream (10 rows) for the group
    assert channel_groups(need, hop, 20 * row) == [range(2), range(2, 6)]  # 20; 8 + 10
    assert channel_groups(need, hop, 19 * row) == [range(1), range(1, 2), range(2, 6)]
    assert channel_groups(need, hop, 10 * row) == [range(c, c + 1) for c in range(6)]
    assert channel_groups(need, hop, 1) == [range(c, c + 1) for c in range(6)]  # at least one each
    assert channel_groups(need, hop, 30 * row) == [range(2), range(2, 6)]  # a stream for the partial
    assert channel_groups(need, hop, 38 * row) == [range(6)]
    assert channel_groups(need[:0], hop, row) == []


def test_tracked_channels_fit_one_group_where_full_rows_need_several(monkeypatch):
    """Channels wanted around a short span of every "frame" (a tracked carrier's timeslot 0): in
    the memory of 2.5 full streams all seven come out of one group, every block transformed once,
    and each stream equals the full one at its spans (and a whole one whole). Stored as whole
    blocks they would not have fitted: the pieces of blocks do."""
    plan = _plan()
    x = _noise(240_000, 3)
    full = channelize_all(plan, x, with_power=False).samples
    n_out = full.shape[1]
    period = 8 * plan.hop_out + 37  # spans every "frame", each a fifth of a block long
    spans = [_tracked(n_out, period, 211 * c, plan.hop_out // 5) for c in range(plan.n_channels)]
    spans[2] = None  # and one wanted whole
    n_blocks = (padded_length(plan, len(x)) - plan.n_in) // plan.hop_in + 1
    one = n_blocks * plan.hop_out * 8  # one full stream
    budget = 5 * one // 2
    m = pieces_per_block(plan.hop_out)
    need = needed_pieces(spans, plan.hop_out // m, 0, n_blocks * m)
    assert need.sum() * plan.hop_out // m * 8 + one <= budget  # the wanted pieces and one stream to put them in
    blocks = needed_pieces(spans, plan.hop_out, 0, n_blocks)
    assert blocks.sum() * plan.hop_out * 8 + one > budget  # the wanted blocks: more
    rows = _counting(monkeypatch)
    got = [y.copy() for y in channelize_groups(plan, x, max_bytes=budget, spans=spans)]
    assert sum(rows) == np.count_nonzero(blocks.any(axis=0))  # one group: each block wanted, once
    assert len(got) == plan.n_channels
    for c, sp in enumerate(spans):
        assert len(got[c]) == n_out
        if sp is None:
            np.testing.assert_array_equal(got[c], full[c])
            continue
        for a, b in zip(*sp):
            np.testing.assert_array_equal(got[c][a:b], full[c][a:b])
    rows.clear()  # full streams in the same memory: four groups, each transforming its blocks again
    list(channelize_groups(plan, x, max_bytes=budget))
    assert sum(rows) == 4 * n_blocks


def test_streams_from_rows_in_a_workspace_like_place():
    """A caller's ``rows`` place (one flat buffer reshaped, as the receiver's workspace gives it) is
    where a group's rows are written: a whole channel's stream is a view of it, one at its spans is
    put into the place's last rows, which the next such channel overwrites."""
    plan = _plan(OFFSETS_HZ[:3])
    x = _noise(60_000, 4)
    full = channelize_all(plan, x, with_power=False).samples
    n_out = full.shape[1]
    spans = [None, _tracked(n_out, 1_500, 100, 200), _tracked(n_out, 1_500, 700, 200)]
    flat = np.empty(10 * n_out, np.complex64)
    asked = []

    def place(n_rows, n_samples):
        asked.append((n_rows, n_samples))
        return flat[: n_rows * n_samples].reshape(n_rows, n_samples)

    streams = channelize_groups(plan, x, max_bytes=1 << 30, spans=spans, rows=place)
    first = next(streams)
    assert np.shares_memory(first, flat)
    np.testing.assert_array_equal(first, full[0])
    second = next(streams)
    kept = second.copy()
    third = next(streams)
    assert np.shares_memory(second, third)  # the one stream the channels at spans are put back in
    for y, c in ((kept, 1), (third, 2)):
        for a, b in zip(*spans[c]):
            np.testing.assert_array_equal(y[a:b], full[c][a:b])
    assert len(asked) == 1 and asked[0][1] == plan.hop_out // pieces_per_block(plan.hop_out)  # rows of a piece
    with pytest.raises(ValueError):  # a place of another shape is refused, not written past
        next(channelize_groups(plan, x, max_bytes=1 << 30, spans=spans, rows=lambda r, n: flat[: r * n]))
