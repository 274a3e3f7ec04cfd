"""A suspect transmitter located among the real cells the same sensors heard (Transmitter.locate with
``among``, ``heard_alongside``, and ``fbs-sensor locate`` / ``export`` using them), on a collector
database of one synthetic drive: a fake station, six normal cells 1-3 km away and a suspicious
second carrier of the fake, all sharing the receiver-side shadowing along the drive."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.collector import exports
from sensor.collector.alongside import heard_alongside
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.transmitters import power_readings, reference_readings, transmitters
from sensor.locate.estimate import Estimate
from sensor.locate.fit import locate
from sensor.locate.reference import locate_among
from sensor.publish.envelope import make_envelope
from tests.locate.test_reference import _scene
from tests.publish.transport import cell_body

ENV = {"FBS_SENSOR_CONFIG": None, "XDG_CONFIG_HOME": "/nonexistent"}
FAKE = {"arfcn": 64, "bsic": 17, "mcc": "262", "mnc": "01", "lac": 7171, "cell_id": 29021}
SECOND = {"arfcn": 66, "bsic": 17, "mcc": "262", "mnc": "01", "lac": 7171, "cell_id": 29022}


def _envelopes():
    target, refs, _ = _scene(7, common_db=5.0)
    sets = [(FAKE, "fake", target), (SECOND, "suspicious", target + np.array([0.0, 0.0, -3.0, 0.0]))]
    sets += [
        ({"arfcn": 10 + j, "bsic": j, "mcc": "262", "mnc": "01", "lac": 1000, "cell_id": 500 + j}, "normal", r)
        for j, r in enumerate(refs)
    ]
    envs, seq = [], 0
    for ident, verdict, rows in sets:
        for lat, lon, p, t in rows:
            t_utc = datetime.fromtimestamp(1_790_000_000 + t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            position = {"lat_deg": lat, "lon_deg": lon, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}
            body = cell_body(
                0,
                **ident,
                rssi_dbfs=round(float(p), 2),
                rssi_dbm=None,
                position=position,
                t_utc=t_utc,
                verdict=verdict,
                score=0.9 if verdict != "normal" else 0.0,
            )
            envs.append(make_envelope("observation", body, sensor="car1", seq=seq))
            seq += 1
    return envs, target, refs


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("among") / "collector.sqlite"
    envs, target, refs = _envelopes()
    with SqliteStore(path) as store:
        store.save_many(envs)
    return path, target, refs


def _by_arfcn(ts, arfcn):
    return next(t for t in ts if t.arfcn == arfcn)


def test_references_are_the_normal_cells_other_than_the_target(db):
    path, _, _ = db
    with SqliteStore(path) as store:
        ts = transmitters(store.readings())
    fake, second = _by_arfcn(ts, 64), _by_arfcn(ts, 66)
    refs = reference_readings(ts, fake)
    assert len(refs) == 6  # not the fake itself, not its suspicious second carrier
    assert all(len(r) == 90 for r in refs)
    assert len(reference_readings(ts, second)) == 6
    normal = _by_arfcn(ts, 10)
    assert len(reference_readings(ts, normal)) == 5


def test_locate_among_the_cells_heard(db):
    path, target, refs = db
    with SqliteStore(path) as store:
        ts = transmitters(store.readings())
    fake = _by_arfcn(ts, 64)
    plain, among = fake.locate(), fake.locate(among=ts)
    assert isinstance(plain, Estimate) and isinstance(among, Estimate)
    assert "receiver-side shadowing" not in plain.method
    assert "from 6 real cells" in among.method
    assert (plain.lat_deg, plain.lon_deg) != (among.lat_deg, among.lon_deg)
    direct = locate_among(power_readings(fake.readings), reference_readings(ts, fake))
    assert (among.lat_deg, among.lon_deg) == (direct.lat_deg, direct.lon_deg)
    assert (plain.lat_deg, plain.lon_deg) == (
        locate(power_readings(fake.readings)).lat_deg,
        locate(power_readings(fake.readings)).lon_deg,
    )
    located = exports.locate_transmitters([fake], among=ts)
    assert located[fake.key].lat_deg == among.lat_deg


def test_heard_alongside_reads_the_other_cells_of_the_time(db):
    path, _, _ = db
    with SqliteStore(path) as store:
        chosen = transmitters(store.readings(arfcn=64))
        among = heard_alongside(store, chosen)
        assert heard_alongside(store, []) == []
    assert sorted(t.arfcn for t in among) == [10, 11, 12, 13, 14, 15, 64, 66]


def test_locate_command_uses_the_cells_heard_alongside(db):
    path, _, _ = db
    with SqliteStore(path) as store:
        ts = transmitters(store.readings())
    expected = _by_arfcn(ts, 64).locate(among=ts)
    res = CliRunner().invoke(cli, ["locate", "--db", str(path), "--arfcn", "64", "--json"], env=ENV)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout.splitlines()[0])
    assert obj["type"] == "location"
    assert (obj["lat_deg"], obj["lon_deg"]) == (round(expected.lat_deg, 7), round(expected.lon_deg, 7))


def test_export_uses_the_cells_heard_alongside(db, tmp_path):
    path, _, _ = db
    with SqliteStore(path) as store:
        ts = transmitters(store.readings())
    expected = _by_arfcn(ts, 64).locate(among=ts)
    out = tmp_path / "fake.geojson"
    res = CliRunner().invoke(
        cli, ["export", "--db", str(path), "--arfcn", "64", "--format", "geojson", "--out", str(out)], env=ENV
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    points = [f for f in doc["features"] if f["properties"].get("feature") == "transmitter"]
    assert points, doc["features"][0]["properties"]
    lon, lat = points[0]["geometry"]["coordinates"]
    assert abs(lat - expected.lat_deg) < 1e-6 and abs(lon - expected.lon_deg) < 1e-6


def test_dashboard_locates_suspects_among_the_cells_heard(db):
    from sensor.collector.dashboard import Dashboard

    path, _, _ = db
    with SqliteStore(path) as store:
        ts = transmitters(store.readings())
        expected = _by_arfcn(ts, 64).locate(among=ts)
        views = {v["arfcn"]: v for v in Dashboard(store, "127.0.0.1", 0).api_transmitters()["transmitters"]}
    assert (views[64]["estimate"]["lat"], views[64]["estimate"]["lon"]) == (expected.lat_deg, expected.lon_deg)
    assert views[64]["estimate"]["n_positions"] == expected.n_positions
    assert views[10]["verdict"] == "normal" and views[10]["n_readings"] == 90
    assert (views[10]["estimate"], views[10]["refusal"]) == (None, None)  # real cells: not located by the dashboard


def test_dashboard_keeps_clones_and_unknown_bsics_apart(tmp_path):
    """A clone of the fake's identity in another LAC, and a reading of its carrier with no BSIC, are
    transmitters of their own: neither lends its readings to the fake's fit."""
    from sensor.collector.dashboard import Dashboard

    envs, _, _ = _envelopes()
    fake_rows = [e for e in envs if e["body"]["arfcn"] == 64]
    extra = []
    for k, changes in enumerate([{"lac": 7172}, {"lac": 7172}, {"bsic": None}]):
        body = dict(fake_rows[k]["body"], **changes)
        extra.append(make_envelope("observation", body, sensor="car1", seq=len(envs) + k))
    with SqliteStore(tmp_path / "plain.sqlite") as store:
        store.save_many(envs)
        alone = Dashboard(store, "127.0.0.1", 0).api_transmitters()["transmitters"]
    with SqliteStore(tmp_path / "c.sqlite") as store:
        store.save_many(envs + extra)
        views = Dashboard(store, "127.0.0.1", 0).api_transmitters()["transmitters"]
    of_64 = {(v["lac"], v["bsic"]): v for v in views if v["arfcn"] == 64}
    assert set(of_64) == {(7171, 17), (7172, 17), (7171, None)}
    assert of_64[7171, 17]["n_readings"] == 90
    assert of_64[7171, 17]["estimate"] == next(v for v in alone if v["arfcn"] == 64)["estimate"]
    assert of_64[7172, 17]["n_readings"] == 2 and of_64[7172, 17]["refusal"]["n_positions"] <= 2
    assert of_64[7171, None]["n_readings"] == 1 and of_64[7171, None]["refusal"]["n_positions"] == 1


def test_heard_alongside_only_what_the_same_sensors_heard_then(tmp_path):
    position = {"lat_deg": 48.1, "lon_deg": 11.5, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}

    def obs(arfcn, sensor, second, seq, verdict="normal"):
        t = f"2026-11-25T10:{second // 60:02d}:{second % 60:02d}.000Z"
        return make_envelope("observation", cell_body(0, arfcn=arfcn, bsic=1, cell_id=arfcn, position=position, t_utc=t,
                                                      verdict=verdict), sensor=sensor, seq=seq)  # fmt: skip

    envs = [
        obs(64, "car1", 100, 0, "fake"),
        obs(64, "car1", 110, 1, "fake"),
        obs(10, "car1", 95, 2),
        obs(11, "car1", 121, 3),  # car1's scans around its readings of the fake
        obs(12, "car2", 100, 4),  # another car at the same time: not car1's surroundings
        obs(13, "car1", 200, 5),
        obs(14, "car1", 80, 6),
    ]  # car1 long before / after
    with SqliteStore(tmp_path / "c.sqlite") as store:
        store.save_many(envs)
        chosen = [t for t in transmitters(store.readings()) if t.arfcn == 64]
        assert sorted(t.arfcn for t in heard_alongside(store, chosen)) == [10, 11, 64]
        assert [t.arfcn for t in heard_alongside(store, chosen, margin_s=3.0)] == [64]


# --------------------------------------------------------------------------- one row per transmitter


def _reading_env(seq: int, sensor: str, second: int, **ident):
    body = cell_body(0, **ident, t_utc=f"2026-12-07T10:{second // 60:02d}:{second % 60:02d}.000Z")
    return make_envelope("observation", body, sensor=sensor, seq=seq)


CELL = {"arfcn": 93, "bsic": 56, "mcc": "460", "mnc": "01", "lac": 9507, "cell_id": 3301}
BEFORE_SI3 = dict(CELL, cell_id=None)  # "460-01 LAC 9507 CI ?": heard before its SI3 was decoded


def test_a_cell_heard_before_its_si3_is_one_transmitter_with_itself_afterwards(tmp_path):
    from sensor.collector.dashboard import Dashboard

    envs = [_reading_env(0, "car1", 0, **BEFORE_SI3), _reading_env(1, "car1", 1, **BEFORE_SI3)]
    envs += [_reading_env(2 + k, "car1", 2 + k, **CELL) for k in range(3)]
    with SqliteStore(tmp_path / "c.sqlite") as store:
        store.save_many(envs)
        ts = transmitters(store.readings())
        views = Dashboard(store, "127.0.0.1", 0).api_transmitters()["transmitters"]
    assert len(ts) == 1 and ts[0].cell_id == 3301 and len(ts[0].readings) == 5
    assert [r.time_utc for r in ts[0].readings] == sorted(r.time_utc for r in ts[0].readings)
    assert len(views) == 1 and views[0]["cell_id"] == 3301 and views[0]["n_readings"] == 5
    assert views[0]["first_seen_utc"] == "2026-12-07T10:00:00.000000Z"


@pytest.mark.parametrize(
    "partial_sensor, second, other",
    [
        ("car2", 1, None),  # another sensor heard the partial identity: not known to be the same cell
        ("car1", 1800, None),  # half an hour apart: another scan
        ("car1", 1, dict(CELL, cell_id=3302)),  # two cells complete it (a clone): which one is unknown
    ],
)
def test_a_partial_identity_stays_apart_unless_one_cell_completes_it(tmp_path, partial_sensor, second, other):
    envs = [_reading_env(0, "car1", 0, **CELL), _reading_env(1, partial_sensor, second, **BEFORE_SI3)]
    if other is not None:
        envs.append(_reading_env(2, "car1", 2, **other))
    with SqliteStore(tmp_path / "c.sqlite") as store:
        store.save_many(envs)
        ts = transmitters(store.readings())
    assert any(t.cell_id is None for t in ts) and len(ts) == (3 if other else 2)


def test_merge_needs_the_operator_and_every_known_field_to_agree():
    from sensor.collector.transmitters import completes

    full = ("460", "01", 9507, 3301, 93, 56)
    assert completes(("460", "01", 9507, None, 93, 56), full)
    assert completes(("460", "01", None, None, 93, 56), full)
    assert not completes((None, None, None, None, 93, 56), full)  # no operator
    assert not completes(("460", "01", 9508, None, 93, 56), full)  # another LAC
    assert not completes(("460", "00", 9507, None, 93, 56), full)  # another operator
    assert not completes(("460", "01", 9507, None, 93, None), ("460", "01", 9507, 3301, 93, None))  # no BSIC
    assert not completes(full, full)


# --------------------------------------------------------------------------- power and Doppler


def _stored(
    rows: np.ndarray, ident: dict, verdict: str, sensor: str = "car1", *, is_reference: bool = False, body=None
):
    from sensor.collector.rows import Reading

    out = []
    for i, r in enumerate(rows):
        lat, lon, p, t, f, sd, v, h = (r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8]) if not is_reference else (
            r[0], r[1], -70.0, r[2], r[3], r[4], r[5], r[6])  # fmt: skip
        utc = datetime.fromtimestamp(1796637600.0 + t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        out.append(
            Reading(f"{ident['arfcn']}-{i}", sensor, "observation", utc, ident["arfcn"], ident["bsic"], ident["mcc"],
                    ident["mnc"], ident["lac"], ident["cell_id"], float(lat), float(lon), None, float(p), None, None,
                    verdict, None, body or {}, float(f), float(sd), float(v), float(h))
        )  # fmt: skip
    return out


def test_a_moving_sensors_carriers_locate_by_power_and_doppler():
    """Readings stored with the carrier and the velocity (schema migration 4): Transmitter.locate is the
    joint fit of them, with the real cells alongside for the receiver's drift; parked, as before."""
    from sensor.collector.transmitters import joint_references, joint_rows
    from sensor.locate.joint import locate_joint
    from tests.locate.test_joint import _reference_rows, drive, error_m, suspect_rows

    rng = np.random.default_rng(8)
    tx = np.array([-150.0, 250.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 500.0), (-400.0, 500.0)], 25.0)
    t = np.arange(len(xy)) * 2.5
    rx_hz = np.cumsum(rng.normal(0.0, 1.0, len(xy)))
    rows = suspect_rows(rng, xy, heading, tx, 10.0, rx_hz, t)
    sites = [np.array([2000.0, 300.0]), np.array([-1500.0, -1200.0]), np.array([300.0, 2600.0])]
    refs = _reference_rows(rng, xy, heading, 10.0, rx_hz, t, sites)
    readings = _stored(rows, FAKE, "fake")
    for j in range(len(sites)):
        ident = {"arfcn": 10 + j, "bsic": j, "mcc": "262", "mnc": "01", "lac": 1000, "cell_id": 500 + j}
        readings += _stored(refs[refs[:, 8] == j], ident, "normal", is_reference=True)
    every = transmitters(readings)
    (fake,) = [t for t in every if t.arfcn == 64]
    est = fake.locate(among=every)
    assert isinstance(est, Estimate) and "joint power + Doppler" in est.method and "from 3 real cell(s)" in est.method
    assert error_m(est, tx) < 25.0
    assert est == locate_joint(joint_rows(fake.readings), joint_references(every, fake))
    assert np.allclose(joint_rows(fake.readings)[:, [2, 5, 6, 7, 8]], rows[:, [2, 5, 6, 7, 8]])
    parked = transmitters(_stored(np.column_stack((rows[:, :7], np.zeros(len(rows)), rows[:, 8:])), FAKE, "fake"))
    assert parked[0].locate() == locate(power_readings(parked[0].readings))


def test_visits_that_searched_the_suspects_arfcn_without_hearing_it_are_censored_readings():
    """The daemon lists each visit's searched ARFCNs in its observations; a visit of the suspect's
    sensor that searched ARFCN 64 and published no reading of it is a censored reading there."""
    from sensor.collector.transmitters import joint_missed
    from tests.locate.test_joint import drive, suspect_rows

    rng = np.random.default_rng(8)
    tx = np.array([-150.0, 250.0])
    xy, heading = drive([(0.0, 0.0), (0.0, 500.0), (-400.0, 500.0)], 25.0)
    rows = suspect_rows(rng, xy, heading, tx, 10.0, np.zeros(len(xy)), np.arange(len(xy)) * 2.5)
    real = {"arfcn": 10, "bsic": 1, "mcc": "262", "mnc": "01", "lac": 1000, "cell_id": 501}
    searched = {"searched_arfcns": [10, 64, 66]}
    along = _stored(rows, real, "normal", body=searched)  # the same visits: the fake was heard on them
    south = rows[:8].copy()  # 8 more visits on a street 400 m south, 1000 s later: the fake not heard
    south[:, 0] -= 400.0 / 111_195.0
    south[:, 3] += 1000.0
    away = _stored(south, real, "normal", body=searched)
    elsewhere = _stored(
        south[:3] + np.array([0, 0, 0, 5.0, 0, 0, 0, 0, 0, 0]), real, "normal", body={"searched_arfcns": [10]}
    )
    every = transmitters(_stored(rows, FAKE, "fake") + along + away + elsewhere)
    (fake,) = [t for t in every if t.arfcn == 64]
    missed = joint_missed(every, fake)
    assert len(missed) == 8 and np.allclose(missed[:, 0], south[:, 0]) and np.all(missed[:, 3] == missed[0, 3])
    assert missed[0, 3] == min(r.rssi_dbm for t in every for r in t.readings)
    est = fake.locate(among=every)
    assert isinstance(est, Estimate) and "8 censored" in est.method
