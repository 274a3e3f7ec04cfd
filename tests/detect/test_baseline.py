"""The area baseline: learning, OpenCellID import, lookups by area; geohash."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sensor.cli import cli
from sensor.detect.baseline import Baseline
from sensor.errors import InputError
from sensor.gps import geohash

SHANGHAI = {"lat_deg": 31.2304, "lon_deg": 121.4737}
BEIJING = {"lat_deg": 39.9042, "lon_deg": 116.4074}
HEADER = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal\n"


def test_geohash_known_values_and_neighbours():
    assert geohash.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"  # the example of geohash.org
    lat_lo, lat_hi, lon_lo, lon_hi = geohash.decode_box("u4pruydqqvj")
    assert lat_lo <= 57.64911 <= lat_hi and lon_lo <= 10.40744 <= lon_hi
    around = geohash.with_neighbours(31.2304, 121.4737)
    assert len(around) == 9 and geohash.encode(31.2304, 121.4737) in around
    assert geohash.encode(31.2304 + 0.05, 121.4737) in around  # ~5.5 km north is a neighbour cell
    with pytest.raises(ValueError):
        geohash.encode(91.0, 0.0)


def obj(ci: int, arfcn: int = 62, verdict: str = "normal", **kw) -> dict:
    return {
        "mcc": "460",
        "mnc": "00",
        "lac": 6170,
        "cell_id": ci,
        "arfcn": arfcn,
        "bsic": 13,
        "verdict": verdict,
        "params": {"t3212_min": 60, "cro_db": 4},
        "rssi_dbm": kw.get("rssi_dbm"),
        "rssi_dbfs": -30.0,
    }


def test_learning_is_per_area_and_skips_fakes_and_unknown_positions(tmp_path):
    with Baseline(tmp_path / "b.sqlite") as b:
        assert b.learn(obj(1), SHANGHAI)
        assert not b.learn(obj(2, verdict="fake"), SHANGHAI)
        assert not b.learn(obj(3), None)
        assert b.learn(obj(1, rssi_dbm=-70.0), SHANGHAI) and b.learn(obj(1, rssi_dbm=-60.0), SHANGHAI)
        ident = ("460", "00", 6170, 1)
        assert b.knows(ident, SHANGHAI) and not b.knows(ident, BEIJING)
        assert not b.knows(("460", "00", 6170, 2), SHANGHAI)
        assert b.carriers_of(ident, SHANGHAI) == {(62, 13)} and b.arfcns_near(SHANGHAI) == {62}
        assert b.has_area(SHANGHAI) and not b.has_area(BEIJING) and not b.has_area(None)
        assert b.max_rssi_dbm(ident, SHANGHAI) == -60.0
        (row,) = b.rows()
        assert row["n"] == 3 and row["t3212_min_lo"] == 60
    with Baseline(tmp_path / "b.sqlite") as again:  # persisted
        assert again.count() == 1


def test_opencellid_import(tmp_path):
    csv = tmp_path / "cell_towers.csv"
    csv.write_text(
        HEADER
        + "GSM,460,0,6170,21101,,121.4712,31.2338,1000,12,1,1459692453,1500000000,0\n"
        + "GSM,460,1,9507,3301,,121.4701,31.2262,1500,3,1,1459692453,1500000000,-80\n"
        + "UMTS,460,1,9507,123456,100,121.47,31.22,1000,3,1,1459692453,1500000000,0\n"
        + "GSM,262,2,318,11225,,13.40,52.52,2000,5,1,1459692453,1500000000,0\n"
        + "GSM,460,0,oops,1,,121.47,31.22,1000,3,1,1,1,0\n"
    )
    with Baseline(tmp_path / "b.sqlite") as b:
        assert b.import_opencellid(csv, mcc="460") == (2, 3)
        assert b.knows(("460", "00", 6170, 21101), SHANGHAI) and b.knows(("460", "01", 9507, 3301), SHANGHAI)
        assert b.carriers_of(("460", "00", 6170, 21101), SHANGHAI) == set()  # OpenCellID has no ARFCN for GSM
        assert b.import_opencellid(csv, mcc="460") == (0, 3)  # idempotent


def test_opencellid_import_rejects_other_files(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with Baseline(":memory:") as b, pytest.raises(InputError, match="not an OpenCellID"):
        b.import_opencellid(bad)
    with Baseline(":memory:") as b, pytest.raises(InputError, match="cannot read"):
        b.import_opencellid(tmp_path / "missing.csv")


def test_baseline_commands(tmp_path):
    csv = tmp_path / "cell_towers.csv"
    csv.write_text(HEADER + "GSM,460,0,6170,21101,,121.4712,31.2338,1000,12,1,1459692453,1500000000,0\n")
    db = str(tmp_path / "b.sqlite")
    r = CliRunner().invoke(cli, ["baseline", "import", "opencellid", str(csv), "--db", db])
    assert r.exit_code == 0 and "imported 1 GSM cells" in r.output
    r = CliRunner().invoke(cli, ["baseline", "show", "--db", db, "--near", "31.23,121.47"])
    assert r.exit_code == 0 and "21101" in r.output
    r = CliRunner().invoke(cli, ["baseline", "import", "opencellid", str(tmp_path / "nope.csv"), "--db", db])
    assert r.exit_code == 2 and "cannot read" in r.output and "Traceback" not in r.output
    notdb = tmp_path / "notdb.sqlite"
    notdb.write_text("this is not a database\n" * 100)
    r = CliRunner().invoke(cli, ["baseline", "show", "--db", str(notdb)])
    assert r.exit_code == 2 and "cannot open the baseline database" in r.output
