"""The procedure a phone's first message starts, by the message's (PD, message type)."""

from __future__ import annotations

import pytest

from sensor.l3.dispatch import REGISTRY, UnknownMessage, decode_l3
from sensor.l3.mm import CMServiceRequest, ImsiDetachIndication, LocationUpdatingRequest
from sensor.l3.rr_dedicated import PagingResponse
from sensor.sessions import names

FIRST = {
    LocationUpdatingRequest: names.LOCATION_UPDATE,
    PagingResponse: names.PAGING_RESPONSE,
    CMServiceRequest: names.CM_SERVICE,
    ImsiDetachIndication: names.IMSI_DETACH,
}


@pytest.mark.parametrize("cls", sorted(set(REGISTRY.values()), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_each_declared_message_starts_its_procedure_or_none(cls):
    message = object.__new__(cls)  # procedure_of reads the class only
    assert names.procedure_of(message) == FIRST.get(cls)


def test_an_undeclared_or_unreadable_first_message_starts_none():
    unknown = decode_l3(bytes.fromhex("063b00"))
    assert isinstance(unknown, UnknownMessage) and names.procedure_of(unknown) is None
    assert names.procedure_of(None) is None and names.procedure_of(b"\x05\x08") is None
