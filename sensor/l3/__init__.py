"""Layer 3 of the GSM radio interface: System Information, CCCH and dedicated-channel messages
(RR, MM, CC headers, SMS CP/RP), declared once as data on one codec; frequency lists.

Modules:

* :mod:`.ts24007`, :mod:`.ts24008`, :mod:`.ts24011`, :mod:`.ts44018` — spec constants (PDs, TI and
  N(SD) bits, message types, IEIs, cause tables, channel types ...);
* :mod:`.keys` — every ``cell.params`` key (BCCH and SACCH) and CCCH class, declared once;
* :mod:`.elements` — the vocabulary of the declarations; :mod:`.codec` — the decoder (and
  ``Message``); :mod:`.encoder` — the encoder; messages declared as data (TS 24.007 §11.2:
  V/T/TV/LV/TLV/LV-E/TLV-E, half
  octets, the §11.2.3 header with TI and N(SD), L2 pseudo length, rest octets, undecoded remainders,
  the §11.2.4 tolerant non-imperative part), one decoder and encoder;
* :mod:`.csn1` — rest octets declared in CSN.1, one reader and writer;
* :mod:`.freqlist` — the six channel list formats (TS 44.018 §10.5.2.13), encode and decode;
* :mod:`.ie` (BCCH), :mod:`.ie_rr` (RR: request reference, starting time, cipher mode setting ...),
  :mod:`.ie_mm` (TS 24.008: Mobile Identity, LU type, classmark 1, ...) — information elements;
* :mod:`.rest_octets`, :mod:`.si2quater` — the CSN.1 rest octets;
* :mod:`.messages` — SI1/2/2bis/2ter/2quater/3/4/13 objects, :func:`parse_si`;
* :mod:`.si_sacch` — SI5/5bis/5ter/6 (SACCH, B4 frames);
* :mod:`.rr_ccch` — Immediate Assignment (Extended, Reject), Paging Request 1/2/3;
* :mod:`.rr_dedicated` — Paging Response, Channel Release, Ciphering Mode Command/Complete,
  Classmark Change, Assignment Command;
* :mod:`.mm` — the MM messages of TS 24.008 §9.2; :mod:`.cc` — CC messages (header, body as octets);
* :mod:`.cp` — CP-DATA/ACK/ERROR (TS 24.011 §7.2); :mod:`.rp` — RP-DATA/ACK/ERROR/SMMA (§7.3);
* :mod:`.dispatch` — the (PD, message type) registry and :func:`decode_l3`;
* :mod:`.ccch` — ``classify_ccch`` and the simulator's CCCH builders;
* :mod:`.cell` — :class:`CellParams` and the ``build_*`` functions.

Public API others call:

* ``decode_l3(octets, *, pseudo_length=False, strict=True) -> message | UnknownMessage`` — any
  standard L3 message: the information field LAPDm delivers (I, UI, SABM/UA payloads), or with
  ``pseudo_length=True`` a 23-octet Bbis block (BCCH/CCCH) or the 19 octets of a B4 SACCH frame
  after its L1 header and ``03 03``. A readable header of an undeclared (PD, type) gives
  ``UnknownMessage(pd, message_type, octets)``; everything else malformed raises
  :class:`L3ParseError` (a :class:`~sensor.errors.DecodeError`), never another exception.
* ``decode_rp(octets) -> RP message`` — the RPDU in ``CPData.user_data`` (also ``CPData.rp()``);
  RP-User Data (the TPDU, TS 23.040) stays octets for :mod:`sensor.sms`.
* ``REGISTRY: Mapping[(pd, message_type), class]`` (a class's module imported when first read) and
  ``message_key_of(octets, offset=0)``.
* Every message class: frozen dataclass, ``SPEC`` (its declaration), ``to_l2() -> bytes``;
  ``codec.decode(cls, octets)`` / ``encoder.encode(msg)``. Header values are attributes:
  ``ti_flag``/``ti_value`` (CC, CP), ``send_sequence_number`` (MM, CC: N(SD) of a phone).
* Views for the session tracker: ``ChannelDescription.channel`` ("SDCCH/4", "SDCCH/8", "TCH/F",
  "TCH/H") and ``.sub_channel``, ``.hopping``; ``RequestReference.fn_mod_42432`` and
  ``RequestReference.from_fn(ra, fn)``; ``CipherModeSetting.a5``; ``MobileIdentity`` (``type``,
  ``digits``, ``tmsi``: personal data, hash before keeping); ``IdentityRequest.identity``;
  ``LocationUpdatingReject.cause_name`` / ``CMServiceReject.cause_name``; ``ChannelRelease.cause_name``;
  ``SystemInformation5.params()`` / ``SystemInformation6.params()`` (``keys.SACCH_*``).
* BCCH: ``parse_si(l2, *, strict=True)``, ``si_type_of(l2)``, ``build_all(params)``.

The names above are imported from their modules when first used (``from sensor.l3 import X``
imports only X's module), and the registry imports a message's module when one is first decoded.
"""

from __future__ import annotations

from sensor import lazy

# module → the names it defines, imported when first asked for: a replay of cells without dedicated
# channels never needs the simulator's cell builders or the dedicated channels' messages
# (bench/README.md, "Fourth round: start-up")
__getattr__, __dir__ = lazy.exports(
    __name__,
    {
        "cell": ("CellParams", "build_all"),
        "dispatch": ("REGISTRY", "UnknownMessage", "decode_l3", "message_key_of"),
        "errors": (
            "FrequencyListEncodeError", "L3EncodeError", "L3ParseError", "NotSystemInformation", "TruncatedMessage",
        ),
        "freqlist": (
            "FreqListFormat", "FrequencyList", "ListIE", "choose_format", "decode_frequency_list",
            "encode_frequency_list",
        ),
        "messages": ("SIType", "SystemInformation", "parse_si", "si_type_of"),
        "rp": ("decode_rp",),
    },
)  # fmt: skip

__all__ = [
    "REGISTRY",
    "CellParams",
    "FreqListFormat",
    "FrequencyList",
    "FrequencyListEncodeError",
    "L3EncodeError",
    "L3ParseError",
    "ListIE",
    "NotSystemInformation",
    "SIType",
    "SystemInformation",
    "TruncatedMessage",
    "UnknownMessage",
    "build_all",
    "choose_format",
    "decode_frequency_list",
    "decode_l3",
    "decode_rp",
    "encode_frequency_list",
    "message_key_of",
    "parse_si",
    "si_type_of",
]
