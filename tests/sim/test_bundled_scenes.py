"""Every scene in recordings/scenes loads, renders, and its fake stations behave as labelled."""

from pathlib import Path

import numpy as np
import pytest

from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene

SCENES = sorted((Path(__file__).resolve().parents[2] / "recordings" / "scenes").glob("*.toml"))


@pytest.mark.parametrize("path", SCENES, ids=[p.stem for p in SCENES])
def test_bundled_scene_renders(path):
    scene = load_scene(path)
    assert any(c.fake for c in scene.cells) and any(not c.fake for c in scene.cells)
    r = SceneRenderer(scene)
    block = next(r.blocks(duration_s=0.05, block_samples=1 << 16))
    assert block.samples.dtype == np.complex64 and np.isfinite(block.samples).all()
    assert len(r.active) == len(scene.cells)  # every cell is inside its receiver's passband
    assert r.clipped_components == 0


def test_transient_fake_switches_on_when_labelled():
    scene = load_scene(next(p for p in SCENES if p.stem == "dcs-hackrf"))
    r = SceneRenderer(scene)
    fake = next(a for a in r.active if a.spec.fake)
    assert r.received_dbfs(fake, 1.4) is None and r.received_dbfs(fake, 1.6) == fake.spec.power_dbfs
    assert (fake.spec.params.lac, fake.spec.params.cell_id) == (41001, 1842)
