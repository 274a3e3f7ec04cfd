"""The cells heard alongside a suspect, read afresh (``heard_alongside``) and kept live between the
dashboard's refreshes (``LiveSuspects``, fed by ``live.StoredSince`` beside ``live.LiveSummaries``):
after every batch stored, the live copy equals a full read: the transmitter summaries, the
suspects' readings in order, the transmitters alongside each with the same readings, the reasons
of the gravest latest reading; and a refresh reads only what is new."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pytest

from sensor.collector.alongside import LiveSuspects, Window, heard_alongside, windows
from sensor.collector.live import LiveSummaries, StoredSince
from sensor.collector.sqlite_store import SqliteStore
from sensor.collector.transmitters import Transmitter, gravest, transmitters
from sensor.publish.envelope import make_envelope
from tests.publish.transport import cell_body

IDENTS = [{"arfcn": 10 + k, "bsic": k, "mcc": "460", "mnc": "00", "lac": 6170, "cell_id": 100 + k} for k in range(8)]
IDENTS.append({**IDENTS[0], "lac": 6171})  # a clone of cell 0's identity in another LAC
IDENTS.append({**IDENTS[1], "bsic": None})  # cell 1's carrier with no BSIC decoded


def _drive(seed: int, n: int) -> list[dict]:
    """``n`` envelopes of cars driving random walks, each hearing the cells around; cell 0 fake
    throughout, cell 2 flagged only from the middle on (a suspect appearing), the clone suspicious;
    a third car and a new transmitter from the middle on; times mostly in order, some sent late
    (store and forward after a gap)."""
    rng = random.Random(seed)
    pos = {f"car{k}": [31.23 + 0.01 * k, 121.47] for k in range(3)}
    clock = dict.fromkeys(pos, 1790000000.0)
    seq = dict.fromkeys(pos, 0)
    out = []
    for i in range(n):
        late_half = i > n // 2
        car = rng.choice(sorted(pos) if late_half else ["car0", "car1"])  # car2 joins halfway
        clock[car] += rng.uniform(0.5, 4.0)
        pos[car][0] += rng.gauss(0, 0.0002)
        pos[car][1] += rng.gauss(0, 0.0002)
        k = rng.randrange(len(IDENTS) if late_half else len(IDENTS) - 1)  # the BSIC-less one heard late only
        verdict = "normal"
        if k == 0 or (k == 2 and late_half):
            verdict = "fake"
        elif k == 8:
            verdict = "suspicious"
        t = clock[car] - (rng.uniform(30, 300) if rng.random() < 0.05 else 0.0)
        position = None if rng.random() < 0.05 else {"lat_deg": pos[car][0], "lon_deg": pos[car][1], "alt_m": None,
                                                     "fix": "3d", "hdop": 1.0, "age_s": 0.1}  # fmt: skip
        reasons = [{"rule": "lac_mismatch", "weight": 0.6, "detail": f"reading {i}"}] if verdict != "normal" else []
        body = cell_body(0, **IDENTS[k], position=position, verdict=verdict, reasons=reasons,
                         t_utc=datetime.fromtimestamp(t, tz=UTC).isoformat(timespec="microseconds")
                         .replace("+00:00", "Z"),
                         rssi_dbfs=round(rng.uniform(-80, -30), 1))  # fmt: skip
        seq[car] += 1
        out.append(make_envelope("observation", body, sensor=car, seq=seq[car]))
    return out


def _ids(ts: list[Transmitter]) -> dict:
    return {t.key: [r.message_id for r in t.readings] for t in ts}


def _suspect_keys(store) -> list:
    return [s.key for s in store.transmitter_summaries() if gravest(s.verdicts) != "normal"]


class Live:
    """The dashboard's live state: what was stored since, the summaries and the suspects."""

    def __init__(self, store) -> None:
        self.since = StoredSince(store)
        self.summaries = LiveSummaries(self.since)
        self.suspects = LiveSuspects(store)

    def refresh(self):
        new = self.since.read()
        summaries = self.summaries.refresh(new)
        keys = [s.key for s in summaries if gravest(s.verdicts) != "normal"]
        return summaries, self.suspects.refresh(keys, new)


def check_live_equals_a_full_read(store) -> None:
    envs = _drive(3, 900)
    live = Live(store)
    cuts = [0, 200, 201, 450, 451, 452, 700, 900]
    seen_keys = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        store.save_many(envs[a:b])
        summaries, got = live.refresh()
        assert sorted(summaries, key=lambda s: repr(s.key)) == sorted(
            store.transmitter_summaries(), key=lambda s: repr(s.key)
        )
        keys = _suspect_keys(store)
        everyone = {t.key: t for t in transmitters(store.readings())}
        assert set(got) == set(keys)
        for key in keys:
            full = everyone[key]
            assert [r.message_id for r in got[key].transmitter.readings] == [r.message_id for r in full.readings]
            assert _ids(got[key].among) == _ids(heard_alongside(store, [full]))
            assert got[key].reasons == full.reasons()
        seen_keys |= set(keys)
    assert len(seen_keys) == 3  # the fake, the clone, and cell 2 once it turned
    assert any(len(got[k].among) > 3 for k in got)  # real cells alongside, not only the suspects


@pytest.fixture
def store(tmp_path):
    with SqliteStore(tmp_path / "c.sqlite") as s:
        yield s


def test_live_suspects_equal_a_full_read_after_every_batch(store):
    check_live_equals_a_full_read(store)


def test_a_refresh_with_nothing_new_reads_one_query_and_one_new_reading_few(store):
    envs = _drive(5, 600)
    store.save_many(envs[:-1])
    live = Live(store)
    live.refresh()
    queries = lambda: live.since.queries + live.suspects.queries  # noqa: E731
    before = queries()
    live.refresh()
    assert queries() - before == 1  # what is new since: nothing
    windows_read = sum(len(ws) for s in live.suspects._suspects.values() for ws in s.windows.values())
    assert windows_read > 20
    before = queries()
    store.save_many(envs[-1:])
    live.refresh()
    assert queries() - before <= 4  # the delta, a reshaped window or two, a reasons body


def test_windows_merge_what_overlaps_and_box_what_was_heard():
    def reading(sensor, second, lat, lon):
        t = f"2026-11-25T10:{second // 60:02d}:{second % 60:02d}.000000Z"
        return make_reading(sensor, t, lat, lon)

    t = Transmitter(64, 1, "460", "00", 1, 1, [reading("car1", 100, 31.0, 121.0), reading("car1", 110, 31.001, 121.0),
                                               reading("car1", 200, 31.0, 121.0), reading("car2", 100, 31.0, 121.0),
                                               reading("car1", 300, None, None)])  # fmt: skip
    ws = windows(t, "car1", margin_s=12.0, margin_deg=0.0005)
    assert [(w.since_utc, w.until_utc) for w in ws] == [
        ("2026-11-25T10:01:27.000000Z", "2026-11-25T10:02:03.000000Z"),
        ("2026-11-25T10:03:07.000000Z", "2026-11-25T10:03:33.000000Z"),
    ]
    assert ws[0].box == pytest.approx((30.9995, 120.9995, 31.0015, 121.0005))
    assert ws[0].holds(reading("car1", 120, 31.0012, 121.0004))
    assert not ws[0].holds(reading("car2", 120, 31.0, 121.0))  # another sensor
    assert not ws[0].holds(reading("car1", 130, 31.0, 121.0))  # after the window
    assert not ws[0].holds(reading("car1", 120, 31.002, 121.0))  # outside the box
    assert not ws[0].holds(reading("car1", 120, None, None))
    assert isinstance(ws[0], Window)


def test_a_reading_in_two_windows_padding_reaches_both(store):
    """Windows 25 s apart overlap by their 1 s padding: a reading stored later in that overlap is
    added to both, as a full read finds it in both."""

    def env(arfcn, second, seq, verdict="normal"):
        t = f"2026-11-25T10:{second // 60:02d}:{second % 60:02d}.500000Z"
        position = {"lat_deg": 31.0, "lon_deg": 121.0, "alt_m": None, "fix": "3d", "hdop": 1.0, "age_s": 0.1}
        return make_envelope("observation", cell_body(0, arfcn=arfcn, bsic=1, cell_id=arfcn, position=position, t_utc=t,
                                                      verdict=verdict), sensor="car1", seq=seq)  # fmt: skip

    store.save_many([env(64, 100, 1, "fake"), env(64, 125, 2, "fake")])  # windows 88-112 and 113-137, padded by 1 s
    live = Live(store)
    (key,) = _suspect_keys(store)
    s = live.refresh()[1][key]
    assert len(live.suspects._suspects[key].windows["car1"]) == 2
    store.save_many([make_envelope("observation", {**env(10, 112, 3)["body"], "t_utc": "2026-11-25T10:01:52.700000Z"},
                                   sensor="car1", seq=3)])  # fmt: skip
    s = live.refresh()[1][key]
    assert sorted(t.arfcn for t in s.among) == [10, 64]
    held = [len(h) for h in live.suspects._suspects[key].windows["car1"].values()]
    assert held == [2, 2]  # the suspect's own reading and the new one, in each
    with pytest.raises(ValueError):
        LiveSuspects(None, margin_s=0.5)  # type: ignore[arg-type]


def make_reading(sensor, t, lat, lon):
    from sensor.collector.rows import Reading

    return Reading(message_id=f"{sensor}-{t}-{lat}", sensor=sensor, kind="observation", time_utc=t, arfcn=1, bsic=1,
                   mcc="460", mnc="00", lac=1, cell_id=1, lat_deg=lat, lon_deg=lon, rssi_dbfs=-50.0, rssi_dbm=None,
                   snr_db=None, freq_offset_hz=None, verdict="fake", score=None, body={})  # fmt: skip


def test_a_build_the_database_fails_midway_loses_nothing(store, monkeypatch):
    """The store fails after what was new was read but before it was taken in: the next build
    starts afresh and the table is what a new dashboard shows."""
    from sensor.collector.dashboard import Dashboard
    from sensor.collector.store import StoreError

    envs = _drive(7, 500)
    store.save_many(envs[:250])
    dashboard = Dashboard(store, "127.0.0.1", 0)
    dashboard.api_transmitters()
    store.save_many(envs[250:])
    real = store.bodies

    def gone(positions):
        monkeypatch.setattr(store, "bodies", real)
        raise StoreError("database is locked")

    monkeypatch.setattr(store, "bodies", gone)
    with pytest.raises(StoreError):
        dashboard.api_transmitters()
    got = dashboard.api_transmitters()
    assert got == Dashboard(store, "127.0.0.1", 0).api_transmitters()
    assert sum(t["n_readings"] for t in got["transmitters"]) == 500


def test_visits_that_searched_the_suspect_and_did_not_hear_it_reach_every_localisation(store):
    """A real cell's reading lists the ARFCNs its visit searched (the daemon's ``searched_arfcns``):
    where the suspect's ARFCN is among them and the suspect was not heard, that visit is a censored
    reading of it. ``fbs-sensor locate``/``export`` (``heard_alongside``) and the dashboard
    (``LiveSuspects``) read the windows without whole bodies: they must still see those lists, and
    so censor what a full read censors."""
    from sensor.collector.transmitters import joint_missed

    def env(arfcn, i, verdict, searched):
        t = f"2026-11-25T10:00:{2 * i:02d}.500000Z"
        position = {"lat_deg": 31.0 + 0.00005 * i, "lon_deg": 121.0, "alt_m": None, "fix": "3d", "hdop": 1.0,
                    "age_s": 0.1}  # fmt: skip
        body = cell_body(0, arfcn=arfcn, bsic=1, cell_id=arfcn, position=position, t_utc=t, verdict=verdict,
                         rssi_dbfs=-40.0 - i, searched_arfcns=searched)  # fmt: skip
        return make_envelope("observation", body, sensor="car1", seq=2 * i + (arfcn == 64))

    envs = []
    for i in range(12):  # a visit every 2 s; the fake on ARFCN 64 heard on even visits only
        envs.append(env(10, i, "normal", [10, 64]))
        if i % 2 == 0:
            envs.append(env(64, i, "fake", [10, 64]))
    store.save_many(envs)
    (fake_full,) = [t for t in transmitters(store.readings()) if t.arfcn == 64]
    full = joint_missed(transmitters(store.readings()), fake_full)
    assert len(full) == 6  # the odd visits
    among = heard_alongside(store, [fake_full])
    (fake,) = [t for t in among if t.arfcn == 64]
    assert all(r.body == {"searched_arfcns": [10, 64]} for t in among for r in t.readings)
    assert np.array_equal(joint_missed(among, fake), full)
    live = Live(store)
    (key,) = _suspect_keys(store)
    located = live.refresh()[1][key]
    assert np.array_equal(joint_missed(located.among, located.transmitter), full)
    assert located.transmitter.locate(among=located.among) == fake.locate(among=among)
