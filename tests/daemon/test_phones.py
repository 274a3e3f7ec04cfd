"""The daemon publishes what a fake station does to phones: ``session`` and ``sms`` envelopes reach
the collector's store with keyed phones only, their UTC time, position and the cell's identity."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest

import sensor.scan.scheduler as scheduler
from sensor.collector.sqlite_store import SqliteStore
from sensor.daemon.phones import StreamClock
from sensor.daemon.runner import Daemon, DaemonConfig
from sensor.model import L2Block
from sensor.resources import project_dir
from sensor.sim.scene import load_scene
from sensor.sim.scene_traffic import scene_traffic
from tests.identities import raw_identities

PATROL = project_dir("recordings") / "scenes" / "patrol.toml"
KEYED = re.compile(r"k1:[0-9a-f]{16}")


def _block(t_s: float, utc_s: float, arfcn: int = 64, bsic: int | None = 17) -> L2Block:
    return L2Block(arfcn, 0, 0, "CCCH", bytes(23), True, t_s=t_s, time_utc_s=utc_s, bsic=bsic)


def test_stream_clock_follows_each_visit_of_a_carrier():
    clock = StreamClock()
    assert clock.utc_s(64, 17, 1.0) is None  # nothing heard yet
    for t in (1.0, 1.5, 2.0):  # first visit: UTC = 1000 + t
        clock.add(_block(t, 1000.0 + t))
    for t in (5.0, 5.5):  # a retune re-anchored the radio's clock: UTC = 1003.2 + t
        clock.add(_block(t, 1003.2 + t))
    clock.add(_block(1.0, 1.0, arfcn=70))  # another carrier: its own segments
    assert clock.utc_s(64, 17, 1.75) == pytest.approx(1001.75)
    assert clock.utc_s(64, 17, 5.25) == pytest.approx(1008.45)
    assert clock.utc_s(64, 17, 3.0) == pytest.approx(1003.0)  # between visits: the visit before it
    for t in (0.5, 1.0, 1.5):  # the receiver was reopened: stream time starts again, UTC = 2000 + t
        clock.add(_block(t, 2000.0 + t))
    assert clock.utc_s(64, 17, 1.25) == pytest.approx(2001.25)  # the newest segment holding it
    assert clock.utc_s(64, 17, 1.75) == pytest.approx(1001.75)  # only the first visit held it
    assert clock.utc_s(64, 17, None) is None and clock.utc_s(64, None, 1.0) is None
    assert clock.utc_s(70, None, 2.0) is None and clock.utc_s(70, 17, 2.0) == pytest.approx(2.0)
    small = StreamClock(max_segments=3)
    for k in range(10):  # ten visits, one block each, UTC = 100 k: the last three kept
        small.add(_block(10.0 * k, 100.0 * k))
    assert len(small._segments[(64, 17)]) == 3
    assert small.utc_s(64, 17, 95.0) == pytest.approx(95.0 + 900.0 - 90.0)
    assert small.utc_s(64, 17, 5.0) == pytest.approx(5.0 + 700.0 - 70.0)  # older than any kept: the oldest kept


def test_keep_identities_makes_the_daemon_name_phones_raw(tmp_path):
    d = Daemon(DaemonConfig(device=f"sim:{PATROL}", state_dir=tmp_path, keep_identities=True))
    try:
        assert d.carriers.names.keep_raw and d.phones.identities == "raw"
        assert not (tmp_path / "keys" / "identity.key").exists()  # no key needed, none made
        first_run = d.phones.run_id
    finally:
        d.shutdown()
        d.close()
    d = Daemon(DaemonConfig(device=f"sim:{PATROL}", state_dir=tmp_path))
    try:
        assert not d.carriers.names.keep_raw and d.phones.identities == "keyed"
        assert (tmp_path / "keys" / "identity.key").exists()
        assert d.phones.run_id != first_run  # session ids of two runs never collide at the collector
    finally:
        d.shutdown()
        d.close()


@pytest.mark.slow
def test_sessions_and_sms_reach_the_collector_keyed(tmp_path, monkeypatch):
    """The patrol scene's fake lures two phones, asks their IMSI, pushes each an SMS and rejects them.
    The daemon dwells on the carrier for the whole scene (what a stakeout visit does: here by never
    calling a visit complete), so both sessions are followed from assignment to release."""
    monkeypatch.setattr(scheduler, "si_complete", lambda cell, goal: False)
    started = time.time()
    d = Daemon(
        DaemonConfig(
            device=f"sim:{PATROL}",
            arfcns="62-66",
            gps="sim",
            state_dir=tmp_path,
            duration_s=9.0,
            status_every_s=0.2,
        )
    )
    lines: list[str] = []
    d.status = lines.append
    monkeypatch.setattr(scheduler.DwellPolicy, "timeout_s", property(lambda self: 9.0))
    d.run()
    run_id = d.phones.run_id
    sent_sessions = d.metrics.values["fbs_sessions_published_total"]
    sent_sms = d.metrics.values["fbs_sms_published_total"]
    d.close()
    truth = scene_traffic(load_scene(PATROL)).truth["FAKE-van"]
    fake = next(c for c in load_scene(PATROL).cells if c.name == "FAKE-van")
    assert any(re.search(r"\| phones 2, SMS 2", line) for line in lines), lines[-3:]

    store = SqliteStore(tmp_path / "collector.sqlite")
    try:
        sessions, sms = store.sessions(arfcn=64, bsic=17), store.sms(arfcn=64, bsic=17)
        assert store.count("session") == len(sessions) == sent_sessions == len(truth["sessions"]) == 2
        assert store.count("sms") == len(sms) == sent_sms == len(truth["sms"]) == 2
        for got, want in zip(sessions, truth["sessions"], strict=True):
            assert got.session_id.startswith(f"{run_id}-64-17-")
            assert KEYED.fullmatch(got.phone) and got.identities == "keyed"
            assert (got.procedure, got.result, got.cause, got.n_sms) == ("location_update", "lu_reject", 13, 1)
            assert got.complete and not got.ciphered and got.body["identity_requests"] == want["identity_requests"]
            assert (got.mcc, got.mnc, got.lac, got.cell_id) == (
                fake.params.mcc, fake.params.mnc, fake.params.lac, fake.params.cell_id)  # fmt: skip
            assert got.lat_deg is not None and got.body["position"]["fix"] == "3d"
            assert got.body["t_s"] == pytest.approx(want["t_s"], abs=0.05)  # the assignment's time
        # UTC of the assignment: the virtual radio's sample 0 is the time it was opened, so t_utc - t_s is
        # that moment, the same for both sessions, inside the test's run
        opened = [datetime.fromisoformat(s.time_utc).timestamp() - s.body["t_s"] for s in sessions]
        assert opened[0] == pytest.approx(opened[1], abs=1e-3) and started <= opened[0] <= time.time()
        assert len({s.phone for s in sessions}) == 2 and len({s.session_id for s in sessions}) == 2
        assert {(m.sender, m.text) for m in sms} == {(t["sender"], t["text"]) for t in truth["sms"]}
        assert {m.session_id for m in sms} == {s.session_id for s in sessions}
        for m in sms:  # what anti-fraud teams act on, published with it: the link, and the spoofed bank number
            assert m.body["urls"] and m.body["urls"][0].startswith("http://icbc-") and m.body["domains"]
            assert "sms_spoofed_service_number" in {r["rule"] for r in m.body["reasons"]}
        assert {m.phone for m in sms} == {s.phone for s in sessions}
        # one campaign (the bank's points text, another link to each phone), published in two batches
        assert len({m.body["campaign"] for m in sms}) == 1 and sms[0].body["campaign"].startswith("cmp:")
        (activity,) = [a for a in store.activity() if a.arfcn == 64]
        assert (activity.sessions, activity.phones, activity.sms) == (2, 2, 2)
        # no raw identity anywhere: not in a stored envelope, not in the collector's or the outbox's files
        stored = "\n".join(str(m) for m in store.messages())
        raw = raw_identities(truth)
        assert [r for r in raw if r in stored] == []
    finally:
        store.close()
    for path in tmp_path.glob("*.sqlite*"):
        data = path.read_bytes()
        assert [r for r in raw if r.encode() in data] == [], path


@pytest.mark.slow
def test_sessions_open_at_shutdown_are_published_as_incomplete(tmp_path, monkeypatch):
    """Stopped at 4 s of radio time, while both phones are still on their SDCCH (released at 6.8 and
    7.6 s): their sessions are finished and published, incomplete, with what was seen."""
    monkeypatch.setattr(scheduler, "si_complete", lambda cell, goal: False)
    monkeypatch.setattr(scheduler.DwellPolicy, "timeout_s", property(lambda self: 4.0))
    d = Daemon(DaemonConfig(device=f"sim:{PATROL}", arfcns="62-66", gps="sim", state_dir=tmp_path, duration_s=4.0))
    d.status = lambda line: None
    d.run()
    d.close()
    store = SqliteStore(tmp_path / "collector.sqlite")
    try:
        sessions = store.sessions()
        assert len(sessions) == 2 and d.metrics.values["fbs_sessions_published_total"] == 2
        for s in sessions:
            assert (s.result, s.complete, s.procedure) == ("incomplete", False, "location_update")
            assert KEYED.fullmatch(s.phone) and s.body["end_t_s"] is not None
    finally:
        store.close()


def test_a_body_the_schema_refuses_costs_only_itself(tmp_path, caplog):
    """A session whose phone is not a keyed hash in a keyed run (a bug upstream) is not published and
    not logged with its identity; the session and SMS beside it still go."""
    from sensor.sessions import Session, SmsRecord

    d = Daemon(DaemonConfig(device=f"sim:{PATROL}", state_dir=tmp_path))
    good = Session("64-17-1", 64, 17, 1.0, "SDCCH/8", 1, 0, False, True, phone="k1:00112233445566aa")
    leak = Session("64-17-2", 64, 17, 2.0, "SDCCH/8", 1, 1, False, True, phone="imsi:460005456536583")
    sms = SmsRecord(64, 17, 1.5, "64-17-1", "k1:00112233445566aa", "95588", "national", "gsm7", "text", None, None,
                    False, False, None)  # fmt: skip
    d.carriers.take = lambda: ([good, leak], [sms])  # type: ignore[method-assign]
    try:
        with caplog.at_level("WARNING"):
            d._publish_phones()
        assert d.metrics.values["fbs_sessions_published_total"] == 1
        assert d.metrics.values["fbs_sms_published_total"] == 1
        assert "body.phone" in caplog.text and "460005456536583" not in caplog.text
        d.carriers.take = lambda: ([], [])  # type: ignore[method-assign]
        d.shutdown()  # flushes the outbox to the embedded collector
        store = d.embedded.store
        assert [s.session_id for s in store.sessions()] == [f"{d.phones.run_id}-64-17-1"]
        assert [m.session_id for m in store.sms()] == [f"{d.phones.run_id}-64-17-1"]
        assert "460005456536583" not in str(store.messages())
    finally:
        d.close()
