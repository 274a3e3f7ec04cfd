"""Malformed sessions end to end: random blocks, and real sessions with random octets spliced in,
never make the tracker raise; every output object still serialises."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensor.model import L2Block
from sensor.sessions import Pseudonymizer, SessionTracker, activity, session_object, sms_object
from tests.sessions.simblocks import l2_blocks

NAMES = Pseudonymizer(bytes(range(32)))
SESSION = [b for b in l2_blocks("fake-street-sdcch8", "FAKE-street") if b.fn < 2000]

blocks = st.builds(
    L2Block,
    arfcn=st.just(64),
    fn=st.integers(0, 2715647),
    tn=st.integers(0, 7),
    channel=st.sampled_from(["BCCH", "CCCH", "SDCCH", "SACCH", "FACCH"]),
    octets=st.one_of(st.binary(min_size=0, max_size=30), st.binary(min_size=23, max_size=23)),
    crc_ok=st.booleans(),
    t_s=st.one_of(st.none(), st.floats(0, 1e4)),
    bsic=st.just(17),
    sub=st.one_of(st.none(), st.integers(0, 7)),
)


def _drain(tracker: SessionTracker) -> None:
    sessions, sms = tracker.finish()
    json.dumps([session_object(s) for s in sessions] + [sms_object(m) for m in sms] + [activity(tracker)])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(blocks, max_size=40))
def test_random_blocks_never_raise(random_blocks):
    tracker = SessionTracker(64, 17, NAMES)
    for block in random_blocks:
        tracker.add(block)
    _drain(tracker)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_session_with_hostile_octets_never_raises(data):
    tracker = SessionTracker(64, 17, NAMES)
    for block in SESSION:
        if block.channel != "CCCH" and data.draw(st.integers(0, 9)) == 0:
            cut = data.draw(st.integers(3, 22))
            tail = data.draw(st.binary(min_size=23 - cut, max_size=23 - cut))
            block = L2Block(
                **{f: getattr(block, f) for f in block.__dataclass_fields__} | {"octets": block.octets[:cut] + tail}
            )
        tracker.add(block)
    _drain(tracker)
