"""Drives: a route through a scene as geotagged recordings plus an NMEA track."""

import json
from functools import reduce

import numpy as np
import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.sim.propagation import distance_m
from sensor.sim.radio import default_scene_path
from sensor.sim.render import SceneRenderer
from sensor.sim.route import Drive
from sensor.sim.scene import load_scene
from sensor.sources.open import open_recording


def test_drive_positions_follow_the_route():
    d = Drive.from_points([(31.0, 121.0), (31.0, 121.01), (31.01, 121.01)], 10.0)
    assert d.length_m == pytest.approx(953.0 + 1112.0, rel=0.01)
    lat, lon = d.position(np.array([0.0, 47.65, 1e6]))
    assert (lat[0], lon[0]) == (31.0, 121.0)
    assert distance_m(31.0, 121.0, lat[1], lon[1]) == pytest.approx(476.5, rel=0.01)
    assert (lat[2], lon[2]) == pytest.approx((31.01, 121.01))  # parked at the end


def test_received_power_follows_distance_and_shadowing():
    scene = load_scene(default_scene_path())
    r = SceneRenderer(scene)
    fake = next(a for a in r.active if a.spec.fake)
    levels = np.array([r.received_dbfs(fake, t) for t in np.linspace(0, scene.duration_s, 40)])
    dists = np.array([distance_m(*fake.spec.position, *r.position(t)) for t in np.linspace(0, scene.duration_s, 40)])
    mean = fake.spec.tx_power_dbm - scene.propagation.mean_loss_db(dists) - scene.receiver.full_scale_dbm
    resid = levels - mean
    assert np.all(np.abs(resid) < 4 * scene.propagation.shadowing_sigma_db)
    assert np.corrcoef(levels, -np.log10(dists))[0, 1] > 0.5  # closer is stronger


def test_simulate_segments_writes_geotagged_recordings_and_nmea(tmp_path):
    r = CliRunner().invoke(
        cli,
        ["simulate", str(default_scene_path()), "--out", str(tmp_path), "--segments", "1"],
        env={"XDG_CONFIG_HOME": str(tmp_path)},
    )
    assert r.exit_code == 0, r.output
    metas = sorted(tmp_path.glob("patrol_*.sigmf-meta"))
    assert len(metas) == 4
    coords = [json.loads(m.read_text())["global"]["core:geolocation"]["coordinates"] for m in metas]
    lons = [c[0] for c in coords]
    assert lons == sorted(lons) and lons[0] < lons[-1]  # driving east
    assert all(c[1] == pytest.approx(31.2304) for c in coords)
    starts = [json.loads(m.read_text())["captures"][0]["core:datetime"] for m in metas]
    assert starts[0].startswith("2026-01-01T00:00:00") and starts[1].startswith("2026-01-01T00:00:01")
    assert open_recording(metas[0]).n_samples == 2_400_000
    nmea = (tmp_path / "patrol.nmea").read_text().splitlines()
    assert len(nmea) == 3 * 5 and nmea[0].startswith("$GPRMC,000000.00,A,3113.8240,N,12128.4220,E")
    for line in nmea:
        body, checksum = line[1:].split("*")
        assert int(checksum, 16) == reduce(lambda a, c: a ^ c, body.encode(), 0)
