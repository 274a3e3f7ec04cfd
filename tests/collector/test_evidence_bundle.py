"""``fbs-sensor export --format evidence``: a fake station's bundle gains its SMS, its sessions (keyed
phones only), its campaigns and its evidence figures, every file in the SHA-256 manifest."""

from __future__ import annotations

import json
import zipfile

from sensor.collector import exports
from sensor.collector.evidence_bundle import PHONE_FILES
from sensor.collector.sqlite_store import SqliteStore
from tests.collector.test_exports import FAKE, _envelopes, run
from tests.publish.transport import session_body, sms_body

IDENTITY = {k: FAKE[k] for k in ("mcc", "mnc", "lac", "cell_id")}
HOSTILE = '=HYPERLINK("http://x.example")<script>alert(1)</script>'


def _phone_envelopes():
    from sensor.publish.envelope import make_envelope

    out = []
    names = ["张伟", "李娜", "王芳", "刘洋"]
    for i, name in enumerate(names):
        text = f"【顺丰速运】{name}您好，您的快递被退回，请登录 http://sf-{i}x.example/ 重新填写，客服400{i:07d}。"
        out.append(make_envelope("session", session_body(i, **IDENTITY), sensor="car1", seq=100 + i))
        out.append(make_envelope("sms", sms_body(i, text=text, sender="95338", category="fraud", **IDENTITY),
                                 sensor="car1", seq=200 + i))  # fmt: skip
    # a session read in part, and one a sensor published with the phone's raw identity
    out.append(make_envelope("session", session_body(4, complete=False, sms=0, **IDENTITY), sensor="car2", seq=1))
    raw = session_body(5, phone="imsi:460001234567890", identities="raw", **IDENTITY)
    out.append(make_envelope("session", raw, sensor="car2", seq=2))
    out.append(make_envelope("sms", sms_body(5, text=HOSTILE, phone="imsi:460001234567890", identities="raw",
                                             **IDENTITY), sensor="car2", seq=3))  # fmt: skip
    # another carrier's traffic: not this station's
    out.append(make_envelope("sms", sms_body(9, arfcn=70, bsic=1), sensor="car1", seq=300))
    return out


def test_the_bundle_carries_sms_sessions_campaigns_and_evidence(tmp_path):
    db = tmp_path / "collector.sqlite"
    with SqliteStore(db) as store:
        store.save_many([*_envelopes(), *_phone_envelopes()])
    out = tmp_path / "evidence"
    result = run("export", "--db", str(db), "--format", "evidence", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert ": SMS 5-" in result.stderr and "serious 4 of 5,000" in result.stderr
    (bundle,) = sorted(out.iterdir())
    with zipfile.ZipFile(bundle) as z:
        files = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    assert exports.check_manifest(files) == []
    assert set(PHONE_FILES) <= set(files) and all(f in files["MANIFEST.sha256"].decode() for f in PHONE_FILES)
    sms = [json.loads(line) for line in files["sms.jsonl"].decode().splitlines()]
    sessions = [json.loads(line) for line in files["sessions.jsonl"].decode().splitlines()]
    assert len(sms) == 5 and len(sessions) == 6 and {m["arfcn"] for m in sms} == {64}
    assert HOSTILE in {m["text"] for m in sms}  # kept literally, JSON-escaped only
    assert b"460001234567890" not in b"".join(files.values())  # raw identities withheld
    assert [m.get("phone_withheld") for m in sms if m["sensor"] == "car2"] == [True]
    (parcel, hostile) = json.loads(files["campaigns.json"])["campaigns"]
    assert parcel["template"] == "【顺丰速运】{name}您好，您的快递被退回，请登录 {link} 重新填写，客服{number}。"
    assert (parcel["sms"], parcel["sensors"]) == (4, ["car1"]) and hostile["sms"] == 1
    evidence = json.loads(files["evidence.json"])
    assert evidence["station"] == {**IDENTITY, "arfcn": 64, "bsic": 17}
    assert evidence["sms"]["interval"][0] == 5 and evidence["sms"]["interval"][1] >= 6  # the session in part
    assert evidence["phones"]["interval"][0] == 6 and evidence["sessions"]["in_part"] == 1
    assert evidence["serious"]["shown"].startswith("4 of 5,000") and evidence["by_category"]["fraud"] == 4


def test_the_dashboard_serves_campaigns_and_evidence(tmp_path):
    import urllib.request

    from sensor.collector.dashboard import Dashboard

    with SqliteStore(tmp_path / "collector.sqlite") as store:
        store.save_many([*_envelopes(), *_phone_envelopes()])
        with Dashboard(store, "127.0.0.1", 0, poll_interval_s=0.05) as d:
            with urllib.request.urlopen(d.url + "api/campaigns", timeout=10) as r:
                campaigns = json.loads(r.read())["campaigns"]
            with urllib.request.urlopen(d.url + "api/evidence", timeout=10) as r:
                evidence = json.loads(r.read())["evidence"]
    assert [c["sms"] for c in campaigns] == [4, 1, 1] and campaigns[0]["type"] == "campaign"
    assert '=HYPERLINK("{link}")<script>alert({number})</script>' in {c["template"] for c in campaigns}  # as sent
    assert [e["station"]["arfcn"] for e in evidence] == [64, 70] and evidence[0]["sms"]["interval"][0] == 5


def test_a_phone_seen_before_and_after_si3_is_one_phone_in_the_bundle(tmp_path):
    """A session the fake took before its SI3 was decoded (cell id unknown) of phone 0, which it also
    took after: the bundle's sessions hold both, its evidence counts phone 0 once (6 phones seen, as
    without that session), and the export's line says so."""
    from sensor.publish.envelope import make_envelope

    db = tmp_path / "collector.sqlite"
    before_si3 = session_body(10, **{**IDENTITY, "cell_id": None}, phone="k1:0000000000000000")
    with SqliteStore(db) as store:
        store.save_many(
            [*_envelopes(), *_phone_envelopes(), make_envelope("session", before_si3, sensor="car1", seq=900)]
        )
    out = tmp_path / "evidence"
    result = run("export", "--db", str(db), "--format", "evidence", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert ", phones 6-" in result.stderr
    (bundle,) = sorted(out.iterdir())
    with zipfile.ZipFile(bundle) as z:
        files = {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
    assert len(files["sessions.jsonl"].decode().splitlines()) == 7
    evidence = json.loads(files["evidence.json"])
    assert evidence["phones"]["seen"] == 6 and evidence["sessions"]["seen"] == 7
