"""The ``session`` and ``sms`` objects and a cell's ``activity`` (CONTRACT.md), as JSON-ready dicts.

Every object has ``type`` and ``schema: 1``; unknown values are ``None``. The fields of an ``sms``
object that the next stage fills (``urls``, ``domains``, ``numbers``, ``category``, ``reasons``,
``campaign``) are ``None`` here: not looked at yet, which is not the same as "none found".

Sizes are bounded (SMS text is hostile input): ``text`` holds at most :data:`SMS_TEXT_MAX_CHARS`
characters, the most one concatenated message can carry (TS 23.040 §9.2.3.24.1: 255 parts of 153
GSM 7-bit characters beside the concatenation header), so no genuine message is ever cut. A longer
text (which only a forged or broken producer can make: the reassembler joins one message's parts
and no more) keeps its head and ends with :data:`CUT_MARKER` saying how many characters were cut,
the whole within the bound, and the object gains the ``text_cut`` extension, that number (only then:
a text without it is whole; the marker alone proves nothing, since a text can spell it).
The envelope schema (``sensor/data/schemas/envelope-1.json``) refuses a longer ``text``.
``phone`` is the keyed hash (:mod:`.pseudonym`); no raw identity reaches these objects unless the
tracker's pseudonymizer keeps them raw (``--keep-identities``, which the caller records in every
output's metadata).

Example session (a phone a fake station rejected after asking for its IMSI and IMEI)::

    {"type":"session","schema":1,"id":"64-17-3","arfcn":64,"bsic":17,"t_s":12.31,"end_t_s":15.02,
     "channel":"SDCCH/4","tn":0,"sub":2,"hopping":false,"followed":true,"procedure":"location_update",
     "phone":"k1:3f9a0c55d1e2b7a4","identity_type":"tmsi","identity_requests":["imsi","imei"],
     "auth":false,"ciphered":false,"sms":1,"result":"lu_reject","cause":13,"timing_advance":2,
     "complete":true}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sensor.sms.ts23040 import MAX_PARTS, UD_MAX_SEPTETS

if TYPE_CHECKING:
    from .session import Session
    from .sms import SmsRecord
    from .tracker import SessionTracker

SCHEMA = 1
SMS_TEXT_MAX_CHARS = MAX_PARTS * (UD_MAX_SEPTETS - 7)  # 39,015: 255 parts, 7 septets of each for the header
CUT_MARKER = "…[fbs-sensor: {n} more characters cut]"


def bounded_text(text: str) -> tuple[str, int]:
    """``text`` within :data:`SMS_TEXT_MAX_CHARS` and how many characters were cut (module doc)."""
    if len(text) <= SMS_TEXT_MAX_CHARS:
        return text, 0
    keep = SMS_TEXT_MAX_CHARS - len(CUT_MARKER.format(n=len(text)))  # the marker is never longer than this
    cut = len(text) - keep
    return text[:keep] + CUT_MARKER.format(n=cut), cut


def _round(t_s: float | None) -> float | None:
    return None if t_s is None else round(t_s, 6)


def _head(kind: str, record: Session | SmsRecord) -> dict[str, Any]:
    """What every object of this module starts with: type, schema, carrier, time."""
    return {"type": kind, "schema": SCHEMA, "arfcn": record.arfcn, "bsic": record.bsic, "t_s": _round(record.t_s)}


def session_object(session: Session) -> dict[str, Any]:
    """CONTRACT.md ``session``."""
    return {
        **_head("session", session),
        "id": session.id,
        "end_t_s": _round(session.end_t_s),
        "channel": session.channel,
        "tn": session.tn,
        "sub": session.sub,
        "hopping": session.hopping,
        "followed": session.followed,
        "procedure": session.procedure,
        "phone": session.phone,
        "identity_type": session.identity_type,
        "identity_requests": list(session.identity_requests),
        "auth": session.auth,
        "ciphered": session.ciphered,
        "sms": session.sms,
        "result": session.final_result(),
        "cause": session.cause,
        "timing_advance": session.timing_advance,
        "complete": session.complete,
    }


def sms_object(sms: SmsRecord) -> dict[str, Any]:
    """CONTRACT.md ``sms``; the fields of the next stage (links, numbers, category ...) are None.
    ``text`` bounded (:func:`bounded_text`); extension ``text_cut`` when it was cut."""
    text, cut = (None, 0) if sms.text is None else bounded_text(sms.text)
    obj = {
        **_head("sms", sms),
        "session": sms.session,
        "phone": sms.phone,
        "sender": sms.sender,
        "sender_type": sms.sender_type,
        "coding": sms.coding,
        "text": text,
        "parts": None if sms.parts is None else list(sms.parts),
        "of": sms.of,
        "flash": sms.flash,
        "silent": sms.silent,
        "sc_timestamp": None if sms.sc_timestamp is None else sms.sc_timestamp.isoformat(),
        "urls": None,
        "domains": None,
        "numbers": None,
        "category": None,
        "reasons": None,
        "campaign": None,
    }
    if cut:
        obj["text_cut"] = cut
    return obj


def activity(tracker: SessionTracker) -> dict[str, Any] | None:
    """CONTRACT.md ``cell.activity`` (None while no dedicated traffic was seen), counting the sessions
    closed so far; extended with ``assignment_rejects`` (Immediate Assignment Reject, one per request
    reference), ``sessions_in_part`` (followed, not ciphered, not complete: seen only in part),
    ``imsi_requests_before_auth`` (IMSI asked for in a session before any authentication) and
    ``ccch_blocks_ok``/``ccch_blocks_failed`` (the carrier's CCCH blocks decoded and lost: the share of
    Immediate Assignments the receiver may have missed, ``sensor.intel.evidence``)."""
    if not tracker.active:
        return None
    return {
        "assignments": tracker.assignments,
        "sessions": tracker.sessions_closed,
        "phones": len(tracker.phones),
        "identity_requests": dict(tracker.identity_requests),
        "sms": tracker.sms_count,
        "lu_rejects": {str(cause): n for cause, n in sorted(tracker.lu_rejects.items())},
        "ciphered_sessions": tracker.ciphered_sessions,
        "assignment_rejects": tracker.assignment_rejects,
        "sessions_in_part": tracker.sessions_in_part,
        "imsi_requests_before_auth": tracker.imsi_requests_before_auth,
        "ccch_blocks_ok": tracker.ccch_ok,
        "ccch_blocks_failed": tracker.ccch_failed,
    }
