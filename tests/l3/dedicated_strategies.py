"""Hypothesis strategies for the dedicated-channel messages: one strategy per information element
type, and per message one built from its declared SPEC (every field, optional ones absent or
present, the header's TI and N(SD), undecoded remainders)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sensor.l3 import cp, ie, ie_mm, ie_rr, rp, rr_dedicated
from sensor.l3.elements import FLAG, HALF_OCTET, OCTETS, Field, Header, IEType, Remainder
from sensor.l3.freqlist import FreqListFormat, ListIE, decode_frequency_list, encode_frequency_list
from sensor.l3.ts24008 import MobileIdentityType
from sensor.l3.ts24011 import TBCD_DIGITS
from tests.l3.strategies import arfcn_lists

byte = st.integers(0, 255)
digits = st.text("0123456789", min_size=1, max_size=1)


def _digits(least: int, most: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=least, max_size=most)


mobile_identities = st.one_of(
    st.just(ie_mm.MobileIdentity.none()),
    st.integers(0, 0xFFFFFFFF).map(ie_mm.MobileIdentity.of_tmsi),
    _digits(1, 15).map(ie_mm.MobileIdentity.imsi),
    _digits(1, 15).map(lambda d: ie_mm.MobileIdentity(MobileIdentityType.IMEI, digits=d)),
    _digits(1, 16).map(lambda d: ie_mm.MobileIdentity(MobileIdentityType.IMEISV, digits=d)),
)
starting_times = st.builds(ie_rr.StartingTime, st.integers(0, 31), st.integers(0, 63), st.integers(0, 31))


def _channel_descriptions(cls: type) -> st.SearchStrategy[Any]:
    head = (st.integers(0, 31), st.integers(0, 7), st.integers(0, 7))
    return st.one_of(
        st.builds(cls, *head, arfcn=st.integers(0, 1023)),
        st.builds(cls, *head, maio=st.integers(0, 63), hsn=st.integers(0, 63)),
    )


@st.composite
def _frequency_lists(draw, kind: ListIE) -> Any:
    fmt = draw(st.sampled_from(list(FreqListFormat)))
    arfcns = draw(arfcn_lists(fmt))
    octets = encode_frequency_list(
        arfcns, kind, fmt, ba_ind=draw(st.integers(0, 1)), ext_ind=draw(st.booleans()),
        multiband_reporting=draw(st.integers(0, 3)),
    )  # fmt: skip
    return decode_frequency_list(octets, kind)


lais = st.builds(
    ie.LocationAreaIdentification,
    _digits(3, 3),
    st.one_of(_digits(2, 2), _digits(3, 3)),
    st.integers(0, 0xFFFF),
)
rp_addresses = st.none() | st.builds(
    rp.RPAddress, st.integers(0, 7), st.integers(0, 15), st.text(TBCD_DIGITS, max_size=20)
)


def _octets(most: int) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=most)


def _ints(high: int) -> st.SearchStrategy[int]:
    return st.integers(0, high)


# IEType → strategy of its decoded value
IE_STRATEGIES: dict[int, st.SearchStrategy[Any]] = {
    id(k): v
    for k, v in [
        (HALF_OCTET, _ints(15)),
        (OCTETS, _octets(30)),
        (FLAG, st.just(True)),
        (ie.LAI, lais),
        (ie.CELL_IDENTITY, _ints(0xFFFF)),
        (ie.NCC_PERMITTED, st.lists(_ints(7), unique=True).map(lambda v: tuple(sorted(v)))),
        (ie.NEIGHBOUR_CELL_DESCRIPTION, _frequency_lists(ListIE.NEIGHBOUR)),
        (ie.NEIGHBOUR_CELL_DESCRIPTION_2, _frequency_lists(ListIE.NEIGHBOUR_2)),
        (ie_rr.CHANNEL_DESCRIPTION, _channel_descriptions(ie.ChannelDescription)),
        (ie_rr.CHANNEL_DESCRIPTION_2, _channel_descriptions(ie_rr.ChannelDescription2)),
        (ie_rr.REQUEST_REFERENCE, st.builds(ie_rr.RequestReference, byte, starting_times)),
        (ie_rr.STARTING_TIME, starting_times),
        (ie_rr.TIMING_ADVANCE, _ints(63)),
        (ie_rr.WAIT_INDICATION, byte),
        (ie_rr.RR_CAUSE, byte),
        (ie_rr.POWER_COMMAND, byte),
        (ie_rr.PAGE_MODE, _ints(3)),
        (ie_rr.CHANNEL_NEEDED, _ints(15)),
        (ie_rr.DEDICATED_MODE_OR_TBF, _ints(15)),
        (ie_rr.FEATURE_INDICATOR, _ints(15)),
        (ie_rr.CIPHER_MODE_SETTING, st.builds(ie_rr.CipherModeSetting, st.booleans(), _ints(7))),
        (ie_rr.CIPHER_RESPONSE, _ints(1)),
        (ie_rr.SPARE_HALF_OCTET, _ints(15)),
        (ie_rr.MOBILE_ALLOCATION, _octets(8)),
        (ie_rr.TMSI, _ints(0xFFFFFFFF)),
        (
            ie_rr.CELL_OPTIONS_SACCH,
            st.builds(ie_rr.CellOptionsSacch, st.booleans(), _ints(7), st.integers(1, 16).map(lambda v: 4 * v)),
        ),
        (rr_dedicated.CELL_CHANNEL_DESCRIPTION_OCTETS, st.binary(min_size=16, max_size=16)),
        (rr_dedicated.FREQUENCY_CHANNEL_SEQUENCE, st.binary(min_size=9, max_size=9)),
        (rr_dedicated.CHANNEL_MODE, byte),
        (ie_mm.MOBILE_IDENTITY, mobile_identities),
        (ie_mm.LOCATION_UPDATING_TYPE, st.builds(ie_mm.LocationUpdatingType, _ints(3), st.booleans())),
        (ie_mm.CKSN, _ints(7)),
        (ie_mm.IDENTITY_TYPE, _ints(7)),
        (ie_mm.CM_SERVICE_TYPE, _ints(15)),
        (
            ie_mm.MS_CLASSMARK_1,
            st.builds(ie_mm.MobileStationClassmark1, _ints(3), st.booleans(), st.booleans(), _ints(7)),
        ),
        (ie_mm.MS_CLASSMARK_2, _octets(3)),
        (ie_mm.MS_CLASSMARK_3, _octets(32)),
        (ie_mm.REJECT_CAUSE, byte),
        (ie_mm.RAND, st.binary(min_size=16, max_size=16)),
        (ie_mm.SRES, st.binary(min_size=4, max_size=4)),
        (ie_mm.AUTN, _octets(16)),
        (cp.CP_USER_DATA, _octets(248)),
        (cp.CP_CAUSE_IE, byte),
        (rp.RP_MESSAGE_REFERENCE, byte),
        (rp.RP_ADDRESS, rp_addresses),
        (rp.RP_USER_DATA, _octets(232)),
        (rp.RP_CAUSE_IE, st.builds(rp.RPCause, _ints(127), st.none() | st.binary(min_size=1, max_size=1))),
    ]
}


def ie_strategy(t: IEType) -> st.SearchStrategy[Any]:
    return IE_STRATEGIES[id(t)]


def message_strategy(cls: type) -> st.SearchStrategy[Any]:
    """Random valid ``cls`` objects, from its SPEC."""
    kw: dict[str, st.SearchStrategy[Any]] = {}
    for el in cls.SPEC.fields:
        if isinstance(el, Header):
            if el.ti:
                kw["ti_flag"], kw["ti_value"] = _ints(1), _ints(127)
            if el.nsd:
                kw["send_sequence_number"] = _ints(3)
        elif isinstance(el, Remainder):
            tail = st.binary(max_size=8 if cls.SPEC.frame_octets else 40)
            kw[el.name] = tail.filter(lambda b: not b.endswith(b"\x2b")) if cls.SPEC.frame_octets else tail
        elif isinstance(el, Field) and el.const is None:
            s = ie_strategy(el.ie)
            kw[el.name] = st.none() | s if el.optional else s
    return st.builds(cls, **kw)
