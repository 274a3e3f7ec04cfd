"""Issue 24: every carrier whose channel (±100 kHz around it) lies inside the recorded band is
searched and decoded, whatever its FCCH tone's position (carrier + 67.7 kHz): cells at both edges
of the band at 2.4, 10 and 20 Msps."""

import numpy as np
import pytest

from sensor.dsp.fcch import FCCH_TONE_HZ
from sensor.dsp.fcch_search import CHANNEL_HALF_WIDTH_HZ, tone_search_band_hz
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.receiver.wideband import receive_wideband
from sensor.sim.render import SceneRenderer
from tests.sim.scenes import cell_toml, scene_from, scene_toml

INSIDE_HZ = 10e3  # the edge cells' channels end this far inside ±fs/2


@pytest.mark.parametrize("rate_hz", [2.4e6, 10e6, 20e6])
def test_the_tone_search_covers_every_carrier_whose_channel_is_inside_and_what_it_did_before(rate_hz):
    lo, hi = tone_search_band_hz(rate_hz, 0.9)
    edge = rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ
    assert lo <= -edge + FCCH_TONE_HZ and hi >= edge + FCCH_TONE_HZ
    assert lo <= -0.45 * rate_hz and hi >= 0.45 * rate_hz
    assert hi < rate_hz / 2  # a tone beyond fs/2 would be its alias: never searched there


@pytest.mark.slow
@pytest.mark.parametrize("side", [1, -1])
@pytest.mark.parametrize("rate_hz", [2.4e6, 10e6, 20e6])
def test_a_cell_at_the_band_edge_is_found_and_decoded(tmp_path, rate_hz, side):
    """The cell's channel ends 10 kHz inside the band (at 2.4 Msps 1.09 MHz from the centre;
    the issue's cell 1.02 MHz above it was lost: its tone lay beyond the ±0.9 × fs/2 searched);
    SNR 11 dB. The tuning is off the raster so that the cell can sit there."""
    noise_dbfs, snr_db = -60.0, 11.0
    arfcn = 62
    offset_hz = side * (rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ - INSIDE_HZ)
    center_hz = arfcn_to_downlink_hz(arfcn) - offset_hz
    cell = cell_toml("edge", arfcn, 21, power_dbfs=noise_dbfs + snr_db, lac=4321, cell_id=77)
    text = scene_toml(center_hz, rate_hz, [cell], duration_s=1.5, noise_dbfs=noise_dbfs, seed=4)
    scene = scene_from(tmp_path, text)
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=1.3)])
    results, _ = receive_wideband(x, sample_rate_hz=rate_hz, center_hz=center_hz)

    from sensor.cells import CellTracker

    tracker = CellTracker()
    blocks = [b for r in results for b in r.result.blocks]
    for b in blocks:
        tracker.add_block(b)
    (found,) = [c for c in tracker.cells.values() if c.blocks > c.blocks_failed]
    assert (found.arfcn, found.bsic) == (arfcn, 21)
    assert found.identity == ("460", "00", 4321, 77)
    assert {"3", "4"} <= set(found.si_octets)
    assert len(blocks) >= 50 and all(b.crc_ok for b in blocks)  # every BCCH/CCCH block of the 1.3 s


@pytest.mark.parametrize("rate_hz", [1e6, 2.4e6, 10e6, 20e6])
def test_the_new_carrier_check_asks_every_raster_point_whose_channel_is_inside(rate_hz):
    """``receiver.unexplained`` asks the same carriers as the first window's FCCH search: a
    carrier at a raster point whose channel ends 10 kHz inside the band stands out; noise alone,
    at the same points, does not."""
    from sensor.dsp.spectrum import raster_contrast
    from sensor.receiver.unexplained import NEW_CARRIER_CONTRAST, unexplained_carrier

    rng = np.random.default_rng(5)
    n = int(0.5 * rate_hz)
    noise = ((rng.standard_normal(n) + 1j * rng.standard_normal(n)) * 1e-3).astype(np.complex64)
    edge = rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ - INSIDE_HZ
    for side in (1, -1):  # tuned so that a raster point lies at +edge, then at -edge
        assert not unexplained_carrier(noise, rate_hz, arfcn_to_downlink_hz(62) - side * edge, [])
    contrast, _ = raster_contrast(noise, rate_hz, np.array([-edge, edge]), edge_hz=rate_hz / 2 - 100e3)
    assert np.all(np.abs(contrast - 1.0) < 0.15)
    for side in (1, -1):  # a GMSK-wide carrier at 3 dB SNR on the edge point
        t = np.arange(n) / rate_hz
        phase = 2 * np.pi * (side * edge * t + np.cumsum(rng.choice([-1, 1], n)) * 67.7e3 / rate_hz)
        x = noise + (1.4e-3 * np.exp(1j * phase)).astype(np.complex64)
        contrast, _ = raster_contrast(x, rate_hz, np.array([side * edge]), edge_hz=rate_hz / 2 - 100e3)
        assert contrast[0] >= NEW_CARRIER_CONTRAST
        center_hz = arfcn_to_downlink_hz(62) - side * edge
        assert unexplained_carrier(x, rate_hz, center_hz, [])
        assert not unexplained_carrier(x, rate_hz, center_hz, [side * edge])  # known: explained


@pytest.mark.slow
def test_a_cell_switching_on_at_the_edge_mid_stream_is_found_at_once():
    """A cell whose channel ends 10 kHz inside a 2.4 Msps band switches on after the first
    window, while a centred cell is tracked: the new-carrier check sees it and its window is
    searched, long before the periodic search (every 8 s); it stopped at ±0.9 × fs/2 before."""
    import tempfile
    from pathlib import Path

    from sensor.receiver.stream import StreamReceiver

    rate_hz, arfcn = 2.4e6, 62
    offset_hz = rate_hz / 2 - CHANNEL_HALF_WIDTH_HZ - INSIDE_HZ
    center_hz = arfcn_to_downlink_hz(arfcn) - offset_hz
    cells = [
        cell_toml("mid", 57, 9, power_dbfs=-40.0, cell_id=1),  # 1.09 MHz below the edge cell: near the centre
        cell_toml("edge", arfcn, 21, power_dbfs=-49.0, lac=4321, cell_id=77, extra="start_fn = 3000\non_s = 1.6\n"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        scene = scene_from(Path(tmp), scene_toml(center_hz, rate_hz, cells, duration_s=3.6, noise_dbfs=-60.0, seed=9))
    rx = StreamReceiver()
    blocks = list(rx.process(SceneRenderer(scene).blocks(duration_s=3.6, block_samples=int(0.1 * rate_hz))))
    edge = sorted(b.t_s for b in blocks if b.arfcn == arfcn and b.crc_ok)
    assert edge and 1.6 <= edge[0] <= 1.6 + 1.0  # found in the window it switched on in, or the next
    assert len(edge) >= 0.8 * (3.6 - edge[0]) / 0.2354 * 5
    assert rx.stats.searches >= 2 and rx.stats.searches < rx.stats.windows
