"""SMS: the transfer-layer PDUs of TS 23.040 and their text (TS 23.038), decoded and built.

Above ``l3`` (the CP/RP layers carry the TPDU as RP-User data); imports only l3, l2, gsm and the
foundation. Everything a fake station sends is hostile: every decoder is total (a result or an
:class:`SmsDecodeError`, a :class:`sensor.errors.DecodeError`), and bounded in time and memory.

Modules, one concern each:

* :mod:`.ts23038`, :mod:`.ts23040` — the specs' constants and tables, clause by clause (7-bit
  alphabet and extension, national shift tables for Turkish, Spanish, Portuguese; TP-DCS groups;
  TP-MTI per direction, TP-PID, TON/NPI, IEIs, limits);
* :mod:`.alphabet` — septet packing with fill bits, GSM 7 bit text with escapes and national shifts, UCS2;
* :mod:`.dcs` — TP-DCS ↔ :class:`DataCoding` (alphabet, class, compression, message waiting);
* :mod:`.address`, :mod:`.timestamp`, :mod:`.udh`, :mod:`.userdata` — the TPDU fields;
* :mod:`.tpdu` — SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT;
* :mod:`.compose` — text + sender + options → the SMS-DELIVER parts a (fake) station sends;
* :mod:`.concat` — parts joined again per phone, missing parts reported, bounded memory.

Public API::

    decode_tpdu(octets, direction="mt") -> SmsDeliver | SmsSubmit | SmsStatusReport
    decode_deliver(octets) -> SmsDeliver;  encode_deliver(sms) -> bytes  (also SmsDeliver.from_bytes/to_bytes)
    decode_submit / encode_submit, decode_status_report / encode_status_report
    SmsDeliver(originating_address, scts, user_data=UserData(text=...), pid=0, dcs=0, more_messages_waiting=False,
               loop_prevention=False, status_report_indication=False, reply_path=False)
        .text .udh .concat .coding .flash .silent .replace_type
    UserData(text=None, udh=None, data=None);  Address(value, ton, npi), Address.parse("+8613800138000"|"95588"|"ICBC")
    Concat(reference, total, number, reference_bits=8), Ports(destination, source, bits=16),
    LanguageShift(language, locking=False), OtherIe(iei, data)
    decode_dcs(octet) -> DataCoding;  encode_dcs(alphabet, message_class=None, compressed=False, auto_delete=False)
    compose_deliver(text, sender, scts=None, alphabet="auto", flash=False, silent=False, pid=0, reference=0,
                    reference_bits=8, header=()) -> list[SmsDeliver]
    Reassembler(max_pending=256).add(deliver, key) -> JoinedMessage | None; .pending() .flush() .take_evicted()
    pack_septets(septets, fill_bits=0), unpack_septets(octets, n, fill_bits=0), gsm7_encode/gsm7_decode,
    ucs2_encode/ucs2_decode, decode_scts/encode_scts
"""

from sensor import lazy

# module → the names it defines, imported when first asked for (a replay whose cells send no SMS
# imports none of this package; bench/README.md, "Fourth round: start-up")
__getattr__, __dir__ = lazy.exports(
    __name__,
    {
        "address": ("Address", "decode_address", "encode_address"),
        "alphabet": ("gsm7_decode", "gsm7_encode", "pack_septets", "ucs2_decode", "ucs2_encode", "unpack_septets"),
        "compose": ("compose_deliver", "split_text"),
        "concat": ("Incomplete", "JoinedMessage", "Reassembler"),
        "dcs": ("DataCoding", "MessageWaiting", "decode_dcs", "encode_dcs"),
        "errors": ("SmsDecodeError", "SmsEncodeError", "UnsupportedTpdu"),
        "timestamp": ("decode_scts", "encode_scts"),
        "tpdu": ("SmsDeliver", "SmsStatusReport", "SmsSubmit", "Tpdu", "decode_deliver", "decode_status_report",
            "decode_submit", "decode_tpdu", "encode_deliver", "encode_status_report", "encode_submit"),
        "ts23038": ("Alphabet", "Language", "MessageClass"),
        "ts23040": ("Direction", "NumberingPlan", "TypeOfNumber", "ValidityPeriodFormat"),
        "udh": ("Concat", "LanguageShift", "OtherIe", "Ports", "UdhElement"),
        "userdata": ("UserData",),
    },
)  # fmt: skip

__all__ = [
    "Address", "Alphabet", "Concat", "DataCoding", "Direction", "Incomplete", "JoinedMessage", "Language",
    "LanguageShift", "MessageClass", "MessageWaiting", "NumberingPlan", "OtherIe", "Ports", "Reassembler",
    "SmsDecodeError", "SmsDeliver", "SmsEncodeError", "SmsStatusReport", "SmsSubmit", "Tpdu", "TypeOfNumber",
    "UdhElement", "UnsupportedTpdu", "UserData", "ValidityPeriodFormat", "compose_deliver", "decode_address",
    "decode_dcs", "decode_deliver", "decode_scts", "decode_status_report", "decode_submit", "decode_tpdu",
    "encode_address", "encode_dcs", "encode_deliver", "encode_scts", "encode_status_report", "encode_submit",
    "gsm7_decode", "gsm7_encode", "pack_septets", "split_text", "ucs2_decode", "ucs2_encode", "unpack_septets",
]  # fmt: skip
