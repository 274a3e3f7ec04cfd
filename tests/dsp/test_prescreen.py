"""The scanner's prescreen: does anything carrier-like stand out of the noise in a tuning?"""

from __future__ import annotations

import numpy as np
import pytest

from sensor.dsp.spectrum import carrier_contrast
from sensor.receiver.wideband import PRESCREEN_CONTRAST, receive_wideband
from sensor.sim.render import SceneRenderer
from tests.sim.scenes import scene_from

HEAD = """name = "p"
duration_s = 0.3
[receiver]
center_hz = 947.4e6
sample_rate_hz = 2.4e6
noise_dbfs = -62.0
datatype = "cu8"
dc_dbfs = -40.0
"""


def iq(tmp_path, cells: str) -> np.ndarray:
    scene = scene_from(tmp_path, HEAD + cells)
    return np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=0.25)])


def cell(arfcn: int, dbfs: float) -> str:
    return f'[[cells]]\nname = "c{arfcn}"\narfcn = {arfcn}\nbsic = {arfcn % 64}\npower_dbfs = {dbfs}\n'


def test_noise_and_dc_spike_alone_look_empty(tmp_path):
    x = iq(tmp_path, "")
    assert carrier_contrast(x, 2.4e6, usable_fraction=0.85) < 1.1 < PRESCREEN_CONTRAST
    assert receive_wideband(x, sample_rate_hz=2.4e6, center_hz=947.4e6, prescreen=True) == ([], None)


@pytest.mark.parametrize("snr_db", [-2.0, 2.0, 10.0])
def test_a_weak_carrier_is_not_screened_out(tmp_path, snr_db):
    # the receiver decodes 95 % of blocks at 2 dB SNR: the prescreen must pass even weaker ones
    assert carrier_contrast(iq(tmp_path, cell(60, -62.0 + snr_db)), 2.4e6, usable_fraction=0.85) > 1.4


def test_a_band_full_of_equal_carriers_still_stands_out(tmp_path):
    x = iq(tmp_path, "".join(cell(a, -40.0) for a in range(57, 68)))
    assert carrier_contrast(x, 2.4e6, usable_fraction=0.85) > 1.5
