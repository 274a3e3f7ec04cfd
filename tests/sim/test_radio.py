"""The virtual receiver: a tunable SDR over a scene, opened like any radio."""

import numpy as np
import pytest

from sensor.dsp.spectrum import raster_channel_powers, spectrum
from sensor.errors import ConfigError
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.sim.radio import default_scene_path
from sensor.sources.devices import open_device
from tests.sim.scenes import cell_toml, scene_toml, write_scene


def _powers(block, usable_hz):
    spec = spectrum(block.samples, block.sample_rate_hz, nfft=2048)
    centres, power = raster_channel_powers(spec, block.center_hz, usable_hz=usable_hz)
    return dict(zip(np.round(centres / 1e5).astype(int), power))


def test_tuning_shows_the_cells_of_the_passband(tmp_path):
    cells = [
        cell_toml("a", 62, 1, power_dbfs=-20),
        cell_toml("b", 100, 2, power_dbfs=-30),
        cell_toml("c", 20, 3, power_dbfs=-25),
    ]
    path = write_scene(tmp_path, scene_toml(947.4e6, 2.4e6, cells, duration_s=10.0, noise_dbfs=-80))
    src = open_device(f"sim:{path}", center_hz=947.4e6)
    assert src.info.driver == "sim" and src.info.sample_rate_hz == 2.4e6 and src.info.tunable
    block = next(src.blocks(block_samples=200_000))
    p = _powers(block, 2.0e6)
    assert p[9474] == pytest.approx(-20, abs=1.0)  # ARFCN 62 at the centre
    # Nothing else there (GMSK's own skirt reaches the adjacent channels at about -20 dBc).
    assert max(v for k, v in p.items() if abs(k - 9474) >= 4) < -45
    src.tune(arfcn_to_downlink_hz(100))
    block = next(src.blocks(block_samples=200_000))
    assert block.center_hz == arfcn_to_downlink_hz(100)
    assert block.first_sample > 200_000  # scene time ran on across the retune
    p = _powers(block, 2.0e6)
    assert p[int(round(arfcn_to_downlink_hz(100) / 1e5))] == pytest.approx(-30, abs=1.0)
    src.tune(arfcn_to_downlink_hz(20) + 600e3)
    p = _powers(next(src.blocks(block_samples=200_000)), 2.0e6)
    assert p[int(round(arfcn_to_downlink_hz(20) / 1e5))] == pytest.approx(-25, abs=1.0)
    src.close()


def test_hackrf_profile_gives_a_wide_virtual_receiver(tmp_path):
    path = write_scene(tmp_path, scene_toml(947.4e6, 2.4e6, [cell_toml("a", 62, 1)], duration_s=1.0))
    src = open_device(f"sim:{path}", profile="hackrf-one", center_hz=947.4e6)
    assert src.sample_rate_hz == 16e6 and src.info.usable_bandwidth_hz == pytest.approx(12e6)
    with pytest.raises(Exception, match="outside the tuning range"):
        src.tune(7e9)
    src.close()


def test_bundled_scene_is_the_default_and_moves(tmp_path):
    src = open_device("sim", center_hz=947.4e6)
    assert src.scene_path == default_scene_path() and src.scene.name == "patrol"
    assert any(c.fake for c in src.scene.cells)
    next(src.blocks(block_samples=10_000))
    a = src.position(0.0)
    b = src.position(2.0)
    assert a is not None and b is not None and a != b
    src.close()


def test_missing_scene_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        open_device(f"sim:{tmp_path / 'none.toml'}", center_hz=947.4e6)


def test_realtime_pacing(tmp_path):
    import time

    path = write_scene(tmp_path, scene_toml(947.4e6, 1e6, [cell_toml("a", 62, 1)], duration_s=1.0))
    src = open_device(f"sim:{path}", center_hz=947.4e6, sample_rate_hz=1.024e6)
    src.realtime = True
    t0 = time.monotonic()
    n = sum(len(b) for b in src.blocks(block_samples=51_200, max_samples=307_200))
    assert n == 307_200 and time.monotonic() - t0 >= 0.25  # 0.3 s of samples, first block immediate
    src.close()
