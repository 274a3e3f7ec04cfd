"""Phone sessions and SMS from a carrier's dedicated channels, with phones' identities protected.

The stage after the receiver (layer "cells/sessions": imports l2, l3, sms, gsm, model, errors and
the foundation). One concern per module:

* :mod:`.pseudonym` — the per-deployment secret (0600, beside the sensor's keys;
  ``FBS_SENSOR_IDENTITY_KEY``), keyed hashes ``"k1:…"`` of IMSI/TMSI/IMEI, same-length pseudonyms;
* :mod:`.rewrite` — identities inside raw frames (GSMTAP, pcap, ``--blocks``) replaced by pseudonyms;
* :mod:`.names` — the wire names of procedures, results, identity types, sender types;
* :mod:`.session` — the :class:`Session` record, ``complete``/``result``, the ciphering-by-CRC rule;
* :mod:`.sms` — SMS-DELIVER parts joined per phone into :class:`SmsRecord`\\ s;
* :mod:`.tracker` — :class:`SessionTracker`: assignments, LAPDm links, MM/RR/SMS steps per session;
* :mod:`.output` — CONTRACT.md ``session`` and ``sms`` objects and the cell's ``activity``.

Public API::

    Pseudonymizer(key=None, *, keep_raw=False, path=None)   # key None: load_or_create_key(path)
        .phone(mobile_identity) -> "k1:<16 hex>" | None;  .hash(kind, value);  .identity(mi) -> MobileIdentity
        .digits(kind, digits) -> str;  .tmsi(tmsi) -> int
    load_or_create_key(path=None) -> bytes;  default_key_path() -> Path
    rewrite_l3(octets, names, *, pseudo_length=False) -> bytes;  rewrite_block(octets, channel, names) -> bytes
    SessionTracker(arfcn, bsic, pseudonymizer)
        .add(block: L2Block) -> list[SACCH SI message];  .take() -> (sessions, sms);  .finish() -> (sessions, sms)
        .sacch_si (last SI5/5bis/5ter/6 by type);  .active
    session_object(session) -> dict;  sms_object(record) -> dict;  activity(tracker) -> dict | None
"""

from sensor import lazy

# module → the names it defines, imported when first asked for: a replay of cells that assign no
# dedicated channel never imports the SMS records or the frames' rewriting (bench/README.md,
# "Fourth round: start-up")
__getattr__, __dir__ = lazy.exports(
    __name__,
    {
        "output": ("activity", "session_object", "sms_object"),
        "pseudonym": ("KEEP_RAW_WARNING", "Pseudonymizer", "default_key_path", "load_or_create_key"),
        "rewrite": ("rewrite_block", "rewrite_l3"),
        "session": ("Session",),
        "sms": ("SmsRecord",),
        "tracker": ("SessionTracker",),
    },
)

__all__ = [
    "KEEP_RAW_WARNING", "Pseudonymizer", "Session", "SessionTracker", "SmsRecord", "activity", "default_key_path",
    "load_or_create_key",
    "rewrite_block", "rewrite_l3", "session_object", "sms_object",
]  # fmt: skip
