"""Sizes an SMS can take, bounded: the text at the most one concatenated message carries (cut with
a marker beyond it, which only a forged producer can reach), the lists of what it carries at 100
entries, so that the worst text a fake can send still fits one envelope; the schema agrees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sensor.intel.enrich import LIST_MAX, analysed_sms
from sensor.publish.envelope import MAX_MESSAGE_BYTES, EnvelopeError, encode, make_envelope, schema
from sensor.sessions.output import CUT_MARKER, SMS_TEXT_MAX_CHARS, bounded_text, sms_object
from sensor.sessions.sms import SmsAssembler, SmsRecord
from sensor.sms.compose import compose_deliver
from sensor.sms.errors import SmsEncodeError

SENT = datetime(2026, 12, 7, 10, tzinfo=UTC)
PUBLISHED = {"t_utc": "2026-12-07T10:00:00.000Z", "position": None, "mcc": None, "mnc": None, "lac": None,
             "cell_id": None, "identities": "keyed"}  # fmt: skip


def _joined(text: str) -> SmsRecord:
    """``text`` sent by a fake as one concatenated message and joined again by the sensor."""
    assembler = SmsAssembler(64, 17)
    records = []
    for tpdu in compose_deliver(text, "95588", scts=SENT, reference=7):
        records += assembler.add(tpdu, session="s1", phone="k1:0000000000000001", t_s=1.0)
    (record,) = records
    return record


def _envelope(obj: dict) -> bytes:
    return encode(make_envelope("sms", {**obj, **PUBLISHED}, sensor="car1", seq=1))


def test_the_bound_is_the_longest_concatenated_message():
    assert SMS_TEXT_MAX_CHARS == 39_015
    assert len(compose_deliver("x" * SMS_TEXT_MAX_CHARS, "95588", scts=SENT)) == 255
    with pytest.raises(SmsEncodeError):
        compose_deliver("x" * (SMS_TEXT_MAX_CHARS + 1), "95588", scts=SENT)
    record = _joined("x" * SMS_TEXT_MAX_CHARS)
    obj = sms_object(record)
    assert obj["text"] == record.text and "text_cut" not in obj  # a genuine message is never cut


@pytest.mark.parametrize("length", [SMS_TEXT_MAX_CHARS + 1, 65_536, 1_000_000])
def test_a_longer_text_is_cut_with_a_marker(length):
    text = "<b>" + "y" * (length - 3)
    out, cut = bounded_text(text)
    assert len(out) <= SMS_TEXT_MAX_CHARS
    assert out.endswith(CUT_MARKER.format(n=cut)) and text.startswith(out[: -len(CUT_MARKER.format(n=cut))])
    assert len(out) - len(CUT_MARKER.format(n=cut)) + cut == length
    assert bounded_text("short") == ("short", 0)


def test_the_schema_agrees():
    sms = schema()["definitions"]["sms"]["properties"]
    assert sms["text"]["maxLength"] == SMS_TEXT_MAX_CHARS
    assert {sms[k]["maxItems"] for k in ("urls", "domains", "numbers")} == {LIST_MAX}
    record = _joined("x")
    forged = {**sms_object(record), "text": "x" * (SMS_TEXT_MAX_CHARS + 1)}
    with pytest.raises(EnvelopeError, match="text"):
        _envelope(forged)
    long_record = SmsRecord(**{**{f: getattr(record, f) for f in record.__slots__}, "text": "z" * 65_536})
    obj = sms_object(long_record)
    assert obj["text_cut"] > 0 and len(obj["text"]) == SMS_TEXT_MAX_CHARS
    assert len(_envelope(obj)) < MAX_MESSAGE_BYTES  # the cut text is accepted


@pytest.mark.parametrize(
    "text",
    [
        "".join(f"1380013{i:04d} " for i in range(3251)),  # 255 parts of mobile numbers
        "http://a.example/" + "p" * (SMS_TEXT_MAX_CHARS - 17),  # one link as long as a message
        "\u202e\x1b[31m<" * (17_085 // 7),  # 255 UCS2 parts of control characters: 6 bytes each in JSON
    ],
    ids=["numbers", "one-long-link", "controls"],
)
def test_the_worst_texts_still_fit_one_envelope(text):
    obj = analysed_sms(_joined(text))
    size = len(_envelope(obj))
    assert size < MAX_MESSAGE_BYTES, size
    assert all(len(obj[k]) <= LIST_MAX for k in ("urls", "domains", "numbers", "findings"))
    if len(text) > 30_000 and " " in text:
        assert obj["lists_cut"] == {"findings": 3251 - LIST_MAX, "numbers": 3251 - LIST_MAX}
        assert obj["category"] is not None and obj["reasons"]
