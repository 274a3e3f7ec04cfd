"""``fbs-sensor export --format stix`` and the CSV block lists, on the located fake of
``test_exports`` plus SMS it pushed: the bundle parses back with ``stix2`` and validates with
``stix2-validator``; patterns carry hostile link spellings exactly; the fake is an infrastructure
located where the collector put it; official numbers and domains are never listed; block-list
cells are protected from formula injection and read back to the values."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensor.collector import exports
from sensor.collector.csvsafe import csv_text, protect, unprotect
from sensor.collector.sqlite_store import SqliteStore
from sensor.intel.enrich import enrich_sms
from sensor.publish.envelope import make_envelope
from tests.collector.test_exports import FAKE, TRUE_LAT, TRUE_LON, _distance_m, _envelopes, one_line_error, run
from tests.publish.transport import sms_body

stix2 = pytest.importorskip("stix2")

QUOTED_URL = "http://icbc-jf.example/a'b"  # a quote: the pattern must escape it
TEXTS = [  # (sensor, identity known, text)
    ("car1", True, f"【工商银行】积分清零，登录 {QUOTED_URL} 兑换，或致电 13800138000；官方 95588 icbc.com.cn"),
    ("car2", True, f"【工商银行】积分清零，登录 {QUOTED_URL} 兑换，或致电 13800138000；官方 95588 icbc.com.cn"),
    ("car2", False, '=HYPERLINK("http://evil.example/x","点我") 请加 QQ 或致电 400-123-4567'),
]
OTHER_CELL_TEXT = "this SMS came from a normal cell: http://not-listed.example/"


def _sms_envelopes(start_seq: int) -> list[dict]:
    envs = []
    for i, (sensor, known, text) in enumerate(TEXTS):
        ident = (
            {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
            if known
            else dict.fromkeys(("mcc", "mnc", "lac", "cell_id"))
        )
        body = enrich_sms(sms_body(i, arfcn=64, bsic=17, text=text, sender="95588",
                                   t_utc=f"2026-11-25T10:0{i}:30.000Z", **ident))  # fmt: skip
        envs.append(make_envelope("sms", body, sensor=sensor, seq=start_seq + i))
    other = enrich_sms(sms_body(9, arfcn=10, bsic=3, text=OTHER_CELL_TEXT, mcc="262", mnc="01", lac=1005, cell_id=5))
    envs.append(make_envelope("sms", other, sensor="car1", seq=start_seq + len(TEXTS)))
    return envs


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("stix") / "collector.sqlite"
    envs = _envelopes()
    with SqliteStore(path) as store:
        store.save_many(envs + _sms_envelopes(len(envs)))
    return path


@pytest.fixture(scope="module")
def bundle_text(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("stix-out") / "fake.stix.json"
    r = run("export", "--db", str(db), "--format", "stix", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "3 official number(s)/domain(s) held back" in r.stderr and "1 SMS of unselected" in r.stderr, r.stderr
    return out.read_text(encoding="utf-8")


def _by_type(bundle) -> dict[str, list]:
    out: dict[str, list] = {}
    for o in bundle.objects:
        out.setdefault(o.type, []).append(o)
    return out


def _literal(pattern: str) -> tuple[str, str]:
    """(object type, value) of a ``[type:value = '...']`` pattern, the literal unescaped."""
    m = re.fullmatch(r"\[([a-z0-9-]+):value = '((?:[^'\\]|\\.)*)'\]", pattern)
    assert m, pattern
    return m.group(1), re.sub(r"\\(.)", r"\1", m.group(2))


def test_the_bundle_parses_back_and_validates(bundle_text):
    from stix2validator import ValidationOptions, validate_string

    parsed = stix2.parse(bundle_text, allow_custom=False)
    assert json.loads(parsed.serialize()) == json.loads(bundle_text)  # the round trip loses nothing
    result = validate_string(bundle_text, ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, [str(e) for e in result.errors]


def test_indicators_carry_the_values_and_hold_back_the_official_ones(bundle_text):
    objects = _by_type(stix2.parse(bundle_text))
    values = {_literal(i.pattern) for i in objects["indicator"]}
    assert values == {
        ("url", QUOTED_URL),
        ("domain-name", "icbc-jf.example"),
        ("x-phone-number", "+8613800138000"),
        ("url", "http://evil.example/x"),
        ("domain-name", "evil.example"),
        ("x-phone-number", "+864001234567"),
    }  # fmt: skip — 95588, icbc.com.cn and a link to it (ICBC's own) are not indicators
    (ext,) = objects["extension-definition"]
    assert ext.name == "x-phone-number" and ext.extension_types == ["new-sco"]
    sightings = {s.sighting_of_ref: s for s in objects["sighting"]}
    url = next(i for i in objects["indicator"] if _literal(i.pattern) == ("url", QUOTED_URL))
    assert sightings[url.id].count == 2 and len(sightings[url.id].where_sighted_refs) == 2  # car1, car2
    assert url.valid_from == exports.parse_utc("2026-11-25T10:00:30Z")
    assert all(s.count >= 1 for s in objects["sighting"])


def test_the_fake_is_an_infrastructure_located_where_the_collector_put_it(bundle_text):
    objects = _by_type(stix2.parse(bundle_text))
    (infra,) = objects["infrastructure"]  # the normal cell is not selected
    assert infra.infrastructure_types == ["phishing"] and "ARFCN 64 BSIC 17" in infra.name
    (loc,) = objects["location"]
    assert _distance_m(loc.latitude, loc.longitude, TRUE_LAT, TRUE_LON) < loc.precision
    rels = {(r.relationship_type, r.source_ref, r.target_ref) for r in objects["relationship"]}
    assert ("located-at", infra.id, loc.id) in rels
    assert {(t, s) for t, s, d in rels if d == infra.id} == {("indicates", i.id) for i in objects["indicator"]}
    seen = next(s for s in objects["sighting"] if s.sighting_of_ref == infra.id)
    assert seen.count == 13  # 12 observations and the detection without a position


def test_notes_hold_the_texts_exactly(bundle_text):
    notes = _by_type(stix2.parse(bundle_text))["note"]
    assert sorted(n.content for n in notes) == sorted({t for _, _, t in TEXTS})
    formula = next(n for n in notes if n.content.startswith("=HYPERLINK"))
    assert formula.abstract.startswith("SMS from 95588 (1×")


def test_ids_are_stable_across_exports(db, bundle_text, tmp_path):
    out = tmp_path / "again.json"
    assert run("export", "--db", str(db), "--format", "stix", "--out", str(out)).exit_code == 0
    first, again = json.loads(bundle_text), json.loads(out.read_text())
    assert sorted(o["id"] for o in first["objects"]) == sorted(o["id"] for o in again["objects"])


def _read_csv(path) -> list[dict[str, str]]:
    return [{k: unprotect(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(path.read_text()))]


@pytest.mark.parametrize(
    ("name", "column", "expected", "twice"),
    [
        ("urls", "url", [QUOTED_URL, "http://evil.example/x"], QUOTED_URL),
        ("domains", "domain", ["evil.example", "icbc-jf.example"], "icbc-jf.example"),
        ("numbers", "number", ["+8613800138000", "+864001234567"], "+8613800138000"),
    ],
)
def test_block_lists(db, tmp_path, name, column, expected, twice):
    out = tmp_path / f"{name}.csv"
    r = run("export", "--db", str(db), "--format", f"blocklist-{name}", "--out", str(out))
    assert r.exit_code == 0, r.output
    rows = _read_csv(out)
    assert sorted(row[column] for row in rows) == sorted(expected)
    first = next(row for row in rows if row[column] == twice)  # the value two SMS carried
    assert first["sms"] == "2" and first["sensors"] == "car1; car2" and first["categories"]
    assert first["first_seen_utc"] < first["last_seen_utc"]
    assert first["stations"] == "ARFCN 64 BSIC 17 262-01-7171-29021"
    raw = out.read_text()
    if name == "numbers":  # E.164's "+" would start a formula: guarded, and the digits column needs no guard
        assert "'+8613800138000" in raw and all(row["digits"] == row["number"][1:] for row in rows)
    if name == "urls":
        assert {row["defanged"] for row in rows} >= {"hxxp://evil[.]example/x"}
        assert any("=HYPERLINK" not in row["as_written"] for row in rows)
    assert not any(line.startswith(("=", "+", "-", "@")) for cell in csv.reader(io.StringIO(raw)) for line in cell)


def test_the_normal_cell_is_included_only_when_asked(db, tmp_path):
    out = tmp_path / "all.csv"
    assert (
        run("export", "--db", str(db), "--format", "blocklist-urls", "--verdict", "normal", "--out", str(out)).exit_code
        == 0
    )
    assert "http://not-listed.example/" in [row["url"] for row in _read_csv(out)]


def test_without_stix2_one_line_error(db, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "stix2", None)
    one_line_error(run("export", "--db", str(db), "--format", "stix", "--out", str(tmp_path / "x.json")),
                   "pip install 'fbs-sensor[stix]'")  # fmt: skip


@pytest.mark.parametrize(
    "cell", ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "\t=x", "\r=x", "'=x", "a=b", "", "x"]
)
def test_formula_starts_are_guarded(cell):
    written = protect(cell)
    assert not str(written).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unprotect(written) == cell


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_any_text_round_trips_through_the_guarded_csv(cells):
    text = csv_text([cells], [f"c{i}" for i in range(len(cells))])
    (row,) = list(csv.reader(io.StringIO(text)))[1:]
    assert [unprotect(c) for c in row] == cells
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in row)


@pytest.mark.parametrize("value", ["a'b", "a\\b", "\\'", "'; DROP", "x] OR [url:value = 'y"])
def test_pattern_literals_escape_quote_and_backslash(value):
    from sensor.collector.stix import pattern

    ind = stix2.v21.Indicator(pattern=pattern("url", value), pattern_type="stix", valid_from="2026-12-07T00:00:00Z")
    assert _literal(stix2.parse(ind.serialize()).pattern) == ("url", value)


def test_nothing_selected_is_a_valid_bundle_of_the_producer_alone(db, tmp_path):
    from stix2validator import ValidationOptions, validate_string

    out = tmp_path / "none.json"
    r = run("export", "--db", str(db), "--format", "stix", "--arfcn", "500", "--out", str(out))
    assert r.exit_code == 0 and "0 station(s), 0 indicator(s)" in r.stderr, r.output
    assert [o.type for o in stix2.parse(out.read_text()).objects] == ["identity"]
    assert validate_string(out.read_text(), ValidationOptions(version="2.1", strict=True)).is_valid
