"""Hypothesis strategies for valid SMS objects (tests/sms)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from sensor.sms.address import Address
from sensor.sms.dcs import encode_dcs
from sensor.sms.ts23038 import DEFAULT_ALPHABET, DEFAULT_EXTENSION, ESC, Alphabet
from sensor.sms.ts23040 import BCD_DIGITS, TypeOfNumber, ValidityPeriodFormat
from sensor.sms.udh import Concat, LanguageShift, OtherIe, Ports
from sensor.sms.userdata import UserData

GSM7_CHARS = "".join(c for i, c in enumerate(DEFAULT_ALPHABET) if i != ESC) + "".join(DEFAULT_EXTENSION.values())

numbers = st.builds(
    Address,
    st.text(BCD_DIGITS, min_size=0, max_size=20),
    st.sampled_from([t for t in TypeOfNumber if t is not TypeOfNumber.ALPHANUMERIC]),
    st.integers(0, 15),
)
DEFAULT_CHARS = "".join(c for i, c in enumerate(DEFAULT_ALPHABET) if i != ESC)
names = st.builds(Address, st.text(DEFAULT_CHARS, max_size=11), st.just(TypeOfNumber.ALPHANUMERIC), st.integers(0, 15))
addresses = numbers | names

timestamps = st.builds(
    lambda dt, q: dt.replace(tzinfo=timezone(timedelta(minutes=15 * q))),
    st.datetimes(datetime(1990, 1, 1), datetime(2089, 12, 31, 23, 59, 59)).map(lambda d: d.replace(microsecond=0)),
    st.integers(-79, 79),
)

udh_elements = st.one_of(
    st.builds(Concat, st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.just(8)),
    st.builds(Concat, st.integers(0, 0xFFFF), st.integers(0, 255), st.integers(0, 255), st.just(16)),
    st.builds(Ports, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.just(16)),
    st.builds(Ports, st.integers(0, 255), st.integers(0, 255), st.just(8)),
    st.builds(LanguageShift, st.integers(0, 3), st.booleans()),
    st.builds(OtherIe, st.sampled_from([0x01, 0x0A, 0x20, 0x70, 0xC0]), st.binary(max_size=6)),
)
headers = st.none() | st.lists(udh_elements, max_size=3).map(tuple)


@st.composite
def user_data_and_dcs(draw, max_octets: int = 140):
    """(UserData, TP-DCS) that fit one TPDU."""
    udh = draw(headers)
    if udh is not None and any(isinstance(e, LanguageShift) for e in udh):
        udh = tuple(e for e in udh if not isinstance(e, LanguageShift))  # keep the default tables for the text
    header_octets = 0 if udh is None else 1 + sum(2 + _value_octets(e) for e in udh)
    alphabet = draw(st.sampled_from(list(Alphabet)))
    dcs = encode_dcs(alphabet, draw(st.none() | st.integers(0, 3)))
    room = max_octets - header_octets
    if alphabet is Alphabet.GSM7:
        septets = 160 - (header_octets * 8 + 6) // 7
        text = draw(st.text(GSM7_CHARS, max_size=septets // 2))
        return UserData(text=text, udh=udh), dcs
    if alphabet is Alphabet.UCS2:
        text = draw(st.text(max_size=room // 4))
        return UserData(text=text, udh=udh), dcs
    return UserData(udh=udh, data=draw(st.binary(max_size=room))), dcs


def _value_octets(e) -> int:
    if isinstance(e, Concat):
        return 3 if e.reference_bits == 8 else 4
    if isinstance(e, Ports):
        return 2 if e.bits == 8 else 4
    if isinstance(e, LanguageShift):
        return 1
    return len(e.data)


validity = st.one_of(
    st.tuples(st.just(ValidityPeriodFormat.NONE), st.just(b"")),
    st.tuples(st.just(ValidityPeriodFormat.RELATIVE), st.binary(min_size=1, max_size=1)),
    st.tuples(
        st.sampled_from([ValidityPeriodFormat.ENHANCED, ValidityPeriodFormat.ABSOLUTE]),
        st.binary(min_size=7, max_size=7),
    ),
)
