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
