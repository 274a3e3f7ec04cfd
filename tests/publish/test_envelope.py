"""The message envelope: round trip, ids, the schema's rejections, size limits, the golden bodies."""

from __future__ import annotations

import json
import re

import pytest

from sensor.publish.envelope import (
    MAX_MESSAGE_BYTES,
    EnvelopeError,
    decode,
    encode,
    make_envelope,
    new_message_id,
    schema,
    utc_now_iso,
    validate,
)
from tests.publish.transport import REPO, cell_body, detection_body, session_body, sms_body

HEARTBEAT = {"uptime_s": 12.5, "outbox_depth": 3}


def test_round_trip_is_compact_utf8_json():
    env = make_envelope(
        "observation", cell_body(7, band="DCS1800", params={"note": "Straße 伪基站"}), sensor="car-1", seq=42
    )
    data = encode(env)
    assert decode(data) == env
    assert b": " not in data and b", " not in data  # compact
    assert "伪基站".encode() in data  # UTF-8, not \\u escapes
    assert list(env) == ["v", "id", "sensor", "seq", "sent_utc", "kind", "body"] and env["v"] == 1


def test_every_kind_round_trips():
    bodies = {
        "observation": cell_body(),
        "detection": detection_body(),
        "heartbeat": HEARTBEAT,
        "status": {"state": "scanning"},
        "session": session_body(),
        "sms": sms_body(),
    }
    for seq, (kind, body) in enumerate(bodies.items()):
        env = make_envelope(kind, body, sensor="car1", seq=seq)
        assert decode(encode(env))["body"] == body


def test_ids_are_unique_ulid_like_and_sort_by_time():
    ids = {new_message_id() for _ in range(20_000)}
    assert len(ids) == 20_000
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", i) for i in list(ids)[:100])
    times = [1.7e9, 1.7e9 + 0.001, 1.7e9 + 60, 2.5e9]
    for _ in range(20):
        ordered = [new_message_id(t) for t in times]
        assert ordered == sorted(ordered)


def test_time_format_matches_the_schema():
    pattern = schema()["properties"]["sent_utc"]["pattern"]
    assert re.fullmatch(pattern, utc_now_iso(0.0)) and utc_now_iso(0.0) == "1970-01-01T00:00:00.000000Z"


def _env(**changes):
    env = make_envelope("observation", cell_body(), sensor="car1", seq=1)
    env.update(changes)
    return env


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda e: e.pop("id"), "id"),
        (lambda e: e.update(extra=1), "extra"),
        (lambda e: e.update(v=2), "v"),
        (lambda e: e.update(kind="alarm"), "kind"),
        (lambda e: e.update(seq=-1), "seq"),
        (lambda e: e.update(seq=True), "seq"),
        (lambda e: e.update(seq=1.5), "seq"),
        (lambda e: e.update(sensor="../car"), "sensor"),
        (lambda e: e.update(sensor=""), "sensor"),
        (lambda e: e.update(id="short"), "id"),
        (lambda e: e.update(sent_utc="2026-11-25 10:00:00"), "sent_utc"),
        (lambda e: e.update(sent_utc="2026-11-25T10:00:00+01:00"), "sent_utc"),
        (lambda e: e.update(body=[]), "body"),
        (lambda e: e.update(kind="detection"), "body"),  # a cell is not a detection
        (lambda e: e["body"].update(mnc="1"), "body.mnc"),
        (lambda e: e["body"].update(mcc=262), "body.mcc"),
        (lambda e: e["body"].update(bsic=64), "body.bsic"),
        (lambda e: e["body"].update(arfcn=None), "body.arfcn"),
        (lambda e: e["body"].update(score=1.5), "body.score"),
        (lambda e: e["body"].update(verdict="bad"), "body.verdict"),
        (lambda e: e["body"].pop("rssi_dbm"), "body"),
        (lambda e: e["body"].update(si={"3": "zz"}), "body.si"),
        (lambda e: e["body"]["position"].update(lat_deg=91.0), "body.position.lat_deg"),
        (lambda e: e["body"]["position"].update(fix="4d"), "body.position.fix"),
        (lambda e: e["body"].update(reasons=[{"rule": "x"}]), "body.reasons"),
        (lambda e: e["body"].update(freq_hz=-1.0), "body.freq_hz"),
        (lambda e: e["body"].update(freq_sd_hz="1"), "body.freq_sd_hz"),
        (lambda e: e["body"]["position"].update(speed_m_s=-3.0), "body.position.speed_m_s"),
        (lambda e: e["body"]["position"].update(heading_deg=360.0), "body.position.heading_deg"),
    ],
)
def test_schema_rejects(change, where):
    env = _env()
    change(env)
    with pytest.raises(EnvelopeError) as err:
        validate(env)
    message = str(err.value)
    assert message.startswith("invalid envelope") and "\n" not in message
    assert where in message, message


def test_detection_of_a_normal_cell_is_rejected():
    with pytest.raises(EnvelopeError, match="body.verdict"):
        make_envelope("detection", detection_body(verdict="normal"), sensor="car1", seq=0)
    with pytest.raises(EnvelopeError, match="body"):
        make_envelope("heartbeat", {"uptime_s": 1}, sensor="car1", seq=0)
    with pytest.raises(EnvelopeError, match="body"):
        make_envelope("status", {}, sensor="car1", seq=0)


def test_a_moving_reading_with_its_measured_carrier_is_accepted():
    position = {"lat_deg": 31.2, "lon_deg": 121.4, "alt_m": None, "fix": "3d", "hdop": 0.9, "age_s": 0.1,
                "speed_m_s": 12.5, "heading_deg": 271.0}  # fmt: skip
    body = cell_body(freq_hz=947_400_012.5, freq_sd_hz=0.7, position=position)
    assert decode(encode(make_envelope("observation", body, sensor="car1", seq=0)))["body"] == body
    unknown = cell_body(freq_hz=None, freq_sd_hz=None, position={**position, "speed_m_s": None, "heading_deg": None})
    assert decode(encode(make_envelope("observation", unknown, sensor="car1", seq=0)))["body"] == unknown


def test_unknown_values_are_null_and_extensions_are_allowed():
    body = cell_body(bsic=None, mcc=None, mnc=None, lac=None, cell_id=None, position=None, neighbours=None,
                     rssi_dbfs=None, t_utc="2026-11-25T10:00:00.000000Z", vendor_extension={"x": 1})  # fmt: skip
    assert decode(encode(make_envelope("observation", body, sensor="car1", seq=0)))["body"] == body


def test_decode_refuses_what_is_not_an_envelope():
    for data, text in [(b"\xff\xfe", "not UTF-8"), (b"{\"v\":", "not JSON"), (b"[1,2]", "must be object"),
                       (b"{}", "must contain")]:  # fmt: skip
        with pytest.raises(EnvelopeError, match=text):
            decode(data)


def test_size_limit_on_both_ends():
    big = cell_body(params={"padding": "x" * MAX_MESSAGE_BYTES})
    env = make_envelope("observation", big, sensor="car1", seq=0)
    with pytest.raises(EnvelopeError, match=r"bytes, more than the 262144 allowed"):
        encode(env)
    raw = json.dumps(env).encode()
    with pytest.raises(EnvelopeError, match=r"larger than the 262144 allowed"):
        decode(raw)
    just_fits = cell_body(params={"padding": ""})
    size = len(encode(make_envelope("observation", just_fits, sensor="car1", seq=0)))
    just_fits["params"]["padding"] = "x" * (MAX_MESSAGE_BYTES - size)
    assert len(encode(make_envelope("observation", just_fits, sensor="car1", seq=0))) == MAX_MESSAGE_BYTES


def test_encode_refuses_nan_and_non_json():
    env = _env()
    env["body"]["snr_db"] = float("nan")
    with pytest.raises(EnvelopeError, match="cannot be encoded"):
        encode(env)


def test_golden_cell_and_detection_objects_are_valid_bodies():
    seen = {"cell": 0, "detection": 0}
    for path in sorted((REPO / "recordings" / "golden").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            obj = json.loads(line)
            if obj.get("type") in seen:
                kind = "observation" if obj["type"] == "cell" else "detection"
                make_envelope(kind, obj, sensor="car1", seq=0)
                seen[obj["type"]] += 1
    assert seen["cell"] > 0


def test_schema_file_agrees_with_a_reference_validator():
    jsonschema = pytest.importorskip("jsonschema")
    ref = jsonschema.Draft7Validator(schema())
    jsonschema.Draft7Validator.check_schema(schema())
    good = [
        make_envelope(k, b, sensor="car1", seq=0)
        for k, b in [
            ("observation", cell_body()),
            ("detection", detection_body()),
            ("heartbeat", HEARTBEAT),
            ("status", {"state": "x"}),
            ("session", session_body()),
            ("sms", sms_body()),
            ("session", session_body(phone="imsi:262011234567890", identities="raw")),
        ]
    ]
    bad = [
        _env(v=2),
        _env(kind="detection"),
        _env(seq=True),
        _env(body={"type": "cell"}),
        {**good[1], "body": detection_body(mnc="1")},
        {**good[4], "body": session_body(phone="imsi:262011234567890")},
        {**good[5], "body": sms_body(phone="tmsi:015c5703")},
        {**good[4], "body": sms_body()},
        {**good[4], "body": session_body(identities=None)},
    ]
    for env in good:
        assert ref.is_valid(env)
    for env in bad:
        assert not ref.is_valid(env)
        with pytest.raises(EnvelopeError):
            validate(env)


RAW_PHONES = [
    "imsi:262011234567890",
    "tmsi:015c5703",
    "imei:490154203237518",
    "262011234567890",
    "015c5703",
    "K1:0123456789abcdef",
    "k1:0123456789ABCDEF",
    "k1:0123456789abcde",
    "k1:0123456789abcdef0",
    "k1:0123456789abcdef\n",
    "k0:0123456789abcdef",
    "",
]


@pytest.mark.parametrize("kind, make", [("session", session_body), ("sms", sms_body)])
@pytest.mark.parametrize("phone", RAW_PHONES)
def test_a_phone_that_is_no_keyed_hash_is_refused_unless_the_body_says_raw(kind, make, phone):
    with pytest.raises(EnvelopeError, match="body.phone"):
        make_envelope(kind, make(phone=phone), sensor="car1", seq=0)
    body = make(phone=phone, identities="raw")  # --keep-identities: said in the body, so said in the store
    assert decode(encode(make_envelope(kind, body, sensor="car1", seq=0)))["body"] == body


@pytest.mark.parametrize("kind, make", [("session", session_body), ("sms", sms_body)])
def test_keyed_hashes_and_unknown_phones_pass(kind, make):
    for phone in ("k1:0123456789abcdef", "k2:ffffffffffffffff", None):
        make_envelope(kind, make(phone=phone), sensor="car1", seq=0)
    body = make()
    del body["identities"]  # how phones are named is never left out
    with pytest.raises(EnvelopeError, match="identities"):
        make_envelope(kind, body, sensor="car1", seq=0)


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda b: b.update(type="cell"), "body.type"),
        (lambda b: b.update(tn=8), "body.tn"),
        (lambda b: b.update(cause=256), "body.cause"),
        (lambda b: b.update(sms=-1), "body.sms"),
        (lambda b: b.update(ciphered=None), "body.ciphered"),
        (lambda b: b.update(identity_type="msisdn"), "body.identity_type"),
        (lambda b: b.update(t_utc="2026-12-07 10:00:00"), "body.t_utc"),
        (lambda b: b.update(mcc=460), "body.mcc"),
        (lambda b: b.update(id=""), "body.id"),
        (lambda b: b.pop("complete"), "body"),
        (lambda b: b.pop("position"), "body"),
    ],
)
def test_session_schema_rejects(change, where):
    body = session_body()
    change(body)
    with pytest.raises(EnvelopeError) as err:
        make_envelope("session", body, sensor="car1", seq=0)
    assert where in str(err.value), str(err.value)


def test_hostile_sms_text_travels_literally():
    text = '<script>alert("x")</script><img src=x onerror=alert(1)> &amp; \u202eevil\x00 {"kind":"status"} \\'
    body = sms_body(text=text, sender="<b>BANK</b>", sender_type="alphanumeric")
    data = encode(make_envelope("sms", body, sensor="car1", seq=0))
    assert decode(data)["body"]["text"] == text and decode(data)["body"]["sender"] == "<b>BANK</b>"
    with pytest.raises(EnvelopeError, match="body.parts"):
        make_envelope("sms", sms_body(parts=[0]), sensor="car1", seq=0)


def test_decode_refuses_an_unpaired_surrogate():
    env = make_envelope("sms", sms_body(text="paired \U0001f600 ok"), sensor="car1", seq=0)
    assert decode(encode(env)) == env
    data = json.dumps(env).replace("paired", "\\ud800 alone").encode()  # valid JSON, no text
    with pytest.raises(EnvelopeError, match="unpaired UTF-16 surrogate"):
        decode(data)
    assert decode(json.dumps(env).encode()) == env  # escaped pairs (ensure_ascii) are fine


def test_the_daemons_bodies_of_tracker_records_are_valid():
    """What ``daemon/phones.py`` makes of a tracker's Session and SmsRecord passes the schema, keyed and raw."""
    from datetime import datetime, timedelta, timezone

    from sensor.daemon.phones import PhoneTraffic
    from sensor.model import L2Block
    from sensor.sessions import Session, SmsRecord

    session = Session(
        "64-17-1",
        64,
        17,
        10.0,
        "SDCCH/8",
        1,
        3,
        False,
        True,
        phone="k1:00112233445566aa",
        procedure="location_update",
        identity_type="imsi",
        identity_requests=["imsi", "imei"],
        sms=1,
        result="lu_reject",
        cause=13,
        timing_advance=3,
    )
    sms = SmsRecord(
        64,
        17,
        11.0,
        "64-17-1",
        "k1:00112233445566aa",
        "95588",
        "national",
        "ucs2",
        "尊敬的客户",
        (1, 2),
        2,
        False,
        False,
        datetime(2026, 12, 7, 18, tzinfo=timezone(timedelta(hours=8))),
    )
    traffic = PhoneTraffic(run_id="01JEZ0RUN0000000000000000")
    traffic.clock.add(L2Block(64, 0, 0, "CCCH", bytes(23), True, t_s=9.0, time_utc_s=1.8e9 + 9.0, bsic=17))
    (k1, session_out), (k2, sms_out) = traffic.items([session], [sms], cells=None, gps=None)
    for kind, body in ((k1, session_out), (k2, sms_out)):
        make_envelope(kind, body, sensor="car1", seq=0)
    assert session_out["id"] == sms_out["session"] == "01JEZ0RUN0000000000000000-64-17-1"
    assert session_out["t_utc"] == "2027-01-15T08:00:10.000000Z" and session_out["identities"] == "keyed"
    assert session_out["complete"] is False and session_out["result"] == "lu_reject"
    raw = PhoneTraffic(keep_identities=True)
    session.phone = "imsi:262011234567890"
    ((kind, body),) = raw.items([session], [], cells=None, gps=None)
    assert body["identities"] == "raw" and body["t_utc"] is None
    make_envelope(kind, body, sensor="car1", seq=0)
    with pytest.raises(EnvelopeError, match="body.phone"):
        make_envelope(kind, {**body, "identities": "keyed"}, sensor="car1", seq=0)
