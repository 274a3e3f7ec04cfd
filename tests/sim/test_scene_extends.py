"""Scenes built on a base scene (``extends``), as the evaluation library is."""

from __future__ import annotations

import pytest

from sensor.errors import ConfigError
from sensor.sim.scene import load_scene

BASE = """
name = "base"
duration_s = 2.0
[receiver]
center_hz = 947.4e6
[[cells]]
name = "a"
arfcn = 60
power_dbfs = -30.0
[cells.params]
mcc = "460"
mnc = "00"
lac = 1
t3212_min = 60
[[cells]]
name = "b"
arfcn = 62
power_dbfs = -30.0
"""


def test_extends_merges_tables_and_cells_by_name(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "v.toml").write_text(
        'extends = "base.toml"\nname = "v"\n[receiver]\nppm = 5.0\n'
        '[[cells]]\nname = "a"\n[cells.params]\nt3212_min = 6\n'
        '[[cells]]\nname = "c"\narfcn = 64\npower_dbfs = -40.0\n'
        '[evaluation]\nnot_in_baseline = ["c"]\n'
    )
    s = load_scene(tmp_path / "v.toml")
    assert s.name == "v" and s.duration_s == 2.0 and s.receiver.ppm == 5.0 and s.receiver.center_hz == 947.4e6
    cells = {c.name: c for c in s.cells}
    assert set(cells) == {"a", "b", "c"}
    assert cells["a"].params.t3212_min == 6 and cells["a"].params.lac == 1 and cells["a"].params.mcc == "460"
    assert s.evaluation.not_in_baseline == ("c",)


def test_remove_cells_and_errors(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "r.toml").write_text('extends = "base.toml"\nremove_cells = ["b"]\n')
    assert [c.name for c in load_scene(tmp_path / "r.toml").cells] == ["a"]
    for text, msg in (
        ('extends = "base.toml"\nremove_cells = ["zz"]\n', "no cell named 'zz'"),
        ('extends = "r2.toml"\n', "cycle"),
        ('extends = "missing.toml"\n', "no such file"),
        ('remove_cells = ["a"]\n', "remove_cells needs extends"),
        ('extends = "base.toml"\n[evaluation]\nnot_in_baseline = ["q"]\n', "no cell named 'q'"),
    ):
        (tmp_path / "r2.toml").write_text(text)
        with pytest.raises(ConfigError, match=msg):
            load_scene(tmp_path / "r2.toml")
