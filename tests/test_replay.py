"""`fbs-sensor replay` as CONTRACT.md specifies, on a real capture and on simulated scenes."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.sim.output import write_sigmf
from sensor.sim.radio import default_scene_path
from sensor.sim.render import scene_offsets, transmit_hz
from sensor.sim.scene import load_scene
from tests.sim.scenes import cell_toml, scene_from, scene_toml


def replay(*args, env=None):
    r = CliRunner().invoke(cli, ["replay", *args], env=env or {"XDG_CONFIG_HOME": "/nonexistent"})
    return r


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_contract_example_on_the_real_953_6_mhz_capture(captures):
    r = replay(
        str(captures / "gsmsp_953.6MHz_500ksps.cfile"),
        "--format",
        "cf32",
        "--rate",
        "500000",
        "--center",
        "953.6e6",
        "--json",
        "--blocks",
    )
    assert r.exit_code == 0, r.output
    objs = lines(r)
    assert all(o["schema"] == 1 for o in objs)
    blocks = [o for o in objs if o["type"] == "block"]
    (cell,) = [o for o in objs if o["type"] == "cell"]
    summary = objs[-1]
    assert summary["type"] == "summary" and summary["cells"] == 1 and summary["blocks"] == len(blocks) >= 6
    assert (cell["mcc"], cell["mnc"], cell["lac"], cell["cell_id"], cell["bsic"], cell["arfcn"]) == (
        "272",
        "02",
        15016,
        15149,
        56,
        93,
    )
    assert cell["freq_offset_hz"] == pytest.approx(8700, abs=100) and cell["freq_offset_ppm"] == pytest.approx(
        9.1, abs=0.2
    )
    assert cell["si"]["3"] == "49061b3b2d72f2203aa8d0033c546506b900008020420b"
    assert [b["fn"] for b in blocks] == sorted(b["fn"] for b in blocks)
    si3 = next(b for b in blocks if b["fn"] == 857108)
    assert si3["channel"] == "BCCH" and si3["l2"] == cell["si"]["3"] and si3["crc_ok"] is True and si3["tn"] == 0


def test_simulated_scene_every_cell_no_phantom(tmp_path):
    """A 2.4 Msps scene (fading cell, combined CCCH, fake station) with a 30 ppm receiver."""
    scene = load_scene(default_scene_path())
    write_sigmf(scene, tmp_path / "patrol", duration_s=2.5)
    r = replay(str(tmp_path / "patrol.sigmf-meta"), "--json")
    assert r.exit_code == 0, r.output
    cells = [o for o in lines(r) if o["type"] == "cell"]
    truth = {(c.arfcn, c.bsic): c for c in scene.cells}
    assert {(c["arfcn"], c["bsic"]) for c in cells} == set(truth)  # every cell, nothing else
    for c in cells:
        t = truth[(c["arfcn"], c["bsic"])]
        assert (c["mcc"], c["mnc"], c["lac"], c["cell_id"]) == (
            t.params.mcc,
            t.params.mnc,
            t.params.lac,
            t.params.cell_id,
        )
        assert set(c["si"]) >= {"3", "4"}
        assert c["position"] is not None  # core:geolocation of the recording
    fake = next(c for c in cells if c["arfcn"] == 64)
    assert fake["neighbours"] == [] and fake["params"]["t3212_min"] == 6 and fake["params"]["cro_db"] == 100
    # the car drives at 12 m/s: each carrier is seen moved by its mean Doppler over the recording
    tracks = scene_offsets(scene, 2.5)
    doppler_ppm = {c.arfcn: float(np.mean(tracks[c.name].at(np.arange(0.0, 2.5, 0.05))[0])) / transmit_hz(c) * 1e6
                   for c in scene.cells}  # fmt: skip
    ppm_of = {c["arfcn"]: c["freq_offset_ppm"] - doppler_ppm[c["arfcn"]] for c in cells}
    assert ppm_of[58] == pytest.approx(-12.0, abs=0.05)  # the receiver's +12 ppm, seen on an operator cell
    assert ppm_of[64] - ppm_of[58] == pytest.approx(2.5, abs=0.05)  # the fake's own cheap clock
    # judged: the fake station with its reasons, every operator cell normal, one detection object
    assert fake["verdict"] == "fake" and fake["score"] >= 0.75
    assert {"carrier_offset", "reselection_bait", "few_neighbours", "short_t3212"} <= {
        r["rule"] for r in fake["reasons"]
    }
    assert all(c["verdict"] == "normal" for c in cells if c["arfcn"] != 64)
    (det,) = [o for o in lines(r) if o["type"] == "detection"]
    assert (det["arfcn"], det["bsic"], det["verdict"], det["reasons"]) == (64, 17, "fake", fake["reasons"])
    assert det["position"] == fake["position"] and lines(r)[-1]["detections"] == 1
    # a baseline learned from this drive knows the operator cells, never the fake
    db = str(tmp_path / "baseline.sqlite")
    learned = replay(str(tmp_path / "patrol.sigmf-meta"), "--baseline", db, "--learn", "--json")
    assert learned.exit_code == 0 and "learned 4 of 5 cells" in learned.stderr
    again = [
        o for o in lines(replay(str(tmp_path / "patrol.sigmf-meta"), "--baseline", db, "--json")) if o["type"] == "cell"
    ]
    for c in again:
        rules = {r["rule"] for r in c["reasons"]}
        assert ("unknown_to_baseline" in rules) == (c["arfcn"] == 64), c


def test_dcs1800_cell_and_human_table(tmp_path):
    scene = scene_from(
        tmp_path,
        scene_toml(
            1842.6e6,
            1e6,
            [cell_toml("d", 700, 33, band="DCS1800", mnc="410", mcc="310", neighbours=(702, 705), power_dbfs=-20)],
            duration_s=1.0,
            receiver_extra="ppm = -25.0\n",
        ),
    )
    write_sigmf(scene, tmp_path / "dcs")
    r = replay(str(tmp_path / "dcs.sigmf-meta"))
    assert r.exit_code == 0, r.output
    assert "700" in r.stdout and "310-410" in r.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["/nonexistent.sigmf-meta"], "no such file"),
        (["/etc/hostname"], "not a SigMF recording"),
        (["/etc/hostname", "--format", "cf32"], "--rate"),
        (["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--gsmtap", "nohost"], "HOST:PORT"),
        (
            ["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--pcap", "/nonexistent/dir/x.pcap"],
            "cannot write",
        ),
        (
            ["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--track", "/nonexistent.nmea"],
            "no such track",
        ),
        (["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--learn"], "--learn needs --baseline"),
        (
            ["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--rules", "/nonexistent.toml"],
            "no such file",
        ),
        (
            ["{raw}", "--format", "cf32", "--rate", "1M", "--center", "900M", "--baseline", "/etc/hostname"],
            "cannot open the baseline",
        ),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, args, message):
    raw = tmp_path / "x.cfile"
    raw.write_bytes(b"\0" * 8000)
    r = replay(*[a.replace("{raw}", str(raw)) for a in args])
    assert r.exit_code == 2, r.output
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.output


@pytest.mark.slow
def test_a_drive_gives_the_fake_station_a_location(tmp_path):
    """Several geotagged recordings of one drive: CONTRACT.md's location object for the fake."""
    from sensor.gps.geodesy import distance_m
    from sensor.resources import project_dir
    from sensor.sim.output import write_drive

    scene = load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml")
    paths = write_drive(scene, tmp_path, segment_s=1.0, gap_s=2.0)
    r = replay(*[f"{p}.sigmf-meta" for p in paths], "--json")
    assert r.exit_code == 0, r.output
    objs = lines(r)
    (loc,) = [o for o in objs if o["type"] == "location"]
    truth = next(c for c in scene.cells if c.fake)
    assert (loc["arfcn"], loc["bsic"], loc["schema"]) == (64, 17, 1) and loc["n_positions"] >= 3
    assert distance_m(loc["lat_deg"], loc["lon_deg"], *truth.position) <= loc["radius_m"] < 500
    assert not [o for o in objs if o["type"] == "location" and o["arfcn"] != 64]  # normal cells are not located


@pytest.mark.slow
def test_a_drive_replayed_locates_the_fake_where_the_live_daemon_does(tmp_path):
    """Replay = live: the patrol drive's recordings (SigMF segments with its track) replayed, and the
    live daemon on the same scene (``fbs-sensor run`` with no radio: the simulated patrol drive), each
    locate the fake station by power and Doppler (the car moves at 15 m/s); each estimate falls
    inside the wider of the two 95 % regions and both regions hold the truth. (Not closer: the live
    scan's visits depend on how fast the machine receives, so on a loaded machine it fits other
    readings; that the two paths fit alike is the exact test on the daemon's own receiver output.)"""
    from sensor.gps.geodesy import distance_m
    from sensor.resources import project_dir
    from sensor.sim.output import write_drive

    scene = load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml")
    truth = next(c for c in scene.cells if c.fake)
    paths = write_drive(scene, tmp_path / "rec", segment_s=1.0, gap_s=2.0)
    r = replay(*[f"{p}.sigmf-meta" for p in paths], "--json")
    assert r.exit_code == 0, r.output
    (played,) = [o for o in lines(r) if o["type"] == "location"]
    live_run = CliRunner().invoke(
        cli, ["run", "--state-dir", str(tmp_path / "state"), "--json"], env={"XDG_CONFIG_HOME": "/nonexistent"}
    )
    assert live_run.exit_code == 0, live_run.output
    objs = [json.loads(line) for line in live_run.stdout.splitlines() if line.startswith("{")]
    (live,) = [o for o in objs if o.get("type") == "location" and o["arfcn"] == 64]
    apart = distance_m(played["lat_deg"], played["lon_deg"], live["lat_deg"], live["lon_deg"])
    assert apart <= max(played["radius_m"], live["radius_m"])
    for loc in (played, live):
        assert distance_m(loc["lat_deg"], loc["lon_deg"], *truth.position) <= loc["radius_m"] < 400


def test_a_suspect_heard_from_one_place_is_not_fitted(monkeypatch):
    """A parked car's suspect (every reading within a few metres) is refused by the fit (fewer than
    three distinct positions): ``located`` gives no location without calling it (nor importing
    its scipy), and does call it once the readings spread over more than min_separation_m."""
    import numpy as np

    import sensor.locate.reference as reference
    from sensor.cells import CellObservation
    from sensor.locate.enu import enu_from_lat_lon
    from sensor.locate.fit import locate
    from sensor.locate.model import LocateConfig
    from sensor.locate.observations import distinct_positions
    from sensor.replay.location import SPREAD_MARGIN, located, spread_m

    calls = []
    monkeypatch.setattr(reference, "locate_among", lambda target, refs: calls.append(len(target)))
    rng = np.random.default_rng(3)
    sep = LocateConfig().min_separation_m
    for width_m in (0.0, 5.0, 30.0, 44.0, 60.0, 300.0):
        lat = 31.2304 + rng.uniform(0, width_m, 40) / 111_195.0
        lon = 121.4737 + rng.uniform(0, width_m, 40) / (111_195.0 * np.cos(np.radians(31.23)))
        readings = [(a, o, -40.0 - i % 7, float(i)) for i, (a, o) in enumerate(zip(lat, lon, strict=True))]
        suspect = CellObservation(64, 17, readings=readings)
        normal = CellObservation(60, 13, readings=readings)
        calls.clear()
        spans = [(900e6, 2e6, i - 0.5, i + 0.5) for i in range(40)]  # 40 one-second recordings
        assert located([suspect, normal], [{"verdict": "fake"}, {"verdict": "normal"}], spans) == []
        spread = spread_m(readings)
        assert bool(calls) == (spread >= SPREAD_MARGIN * sep)
        e, n = enu_from_lat_lon(lat, lon, float(np.mean(lat)), float(lon[0]))
        if not calls:  # what the fit would say: one distinct position, refused
            assert distinct_positions(e, n, sep) == 1
            assert type(locate(readings)).__name__ == "Refusal"


def _live_and_replayed(tmp_path, fix=None):
    """The live daemon over the simulated patrol drive (``fbs-sensor run`` with no radio), ``fix``
    (if given) rewriting its GPS's fixes: the fake's estimate from its embedded collector
    (``Transmitter.locate``), and from the daemon's own receiver output (its scanner's cells, each
    visit as a recording: ``sensor.replay.location.locate_visits``, what ``fbs-sensor replay`` runs)."""
    from sensor.collector.transmitters import transmitters
    from sensor.daemon.runner import Daemon, DaemonConfig
    from sensor.replay.location import locate_visits
    from sensor.resources import project_dir

    scene_path = project_dir("recordings") / "scenes" / "patrol-drive.toml"
    daemon = Daemon(
        DaemonConfig(
            device=f"sim:{scene_path}", gps="sim", state_dir=tmp_path, duration_s=load_scene(scene_path).duration_s
        )
    )
    sessions = []
    opened = daemon._open
    daemon._open = lambda: sessions.append(opened()) or sessions[-1]
    if fix is not None:
        import sensor.sim.output as output

        route_fix = output.route_fix
        output.route_fix = lambda *a, **k: fix(route_fix(*a, **k))
    try:
        daemon.run()
    finally:
        if fix is not None:
            output.route_fix = route_fix
    every = transmitters(daemon.embedded.store.readings())
    daemon.close()
    (fake,) = [t for t in every if t.arfcn == 64]
    (session,) = sessions
    tunings = {t.center_hz: t.arfcns for t in session.plan.tunings}
    visits = [(v.started_s, v.started_s + v.dwell_s, tunings[v.center_hz]) for v in session.scanner.visits]
    cells = list(session.scanner.tracker.cells.values())
    verdict = {(t.arfcn, t.bsic): t.verdict for t in every}
    objects = [{"verdict": verdict.get((c.arfcn, c.bsic), "normal")} for c in cells]
    cell = session.scanner.tracker.cells[(fake.arfcn, fake.bsic)]
    return fake.locate(among=every), locate_visits(cell, cells, objects, visits, receiver=fake.readings[0].sensor)


@pytest.mark.slow
@pytest.mark.parametrize("gps", ["velocity", "no velocity", "at rest"])
def test_the_live_daemons_receiver_output_replayed_gives_the_live_estimate(tmp_path, gps):
    """Replay = live, from the same receiver output: the daemon publishes each cell's reading on a
    visit as ``sensor/locate/visits.py`` forms it, and a replay forms the same from its cells and
    recordings, so the collector's estimate and the replay's are the same number. Driving with the
    GPS's velocity (power + Doppler), with a GPS that gives no speed or course (the velocity the
    position aligner takes from successive fixes), and with one that says the car is at rest (the
    power-only fit)."""
    import dataclasses

    from sensor.gps.geodesy import distance_m
    from sensor.locate.estimate import Estimate
    from sensor.resources import project_dir

    fixes = {
        "velocity": None,
        "no velocity": lambda f: dataclasses.replace(f, speed_m_s=None, track_deg=None),
        "at rest": lambda f: dataclasses.replace(f, speed_m_s=0.0, track_deg=None),
    }
    live, played = _live_and_replayed(tmp_path, fixes[gps])
    assert isinstance(live, Estimate) and isinstance(played, Estimate), (live, played)
    assert distance_m(live.lat_deg, live.lon_deg, played.lat_deg, played.lon_deg) <= 1.0
    assert played.radius_m == pytest.approx(live.radius_m, rel=0.02) and played.method == live.method
    assert ("Doppler" in live.method) == (gps != "at rest")
    truth = next(c for c in load_scene(project_dir("recordings") / "scenes" / "patrol-drive.toml").cells if c.fake)
    assert distance_m(live.lat_deg, live.lon_deg, *truth.position) <= live.radius_m
