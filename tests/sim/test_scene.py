"""Scene files: loading, fake stations, and one clear line + exit 2 for invalid scenes."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.errors import ConfigError
from sensor.sim.render import SceneRenderer
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording
from tests.sim.scenes import cell_toml, scene_from, scene_toml, write_scene

BASE = scene_toml(
    947.4e6, 2.4e6, [cell_toml("a", 62, 21, neighbours=(60, 64)), cell_toml("b", 64, 22, lac=4322, cell_id=1002)]
)


def test_fake_station_takes_operator_and_behaviours(tmp_path):
    text = BASE + (
        '[[fakes]]\nimitate = "a"\narfcn = 66\nbehaviours = ["lac_unlike_surroundings", "empty_neighbours", "high_cro",'
        ' "low_t3212", "no_gprs", "large_cfo"]\npower_dbfs = -15.0\n'
    )
    scene = scene_from(tmp_path, text)
    fake = scene.cells[-1]
    assert fake.fake and fake.arfcn == 66 and fake.params.arfcn == 66
    assert (fake.params.mcc, fake.params.mnc) == ("460", "00")
    assert fake.params.lac not in {4321, 4322}
    assert fake.params.neighbours == () and fake.params.cro_db == 100 and fake.params.t3212_min == 6
    assert fake.params.gprs is False and fake.cfo_ppm == 3.0
    assert not any(c.fake for c in scene.cells[:-1])


def test_cloned_identity_copies_lac_and_ci(tmp_path):
    scene = scene_from(
        tmp_path, BASE + '[[fakes]]\nimitate = "b"\narfcn = 70\nbehaviours = ["cloned_identity"]\npower_dbfs = -20.0\n'
    )
    fake = scene.cells[-1]
    assert (fake.params.lac, fake.params.cell_id) == (4322, 1002) and fake.arfcn == 70


_WORKING_FAKE = '[[fakes]]\nimitate = "a"\nname = "f"\narfcn = 66\nbehaviours = ["high_cro"]\npower_dbfs = -20.0\n'


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda t: t.replace("seed = 1", "seed = 1\ncolour = 3"), "unknown key 'colour'"),
        (lambda t: t.replace("arfcn = 62", "arfcn = 300"), "ARFCN 300 is in no GSM band"),
        (lambda t: t.replace("arfcn = 62\n", 'arfcn = 62\nband = "DCS1800"\n'), "ARFCN 62 is not in band DCS1800"),
        (lambda t: t.replace('mnc = "00"', 'mnc = "0001"', 1), "must be 2 or 3 digits"),
        (lambda t: t.replace("duration_s = 1.0", "duration_s = -2.0"), "duration_s': -2.0 is below the minimum"),
        (lambda t: t.replace("power_dbfs = -25.0", "", 1), "give power_dbfs"),
        (
            lambda t: t + '[[fakes]]\nimitate = "zz"\narfcn = 66\nbehaviours = ["no_gprs"]\npower_dbfs = -20.0\n',
            "no cell named 'zz'",
        ),
        (
            lambda t: t + '[[fakes]]\nimitate = "a"\narfcn = 66\nbehaviours = ["teleport"]\npower_dbfs = -20.0\n',
            "unknown behaviour 'teleport'",
        ),
        (
            lambda t: t + '[[fakes]]\nimitate = "a"\narfcn = 66\nbehaviours = ["transient"]\npower_dbfs = -20.0\n',
            "transient needs",
        ),
        (lambda t: t.replace('name = "b"', 'name = "a"'), "is used twice"),
        (
            lambda t: t.replace('name = "a"\n', 'name = "a"\ndedicated = "sdcch8"\n').replace(
                "lac = 4321\n", "lac = 4321\nccch_conf = 1\n", 1
            ),
            r'cells\[0\] \(a\): dedicated = "sdcch8" but params.ccch_conf = 1',
        ),
        (
            lambda t: t.replace('name = "b"\n', 'name = "b"\ndedicated = "sdcch4"\n'),
            r'cells\[1\] \(b\): dedicated = "sdcch4" needs params.ccch_conf = 1',
        ),
        (
            lambda t: t.replace('name = "b"\n', 'name = "b"\nsdcch8_timeslot = 0\n'),
            r"\(b\).sdcch8_timeslot: 0 is outside 1-7",
        ),
        (
            lambda t: (
                t + '[[fakes]]\nimitate = "a"\nname = "f"\narfcn = 66\nbehaviours = ["no_gprs"]\npower_dbfs = -20.0\n'
                'dedicated = "sdcch4"\n'
            ),
            r'fakes\[0\] \(f\): dedicated = "sdcch4" needs',
        ),
        (lambda t: t + _WORKING_FAKE + "[fakes.works.procedure]\nreject_cause = 200\n", "unknown MM reject cause 200"),
        (lambda t: t + _WORKING_FAKE + '[fakes.works.procedure]\nidentity_requests = ["msisdn"]\n', "unknown identity"),
        (
            lambda t: (
                t + _WORKING_FAKE + '[[fakes.works.campaigns]]\nsender = "95588"\ntemplate = "长{x}"\n'
                '[fakes.works.campaigns.fill]\nx = ["' + "长" * 20_000 + '"]\n'
            ),
            "at most 255",
        ),
        (lambda t: t + _WORKING_FAKE + "[fakes.works.procedure]\nsms_per_phone = 2\n", "no campaign"),
        (lambda t: t + _WORKING_FAKE + "[fakes.works.phones]\nrate_per_s = -1.0\n", "rate_per_s"),
    ],
)
def test_invalid_scene_one_line_exit_2(tmp_path, mutate, message):
    path = write_scene(tmp_path, mutate(BASE))
    with pytest.raises(ConfigError, match=message):
        load_scene(path)
    r = CliRunner().invoke(
        cli, ["simulate", str(path), "--out", str(tmp_path / "out")], env={"XDG_CONFIG_HOME": str(tmp_path)}
    )
    assert r.exit_code == 2
    assert r.stderr.strip().startswith("fbs-sensor: error: ") and "\n" not in r.stderr.strip()


def test_simulate_writes_sigmf_with_ground_truth(tmp_path):
    path = write_scene(tmp_path, BASE.replace("duration_s = 1.0", "duration_s = 0.2"))
    r = CliRunner().invoke(
        cli,
        ["simulate", str(path), "--out", str(tmp_path / "out"), "--datatype", "ci8"],
        env={"XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "out" / "scene.sigmf-meta").read_text())
    truth = meta["global"]["fbs:scene"]
    assert meta["global"]["core:datatype"] == "ci8"
    assert [c["arfcn"] for c in truth["cells"]] == [62, 64]
    assert truth["cells"][0]["si"]["3"].startswith("49061b")
    assert truth["cells"][1]["apparent_offset_hz"] == pytest.approx(400e3)
    src = open_recording(tmp_path / "out" / "scene.sigmf-meta")
    assert src.n_samples == 480_000 and src.info.sample_rate_hz == 2.4e6


def test_rendering_is_deterministic_and_powers_are_right(tmp_path):
    scene = scene_from(tmp_path, BASE.replace("duration_s = 1.0", "duration_s = 0.1"))
    a = np.concatenate([b.samples for b in SceneRenderer(scene).blocks()])
    b = np.concatenate([b.samples for b in SceneRenderer(scene).blocks()])
    np.testing.assert_array_equal(a, b)
    # Two cells at -25 dBFS each plus noise at -60 dBFS per 270 kHz: total about -22 dBFS.
    assert 10 * np.log10(np.mean(np.abs(a) ** 2)) == pytest.approx(10 * np.log10(2 * 10**-2.5), abs=0.3)
