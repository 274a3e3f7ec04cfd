"""One phone session: a phone taken onto a dedicated channel, from its assignment to its release.

A :class:`Session` is the mutable record the tracker fills while the session's blocks arrive:
what the assignment said (channel, timeslot, sub-channel, hopping, followed), what the phone showed
(procedure, the keyed hash of its identity and the identity's type), what the cell did (identity
requests in order, authentication, ciphering, SMS, LU accept/reject and cause, release), the
timing advance of the SACCH, and the quality figures that decide ``complete`` and the ciphering
judgement from CRC failures (:func:`looks_ciphered`). It holds no raw identity: the tracker hashes
before it stores.

``result`` (CONTRACT.md): ``lu_reject`` / ``lu_accept`` when the location update's answer was
read, ``released`` when the Channel Release was read without either, ``incomplete`` when the end
was not decoded, and ``None`` for a ciphered session (its end cannot be read by anyone without the
key: unknown, not "seen in part"). ``complete`` is true only when every step from the assignment to
the release was decoded: the phone's first message (the UA echo) read, no block of its SDCCH lost
to a CRC failure or a LAPDm discard (sequence gap, undecodable frame) before the release, and the
release read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import names

# TS 44.018 §3.4.7 and issue 22: a session is judged ciphered from its CRC failures when at least
# this many of its blocks fail, they are at least this share of its blocks, and the carrier's
# BCCH/CCCH blocks (never ciphered) decode at least this share meanwhile
CIPHERED_MIN_FAILED_BLOCKS = 4
CIPHERED_MIN_FAILED_SHARE = 0.5
CARRIER_MIN_OK_SHARE = 0.8


@dataclass(slots=True)
class Session:
    """What is known of one session; ``None`` is unknown (CONTRACT.md)."""

    id: str
    arfcn: int
    bsic: int | None
    t_s: float | None
    channel: str | None
    tn: int | None
    sub: int | None
    hopping: bool
    followed: bool
    assigned: bool = True  # False: opened from a UA on a sub-channel whose assignment was not read
    end_t_s: float | None = None
    procedure: str | None = None
    phone: str | None = None
    identity_type: str | None = None
    identity_requests: list[str] = field(default_factory=list)
    auth: bool = False
    ciphered: bool = False
    ciphering_seen: bool = False  # the Ciphering Mode Command was read (not only inferred)
    sms: int = 0
    result: str | None = None
    cause: int | None = None
    timing_advance: int | None = None
    established: bool = False  # the UA echo (the phone's first message) was read
    released: bool = False  # the Channel Release was read
    closed: bool = False
    # quality: blocks of the session's SDCCH and SACCH decoded and failed, link discards, errors
    blocks_ok: int = 0
    blocks_failed: int = 0
    sdcch_lost: int = 0  # SDCCH blocks failed or discarded before ciphering or release
    link_discards: int = 0
    undecodable_messages: int = 0
    retransmissions: int = 0
    sms_keys: set = field(default_factory=set)  # the messages (sender, reference, total) seen, for ``sms``

    @property
    def readable(self) -> bool:
        """Blocks of this session still say something (not ciphered, not closed)."""
        return self.followed and not self.ciphered and not self.closed

    @property
    def complete(self) -> bool:
        return (
            self.followed
            and not self.ciphered
            and (self.assigned and self.established and self.released)
            and self.sdcch_lost == 0
            and self.link_discards == 0
        )

    def final_result(self) -> str | None:
        """The CONTRACT.md ``result`` once the session is over."""
        if self.ciphered or not self.followed:
            return None
        if self.result is not None:
            return self.result
        return names.RELEASED if self.released else names.INCOMPLETE


def looks_ciphered(session: Session, carrier_ok: int, carrier_failed: int) -> bool:
    """Issue 22: a session "whose blocks fail their Fire code while the carrier's other channels
    decode" is ciphered (its Ciphering Mode Command was missed); nothing is guessed from its blocks.
    ``carrier_ok``/``carrier_failed`` count the carrier's BCCH/CCCH blocks."""
    failed, total = session.blocks_failed, session.blocks_ok + session.blocks_failed
    carrier = carrier_ok + carrier_failed
    return (
        failed >= CIPHERED_MIN_FAILED_BLOCKS
        and failed >= CIPHERED_MIN_FAILED_SHARE * total
        and carrier > 0
        and carrier_ok >= CARRIER_MIN_OK_SHARE * carrier
    )
