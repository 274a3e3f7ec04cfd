"""A whole window's channel streams at once, or a group of channels at a time: the stateful
channelizer (``dsp.channelizer``) fed one zero-padded window, for a receiver that has the window's
samples in memory (the receiver's stretches, the FCCH search's candidates).

``channelize_all`` pads the window once (into a reusable ``scratch``, or where the samples already
lie: ``padded_in_place``) and returns every channel's stream; ``channelize_groups`` yields them one
channel after the other, made a group at a time so that only a group's streams are held (and, with
``rows_ahead`` and more than one thread, the next group made on another thread). A group stores
only the samples its channels want, in pieces of a block (``spans``: a receiver following known
bursts wants ~15 % of a window's samples), so it holds that many more channels; every group
transforms the window's blocks again, so fewer groups, fewer forward transforms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from sensor.dsp.channelizer import (
    ChannelizerPlan,
    ChannelizerState,
    ChannelOutput,
    batch_blocks,
    channelize,
    initial_state,
    needed_pieces,
    select_channels,
)
from sensor.threads import threads

PIECES_MAX = 32  # a block's new samples stored in at most this many pieces (``pieces_per_block``)
PIECE_MIN = 16  # of at least this many samples each


def padded_length(plan: ChannelizerPlan, n_samples: int) -> int:
    """The length of ``channelize_all``'s zero-padded copy of ``n_samples`` of input."""
    ratio = plan.rate_ratio
    n_out = -(-n_samples * ratio.numerator // ratio.denominator)  # output samples, rounded up
    blocks = -(-n_out // plan.hop_out)  # ceiling division
    return max(plan.n_in + (blocks - 1) * plan.hop_in, plan.overlap_in // 2 + n_samples)


def channelize_all(
    plan: ChannelizerPlan,
    samples: np.ndarray,
    *,
    with_power: bool = True,
    out: np.ndarray | None = None,
    spans: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
    scratch: np.ndarray | None = None,
    max_blocks_per_batch: int | None = None,
    workers: int | None = None,
) -> ChannelOutput:
    """A whole recording at once: every output sample of its duration (starting at sample 0), or
    of each channel's ``spans`` only (see ``channelize``; no power then).

    The input is padded with zeros in one go (as ``flush`` would), so the output is made in one
    call with no copy of it afterwards. ``scratch``: a complex64 buffer of ``padded_length``
    samples to pad into (reused across calls: no fresh memory). ``max_blocks_per_batch``,
    ``workers``: as ``channelize``'s.
    """
    ratio = plan.rate_ratio
    total_out = -(-len(samples) * ratio.numerator // ratio.denominator)
    x = _padded(plan, samples, scratch)
    res, _ = channelize(
        plan,
        x,
        ChannelizerState(x[:0]),
        with_power=False,
        out=out,
        spans=spans,
        max_blocks_per_batch=max_blocks_per_batch,
        workers=workers,
    )
    power = None
    if with_power:  # from the blocks of real input only (the zero padding would lower it)
        power = channelize(plan, np.asarray(samples, np.complex64), initial_state(plan))[0].power_dbfs
    return ChannelOutput(res.samples[:, :total_out], 0, power)


def _padded(plan: ChannelizerPlan, samples: np.ndarray, scratch: np.ndarray | None) -> np.ndarray:
    """``samples`` after the half overlap of zeros ``initial_state`` starts with, and zeros to
    ``padded_length`` (in ``scratch`` when it is that long: no fresh memory)."""
    lead = plan.overlap_in // 2
    n_pad = padded_length(plan, len(samples))
    x = np.empty(n_pad, np.complex64) if scratch is None or len(scratch) != n_pad else scratch
    x[:lead] = 0
    if not _in_place(np.asarray(samples), x, lead):  # a caller may have put them there already
        x[lead : lead + len(samples)] = samples  # one copy, padding included
    x[lead + len(samples) :] = 0
    return x


def pieces_per_block(hop_out: int) -> int:
    """How many pieces a block's ``hop_out`` new samples are stored in when a channel is wanted at
    spans only: the most, up to ``PIECES_MAX``, of at least ``PIECE_MIN`` samples that divide it
    (1 when none do). At 20 Msps a block is 494 samples and a tracked carrier's span ~370 (a
    third of its blocks, but 15 % of its samples): 26 pieces of 19."""
    return max(m for m in range(1, PIECES_MAX + 1) if hop_out % m == 0 and hop_out // m >= min(PIECE_MIN, hop_out))


def channel_groups(need: np.ndarray, piece: int, max_bytes: int) -> list[range]:
    """Consecutive channels, as many to a group as ``max_bytes`` of their wanted pieces hold
    (``need``: (n_channels, pieces) bool; a piece is ``piece`` complex64 samples), at least one; a
    group that stores a channel only in part also holds one whole stream to put it back in."""
    row = piece * np.dtype(np.complex64).itemsize
    cost = need.sum(axis=1) * row
    whole = need.shape[1] * row  # the stream a channel stored in part is put back in
    groups, g0, total, partial = [], 0, 0, False
    for c in range(need.shape[0]):
        part = not need[c].all()
        extra = whole if part and not partial else 0
        if c > g0 and total + cost[c] + extra > max_bytes:
            groups.append(range(g0, c))
            g0, total, partial, extra = c, 0, False, whole if part else 0
        total += int(cost[c]) + extra
        partial = partial or part
    if need.shape[0]:
        groups.append(range(g0, need.shape[0]))
    return groups


def channelize_groups(
    plan: ChannelizerPlan,
    samples: np.ndarray,
    *,
    max_bytes: int,
    spans: Sequence[tuple[np.ndarray, np.ndarray] | None] | None = None,
    rows: Callable[[int, int], np.ndarray] | None = None,
    scratch: np.ndarray | None = None,
    rows_ahead: Callable[[int, int], np.ndarray] | None = None,
) -> Iterator[np.ndarray]:
    """``channelize_all``'s streams one channel after the other, made a group of channels at a time
    so that a caller that consumes each before asking for the next never holds every channel's
    stream at once. A group stores only what its channels want: a channel wanted whole as its
    stream, one wanted at ``spans`` (as ``channelize``'s) in the pieces of blocks that hold them
    (``pieces_per_block``), and is as many channels as ``max_bytes`` of those hold
    (``channel_groups``): its forward transforms are made once for all of them. A channel wanted
    whole comes out in place; one wanted at its spans is put back into one stream of the window's
    length (reused: each such channel overwrites the one before; samples outside its pieces
    unspecified). The groups use ``plan``'s blocks and batches: each stream is what
    ``channelize_all`` makes with all of them (at the spans).

    ``rows(n_rows, n_samples)``: a C-contiguous complex64 place of that shape (contents
    unspecified) where a group's rows (a piece each) are written, reused; ``scratch``: as
    ``channelize_all``'s (made once here when there are several groups and none is given: one
    padded copy, not one a group).

    ``rows_ahead``: a second place for a group's rows; given, and with more than one group and
    ``sensor.threads.threads()`` above 1, each next group is made on another thread while the
    caller consumes the current one (the transforms release Python's lock): two groups' rows
    are held then, the same streams come out in the same order."""
    ratio = plan.rate_ratio
    n_out = -(-len(samples) * ratio.numerator // ratio.denominator)
    n_blocks = (padded_length(plan, len(samples)) - plan.n_in) // plan.hop_in + 1  # the blocks ``channelize`` makes
    n = plan.n_channels
    sp = [None] * n if spans is None else list(spans)
    m = 1 if all(s is None for s in sp) else pieces_per_block(plan.hop_out)
    piece = plan.hop_out // m
    need = needed_pieces(sp, piece, 0, n_blocks * m)
    groups = channel_groups(need, piece, max_bytes)
    if scratch is None and len(groups) > 1:
        scratch = np.empty(padded_length(plan, len(samples)), np.complex64)
    pipelined = rows_ahead is not None and len(groups) > 1 and threads() > 1

    def make(g: range, where: Callable[[int, int], np.ndarray] | None, workers: int | None) -> Iterator[np.ndarray]:
        wanted = need[g.start : g.stop]
        count = wanted.sum(axis=1)
        n_rows = int(count.sum()) + (n_blocks * m if (count < n_blocks * m).any() else 0)
        place = np.empty((n_rows, piece), np.complex64) if where is None else where(n_rows, piece)
        if place.shape != (n_rows, piece) or not place.flags.c_contiguous:
            raise ValueError("rows() must give a C-contiguous place of the shape asked")
        x = _padded(plan, samples, scratch)
        channelize(
            plan if len(g) == n else select_channels(plan, g),
            x,
            ChannelizerState(x[:0]),
            with_power=False,
            out=place,
            pieces=wanted.reshape(len(g), n_blocks, m),
            max_blocks_per_batch=batch_blocks(plan),
            workers=workers,
        )
        return _streams(place, wanted, count, n_out)

    if not pipelined:
        for g in groups:
            yield from make(g, rows, None)
        return
    from concurrent.futures import ThreadPoolExecutor  # only here: start-up pays for it only when used

    places = (rows, rows_ahead)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="channelize") as pool:
        nxt = None
        try:
            current = make(groups[0], places[0], None)  # the caller waits for it: all threads on it
            for i in range(len(groups)):
                if i + 1 < len(groups):  # into the other place, while this group is consumed here
                    nxt = pool.submit(make, groups[i + 1], places[(i + 1) % 2], 1)
                yield from current
                if nxt is not None:
                    current, nxt = nxt.result(), None
        finally:
            if nxt is not None:  # the caller stopped early: let the group in the making finish
                nxt.cancel() or nxt.exception()


def _streams(place: np.ndarray, wanted: np.ndarray, count: np.ndarray, n_out: int) -> Iterator[np.ndarray]:
    """Each channel's stream from a group's rows (``channelize_groups``): its rows themselves when
    it has every piece, else its rows put into the stream held in the place's last rows."""
    n_pieces = wanted.shape[1]
    stream = place[len(place) - n_pieces :] if (count < n_pieces).any() else None
    r0 = 0
    for c in range(len(wanted)):
        r1 = r0 + int(count[c])
        if count[c] == n_pieces:
            yield place[r0:r1].reshape(-1)[:n_out]
        else:
            assert stream is not None
            stream[wanted[c]] = place[r0:r1]
            yield stream.reshape(-1)[:n_out]
        r0 = r1


@contextmanager
def padded_in_place(plan: ChannelizerPlan, samples: np.ndarray, room: np.ndarray | None) -> Iterator[np.ndarray | None]:
    """``channelize_all``'s padded input (its ``scratch``) made around ``samples`` where they lie
    inside ``room`` rather than in a copy of them: the half overlap before them and the padding
    after them are zeroed in ``room``, and what was there is put back on leaving. None (a copy is
    made as usual) when they do not lie in ``room`` with that much of it either side. At 20 Msps
    the FCCH search's 0.3 s is 48 MB of copy."""
    lead, n_pad = plan.overlap_in // 2, padded_length(plan, len(samples))
    off = _offset_in(np.asarray(samples), room)
    if room is None or off is None or off < lead or off - lead + n_pad > len(room):
        yield None
        return
    scratch = room[off - lead : off - lead + n_pad]
    end = lead + len(samples)
    head, tail = scratch[:lead].copy(), scratch[end:].copy()
    try:
        yield scratch
    finally:
        scratch[:lead] = head
        scratch[end:] = tail


def _offset_in(samples: np.ndarray, room: np.ndarray | None) -> int | None:
    """Where ``samples`` begin inside ``room`` (both 1-D, contiguous, complex64), or None."""
    if room is None or samples.dtype != room.dtype or samples.ndim != 1 or room.ndim != 1 or len(samples) == 0:
        return None
    if not (samples.flags.c_contiguous and room.flags.c_contiguous):
        return None
    d = samples.__array_interface__["data"][0] - room.__array_interface__["data"][0]
    if d < 0 or d % room.itemsize or d // room.itemsize + len(samples) > len(room):
        return None
    return d // room.itemsize


def _in_place(samples: np.ndarray, x: np.ndarray, offset: int) -> bool:
    """Whether ``samples`` are ``x[offset : offset + len(samples)]`` itself (the same memory)."""
    return (
        samples.dtype == x.dtype
        and samples.ndim == 1
        and samples.flags.c_contiguous
        and len(samples) > 0
        and samples.__array_interface__["data"][0] == x.__array_interface__["data"][0] + offset * x.itemsize
    )
