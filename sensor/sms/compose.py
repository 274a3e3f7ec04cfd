"""What a (fake) station sends: text + sender + options → the SMS-DELIVER TPDUs (TS 23.040, TS 23.038).

The alphabet is GSM 7 bit when every character is in the default alphabet or its extension
(TS 23.038 §6.2.1, §6.2.1.1), else UCS2 (§6.2.3, UTF-16: astral characters take two units). One
message holds 160 septets or 70 UCS2 units (TS 23.040 §9.2.3.16); a longer text is split into
concatenated parts, each with a concatenation IE in its header (§9.2.3.24.1 8-bit reference: 6
header octets, so 153 septets or 67 units a part; §9.2.3.24.8 16-bit reference: 7 octets, 152 or
66). A part never ends inside a GSM escape sequence or a UTF-16 surrogate pair; at most 255 parts.
Flash is message class 0 in TP-DCS (TS 23.038 §4); silent is TP-PID 0x40, short message type 0
(§9.2.3.9).
"""

from __future__ import annotations

from datetime import datetime

from .address import Address
from .alphabet import gsm7_char_septets, gsm7_fits, ucs2_units
from .dcs import encode_dcs
from .errors import SmsEncodeError
from .timestamp import utc_now_scts
from .tpdu import SmsDeliver
from .ts23038 import UCS2_OCTETS, Alphabet, MessageClass
from .ts23040 import MAX_PARTS, PID_DEFAULT, PID_TYPE_0, UD_MAX_OCTETS, UD_MAX_SEPTETS
from .udh import Concat, UdhElement, encode_udh
from .userdata import UserData, header_septets


def choose_alphabet(text: str) -> Alphabet:
    """GSM 7 bit if every character fits (extension included), else UCS2."""
    return Alphabet.GSM7 if gsm7_fits(text) else Alphabet.UCS2


def _cost(ch: str, alphabet: Alphabet) -> int:
    """Septets (GSM 7 bit) or UTF-16 units (UCS2) of one character."""
    if alphabet is Alphabet.GSM7:
        septets = gsm7_char_septets(ch)
        if septets is None:
            raise SmsEncodeError(f"character {ch!r} (U+{ord(ch):04X}) is not in the GSM 7 bit alphabet")
        return len(septets)
    return ucs2_units(ch)


def capacity(alphabet: Alphabet, header: tuple[UdhElement, ...] = ()) -> int:
    """Septets (GSM 7 bit) or UTF-16 units (UCS2) of text one message holds after ``header``."""
    header_octets = len(encode_udh(header)) if header else 0
    if alphabet is Alphabet.GSM7:
        return UD_MAX_SEPTETS - (header_septets(header_octets) if header else 0)
    return (UD_MAX_OCTETS - header_octets) // UCS2_OCTETS


def split_text(
    text: str, alphabet: Alphabet, reference_bits: int = 8, header: tuple[UdhElement, ...] = ()
) -> list[str]:
    """``text`` cut into the texts of its parts (one part when it fits one message after ``header``)."""
    costs = [_cost(ch, alphabet) for ch in text]
    if sum(costs) <= capacity(alphabet, header):
        return [text]
    limit = capacity(alphabet, (*header, Concat(0, 1, 1, reference_bits)))
    parts: list[str] = []
    start, used = 0, 0
    for i, cost in enumerate(costs):
        if used + cost > limit:
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    if len(parts) > MAX_PARTS:
        raise SmsEncodeError(
            f"text of {len(text)} characters needs {len(parts)} parts in {alphabet.value}; "
            f"a concatenated message has at most {MAX_PARTS}"
        )
    return parts


def compose_deliver(
    text: str,
    sender: str | Address,
    *,
    scts: datetime | None = None,
    alphabet: Alphabet | str = "auto",
    flash: bool = False,
    silent: bool = False,
    pid: int = PID_DEFAULT,
    reference: int = 0,
    reference_bits: int = 8,
    header: tuple[UdhElement, ...] = (),
) -> list[SmsDeliver]:
    """The SMS-DELIVER TPDUs a station sends for ``text`` from ``sender``.

    ``sender``: "95588", "10086", "+8613800138000" or a name such as "ICBC" (see
    :meth:`Address.parse`), or an :class:`Address`. ``scts``: the SC time stamp (timezone-aware;
    default now, UTC). ``alphabet``: "auto", "gsm7" or "ucs2". ``flash``: class 0. ``silent``: TP-PID
    0x40 (else ``pid``, e.g. 0x41-0x47 to replace). ``reference``/``reference_bits`` (8 or 16): the
    concatenation reference when the text needs several parts. ``header``: further UDH elements
    (e.g. :class:`~sensor.sms.udh.Ports`) put in every part before the concatenation IE.
    """
    address = sender if isinstance(sender, Address) else Address.parse(sender)
    chosen = choose_alphabet(text) if alphabet == "auto" else Alphabet(alphabet)
    if reference_bits not in (8, 16) or not 0 <= reference < 1 << reference_bits:
        raise SmsEncodeError(f"concatenation reference {reference} does not fit {reference_bits} bits")
    parts = split_text(text, chosen, reference_bits, tuple(header))
    dcs = encode_dcs(chosen, MessageClass.CLASS_0 if flash else None)
    pid = PID_TYPE_0 if silent else pid
    when = scts if scts is not None else utc_now_scts()
    out = []
    for number, part in enumerate(parts, 1):
        udh: tuple[UdhElement, ...] | None = tuple(header) or None
        if len(parts) > 1:
            udh = (*header, Concat(reference, len(parts), number, reference_bits))
        deliver = SmsDeliver(address, when, UserData(text=part, udh=udh), pid=pid, dcs=dcs)
        deliver.to_bytes()  # validates every field now, with the caller's stack
        out.append(deliver)
    return out
