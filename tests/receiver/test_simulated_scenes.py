"""Issue 4's acceptance on simulated scenes: every cell found, no phantom, its SI decoded —
with a ±40 ppm receiver, with typical-urban fading."""

import numpy as np
import pytest

from sensor.receiver.wideband import receive_wideband
from sensor.sim.render import SceneRenderer, transmit_hz
from tests.sim.scenes import cell_toml, scene_from, scene_toml


def ten_cells(extra_for=lambda i: ""):
    arfcns = [57, 58, 59, 60, 61, 62, 63, 64, 65, 66]  # ten adjacent channels: the whole usable passband
    return [
        cell_toml(
            f"c{a}",
            a,
            (7 * i + 3) % 64,
            power_dbfs=-22.0 - 2.5 * i,
            lac=300 + i % 3,
            cell_id=1000 + i,
            mnc=f"0{i % 2}",
            neighbours=tuple(x for x in arfcns if x != a)[:6],
            extra=f"start_fn = {i * 12345}\ntiming_symbols = {(i * 211) % 1250}.25\n" + extra_for(i),
        )
        for i, a in enumerate(arfcns)
    ]


def run(tmp_path, text, seconds):
    scene = scene_from(tmp_path, text)
    x = np.concatenate([b.samples for b in SceneRenderer(scene).blocks(duration_s=seconds)])
    results, ppm = receive_wideband(x, sample_rate_hz=scene.receiver.sample_rate_hz, center_hz=scene.receiver.center_hz)
    return scene, results, ppm


def check(scene, results, *, min_si=("3", "4")):
    from sensor.cells import CellTracker

    tracker = CellTracker()
    for r in results:
        for b in r.result.blocks:
            tracker.add_block(b)
    found = {(c.arfcn, c.bsic): c for c in tracker.cells.values() if c.blocks > c.blocks_failed}
    truth = {(c.arfcn, c.bsic): c for c in scene.cells}
    assert set(found) == set(truth), (sorted(found), sorted(truth))  # all cells, no phantoms
    for key, cell in found.items():
        t = truth[key].params
        assert cell.identity == (t.mcc, t.mnc, t.lac, t.cell_id), key
        assert set(min_si) <= set(cell.si_octets), (key, sorted(cell.si_octets))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("ppm", [-40.0, 40.0])
def test_ten_cells_at_2_4_msps_with_an_uncalibrated_receiver(tmp_path, ppm):
    text = scene_toml(
        947.4e6,
        2.4e6,
        ten_cells(),
        duration_s=2.0,
        noise_dbfs=-60.0,
        seed=3,
        receiver_extra=f'ppm = {ppm}\ndatatype = "cu8"\n',
    )
    scene, results, est = run(tmp_path, text, 1.3)
    found = check(scene, results)
    assert est == pytest.approx(ppm, abs=0.1)
    for (arfcn, bsic), cell in found.items():  # the offset each cell is seen at, to a few Hz
        t = next(c for c in scene.cells if (c.arfcn, c.bsic) == (arfcn, bsic))
        from sensor.gsm.bands import arfcn_to_downlink_hz

        want = transmit_hz(t) / (1 + ppm * 1e-6) - arfcn_to_downlink_hz(arfcn)
        assert cell.freq_offset_hz.value == pytest.approx(want, abs=15.0)


@pytest.mark.slow
def test_typical_urban_fading(tmp_path):
    cells = ten_cells(lambda i: 'multipath = "tu"\ndoppler_hz = 40.0\n' if i % 2 == 0 else "")[:6]
    text = scene_toml(947.4e6, 2.4e6, cells, duration_s=2.0, noise_dbfs=-65.0, seed=8, receiver_extra="ppm = 15.0\n")
    scene, results, _ = run(tmp_path, text, 1.9)
    check(scene, results)


@pytest.mark.slow
def test_sixty_cells_at_20_msps(tmp_path):
    """A HackRF-wide scene: 60 cells over ARFCN 21-103 (±8.2 MHz) around 947.4 MHz, receiver -25 ppm.
    Powers within 10 dB of each other: a channel 200 kHz from one 20 dB stronger is lost to its
    skirt, as it would be on air (networks do not plan adjacent channels that way)."""
    arfcns = sorted({int(round(a)) for a in np.linspace(21, 103, 60)})
    cells = [
        cell_toml(
            f"w{a}",
            a,
            (5 * i + 1) % 64,
            power_dbfs=-20.0 - (i * 7) % 11,
            lac=500 + i % 5,
            cell_id=2000 + i,
            mnc=f"0{i % 3}",
            neighbours=(arfcns[(i + 1) % 60], arfcns[(i + 7) % 60]),
            extra=f"start_fn = {i * 4321}\ntiming_symbols = {(i * 97) % 1250}.5\n",
        )
        for i, a in enumerate(arfcns)
    ]
    text = scene_toml(
        947.4e6,
        20e6,
        cells,
        duration_s=2.0,
        noise_dbfs=-62.0,
        seed=60,
        receiver_extra='ppm = -25.0\ndatatype = "ci8"\n',
    )
    scene, results, est = run(tmp_path, text, 1.2)
    check(scene, results)
    assert est == pytest.approx(-25.0, abs=0.1)
