"""The stream receiver on a live-like source: the virtual radio, retuned mid-stream."""

from sensor.receiver.stream import StreamReceiver
from sensor.sources.devices import open_device
from tests.sim.scenes import cell_toml, scene_toml, write_scene


def test_stream_from_the_virtual_radio_with_a_retune(tmp_path):
    cells = [cell_toml("a", 62, 21, power_dbfs=-25, cell_id=1), cell_toml("b", 100, 22, power_dbfs=-25, cell_id=2)]
    path = write_scene(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=60.0, noise_dbfs=-60))
    radio = open_device(f"sim:{path}", center_hz=947.4e6, sample_rate_hz=2.4e6)

    def blocks():
        yield from radio.blocks(block_samples=1 << 18, max_samples=int(2.2 * 2.4e6))
        radio.tune(954.8e6)  # ARFCN 100 at the centre; ARFCN 62 out of view
        yield from radio.blocks(block_samples=1 << 18, max_samples=int(2.2 * 2.4e6))

    rx = StreamReceiver()
    out = list(rx.process(blocks()))
    radio.close()
    fns = {}
    for b in out:
        assert b.crc_ok
        fns.setdefault(b.arfcn, []).append(b.fn)
    assert set(fns) == {62, 100}
    for arfcn, seq in fns.items():
        assert len(seq) == len(set(seq))  # nothing twice despite the overlaps
        assert seq == sorted(seq)  # in time order
    assert rx.stats.discontinuities == 1  # the retune ended a window early
    assert rx.carriers[(62, 21)].state == "lost" and rx.carriers[(62, 21)].losses == 1
    assert rx.carriers[(100, 22)].state == "synchronised"
    assert 70 <= len(fns[62]) <= 100 and 70 <= len(fns[100]) <= 100  # 2.2 s each: ~9 blocks per 235 ms


def test_a_closed_stream_lets_go_of_its_window_buffers():
    """``close``: the staged window and the channel streams go with it (the scanner closes each
    visit's receiver: a callback referring back to it would otherwise keep them until a full
    garbage collection)."""
    import numpy as np

    from sensor.model import IQBlock

    rng = np.random.default_rng(3)
    fs, n = 2.4e6, 1 << 18
    stream = StreamReceiver(on_window=lambda t0, t1: None)
    blocks = [
        IQBlock(
            (0.01 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64),
            fs,
            947e6,
            k * n,
            None,
            None,
            "noise",
        )
        for k in range(11)
    ]
    list(stream.process(blocks))
    assert stream.stats.windows >= 2
    held = sum(b.nbytes for b in stream._work._flat.values())
    assert held >= int(fs) * 8  # a window's worth, staged
    stream.close()
    assert sum(b.nbytes for b in stream._work._flat.values()) == 0
    assert stream.on_window is None and stream._buf == []


def test_a_staged_block_is_let_go_before_its_window_is_received():
    """``process`` copies each block into the window's place and holds no other reference to it
    while the window is received (at 20 Msps a block is 40 MB of complex64), and the blocks kept
    for telling apart those decoded twice in an overlap are the latest window's only."""
    import weakref

    import numpy as np

    from sensor.model import IQBlock

    rng = np.random.default_rng(4)
    fs, n = 2.4e6, 1 << 18
    refs: list[weakref.ref] = []
    alive_at_windows: list[int] = []

    def block(k: int) -> IQBlock:
        x = (0.01 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))).astype(np.complex64)
        refs.append(weakref.ref(x))
        return IQBlock(x, fs, 947e6, k * n, None, None, "noise")

    def blocks():
        for k in range(11):
            yield block(k)  # not held here either

    stream = StreamReceiver(on_window=lambda t0, t1: alive_at_windows.append(sum(r() is not None for r in refs)))
    list(stream.process(blocks()))
    assert len(alive_at_windows) >= 2 and alive_at_windows[:-1] == [0] * (len(alive_at_windows) - 1)


def test_blocks_remembered_against_repeats_are_those_of_the_latest_window(tmp_path):
    cells = [cell_toml("a", 62, 21, power_dbfs=-25, cell_id=1)]
    path = write_scene(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=10.0, noise_dbfs=-60))
    radio = open_device(f"sim:{path}", center_hz=947.4e6, sample_rate_hz=2.4e6)
    rx = StreamReceiver()
    starts: list[float] = []
    rx.on_window = lambda t0, t1: starts.append(t0)
    out = list(rx.process(radio.blocks(block_samples=1 << 18, max_samples=int(4.5 * 2.4e6))))
    radio.close()
    assert len(starts) >= 4 and len(out) > 100
    kept = list(rx._seen.values())
    assert kept and all(b.t_s >= starts[-1] for b in kept)  # earlier ones cannot come again
    assert len(kept) < len(out) / 2


def test_channel_streams_reuse_one_buffer_for_any_shape_that_fits():
    """``Workspace.rows``: many short streams after a few long ones (a recording's last window
    asks for all its carriers at once) fit in the same memory; ``drop_rows`` lets it go."""
    import numpy as np

    from sensor.receiver.channel_plan import Workspace

    w = Workspace()
    long = w.rows(10, 100_000)
    short = w.rows(60, 10_000)
    assert short.shape == (60, 10_000) and np.shares_memory(long, short)
    assert sum(b.nbytes for b in w._flat.values()) <= 10 * 100_000 * 8 * 5 // 4
    w.drop_rows()
    assert sum(b.nbytes for b in w._flat.values()) == 0


def test_streams_are_made_whole_ones_first_then_by_where_timeslot_0_falls():
    from sensor.receiver.channel import ChannelSync
    from sensor.receiver.wideband import _making_order

    def sync(sample0: float) -> ChannelSync:
        return ChannelSync(1, 0, sample0, 2500.0, 0.0, 1.0, 3)

    priors = [sync(2400.0), None, sync(5100.0), sync(12_600.0), None]  # phases 2400, 100, 100
    order = _making_order(priors)
    assert order[:2] == [1, 4] and order[-1] == 0 and sorted(order[2:4]) == [2, 3]


def _recorded_scene(tmp_path, datatype: str):
    """2 s of a cell, then 1.5 s after a retune to another: a SigMF recording of two captures."""
    from sensor.sources.open import open_recording
    from sensor.sources.sigmf_writer import SigMFWriter

    cells = [cell_toml("a", 62, 21, power_dbfs=-25, cell_id=1), cell_toml("b", 100, 22, power_dbfs=-25, cell_id=2)]
    path = write_scene(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=60.0, noise_dbfs=-60))
    radio = open_device(f"sim:{path}", center_hz=947.4e6, sample_rate_hz=2.4e6)
    with SigMFWriter(tmp_path / "rec", datatype=datatype, sample_rate_hz=2.4e6) as w:
        for blk in radio.blocks(block_samples=1 << 18, max_samples=int(2.0 * 2.4e6)):
            w.write(blk)
        radio.tune(954.8e6)
        for blk in radio.blocks(block_samples=1 << 18, max_samples=int(1.5 * 2.4e6)):
            w.write(blk)
    radio.close()
    return open_recording(tmp_path / "rec.sigmf-meta")


def test_deferred_blocks_read_into_the_window_decode_what_blocks_do(tmp_path):
    """A recording's deferred blocks (read and converted straight into the window's place) give
    the stream receiver what the same blocks converted by themselves give, across a retune (two
    captures) and when a longer block makes the workspace grow (then the window is joined)."""
    rec = _recorded_scene(tmp_path, "cu8")
    eager = list(StreamReceiver().process(rec.blocks(block_samples=1 << 18)))
    rx = StreamReceiver()
    deferred = list(rx.process(rec.deferred_blocks(block_samples=1 << 18)))
    assert rx.stats.discontinuities == 1 and {b.arfcn for b in deferred} == {62, 100}
    assert len(deferred) > 100 and deferred == eager

    sizes = [1 << 16] * 4 + [1 << 21] + [1 << 18] * 40  # the long block outgrows the workspace
    starts, pos = [], 0
    for n in sizes:
        if pos >= rec.n_samples:
            break
        starts.append((pos, min(n, rec.n_samples - pos)))
        pos += starts[-1][1]
    places: set[int] = set()

    def run(read):
        rx = StreamReceiver()

        def pieces():
            for first, n in starts:  # a block never straddles the captures: ``read`` stops at a capture's end
                while n:
                    blk = read(first, n)
                    yield blk
                    places.add(rx._work.padded().__array_interface__["data"][0])  # where it was staged
                    first, n = first + len(blk), n - len(blk)

        return list(rx.process(pieces()))

    eager = run(rec.read)
    grown = len(places)
    deferred = run(rec.deferred)
    assert grown >= 2  # the workspace did move
    assert len(deferred) > 100 and deferred == eager
