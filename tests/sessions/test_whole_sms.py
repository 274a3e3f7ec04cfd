"""A message LAPDm reassembled after a sequence gap counts as an SMS only if it proves whole: a
CP-DATA whose RP-DATA and SMS-DELIVER lengths account for exactly the octets received. The tail of a
message whose first segment was lost, or anything else, is dropped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sensor.l2.link import L3Message, LinkKey
from sensor.l2.ts44006 import SAPI_SIGNALLING, SAPI_SMS, Channel, FrameType
from sensor.l3.cp import CPData
from sensor.l3.rp import RPAddress, RPDataToMS
from sensor.sessions.tracker import proves_whole_sms
from sensor.sms.compose import compose_deliver

SENT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def _cp_data(text: str) -> bytes:
    (tpdu,) = compose_deliver(text, "95588", scts=SENT)
    rp = RPDataToMS(message_reference=7, originator_address=RPAddress(ton=1, npi=1, digits="8613800100500"),
                    user_data=tpdu.to_bytes())  # fmt: skip
    return CPData(user_data=rp.to_l2(), ti_value=0).to_l2()


def _event(l3: bytes, sapi: int = SAPI_SMS) -> L3Message:
    return L3Message(LinkKey(Channel.SDCCH, 2, sapi), False, FrameType.I, l3, 3, after_gap=True)


WHOLE = _cp_data("【工商银行】您的积分即将清零，请登录 icbc-jf.example 兑换")


def test_a_whole_cp_data_proves_whole():
    assert proves_whole_sms(_event(WHOLE))


@pytest.mark.parametrize(
    "octets",
    [
        WHOLE + b"\x00",  # an octet more than the lengths account for
        WHOLE[:-1],  # one less
        WHOLE[20:],  # a tail: the first segment (20 octets on an SDCCH) lost
        WHOLE[:2] + bytes([WHOLE[2] - 1]) + WHOLE[3:],  # CP-User data length off by one
        WHOLE[:5] + bytes([WHOLE[5] - 1]) + WHOLE[6:],  # the RP originator address's length off by one
        bytes.fromhex("0904"),  # a CP-ACK
        b"",
    ],
    ids=["longer", "shorter", "tail", "cp-length", "rp-address-length", "cp-ack", "empty"],
)
def test_anything_else_does_not(octets: bytes):
    assert not proves_whole_sms(_event(octets))


def test_only_on_the_sms_sapi():
    assert not proves_whole_sms(_event(WHOLE, sapi=SAPI_SIGNALLING))
