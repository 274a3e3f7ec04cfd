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
    assert sum(b.nbytes for b in stream._work._flat.values()) == 0 and stream._work._buf.size == 0
    assert stream.on_window is None and stream._buf == []
