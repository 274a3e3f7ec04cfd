"""Gain control against the simulator's virtual receiver, whose ADC clips like an 8-bit dongle."""

from __future__ import annotations

import numpy as np

from sensor.scan.gain import GainControl, clipped_components, peak_dbfs
from sensor.sim.radio import SimSource
from sensor.sources.profiles import load_profile

SCENE = """
name = "strong"
duration_s = 2.0
[receiver]
center_hz = 947.4e6
sample_rate_hz = 2.4e6
datatype = "cu8"
noise_dbfs = -60.0
[[cells]]
name = "weak"
arfcn = 60
power_dbfs = {weak}
[[cells]]
name = "fake"
arfcn = 64
bsic = 5
power_dbfs = {strong}
"""


def look(src: SimSource) -> np.ndarray:
    return next(src.blocks(block_samples=240_000, max_samples=240_000)).samples


def settle(tmp_path, strong: float, weak: float) -> tuple[list[tuple[float, int, float]], GainControl]:
    path = tmp_path / "scene.toml"
    path.write_text(SCENE.format(strong=strong, weak=weak))
    prof = load_profile("rtlsdr-r820t")
    gc = GainControl(prof)
    g = gc.start_gain(947.4e6)
    src = SimSource(path, profile=prof, center_hz=947.4e6, sample_rate_hz=2.4e6, gain_db=g).open()
    history = []
    for _ in range(5):
        x = look(src)
        history.append((g, clipped_components(x), peak_dbfs(x)))
        new = gc.adjust(947.4e6, g, x)
        if new is None:
            break
        src.set_gain(new)
        g = new
    src.close()
    return history, gc


def test_a_fake_station_60_db_up_is_brought_out_of_clipping(tmp_path):
    history, gc = settle(tmp_path, strong=6.0, weak=-54.0)
    (g0, clipped0, _), (g_end, clipped_end, peak_end) = history[0], history[-1]
    assert clipped0 > 10_000 and clipped_end == 0  # the default gain clips, the chosen one does not
    assert g_end < g0 and -12.0 < peak_end < -3.0  # peak a few dB under full scale, not far below
    assert len(history) <= 3 and gc.clipped_total >= clipped0
    assert gc.start_gain(947.4e6) == g_end  # remembered for the next pass over this tuning
    assert g_end in load_profile("rtlsdr-r820t").gain_steps_db


def test_quiet_tunings_get_more_gain_and_good_ones_are_left_alone(tmp_path):
    history, _ = settle(tmp_path, strong=-45.0, weak=-55.0)
    assert history[-1][0] > history[0][0] and history[-1][1] == 0
    history, gc = settle(tmp_path, strong=-12.0, weak=-30.0)
    assert len(history) == 1 and gc.changes == 0


def test_clip_counting():
    x = np.array([0.5 + 0.5j, 1.0 + 0j, -0.995 - 1j], np.complex64)
    assert clipped_components(x) == 3
