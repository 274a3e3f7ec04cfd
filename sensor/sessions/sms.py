"""Short messages a cell delivered, assembled from the SMS-DELIVER TPDUs of its sessions.

Each TPDU (TS 23.040 §9.2.2.1, read from RP-DATA in CP-DATA on SAPI 3, TS 24.011) is handed to a
:class:`sensor.sms.Reassembler` keyed by the phone (its keyed hash; the session id when the phone
showed no identity), so the parts of one concatenated message join even when a fake sends them in
two sessions. A joined message becomes one :class:`SmsRecord` at once; parts still waiting at the
end (:meth:`SmsAssembler.finish`) or evicted by the reassembler's bound become records with the
parts that did arrive (``parts`` of ``of``), their text what those parts say.

A record carries the session and the time of the message's first part, the sender as a person
writes it (``Address.text``: digits, ``+`` and digits for an international number, or the
alphanumeric name), the TON as ``sender_type``, the coding, the text (``None`` for 8-bit data),
flash/silent and the service centre time stamp.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sensor.sms import Incomplete, JoinedMessage, Reassembler, SmsDeliver
from sensor.sms.address import Address
from sensor.sms.ts23038 import Alphabet

from . import names


@dataclass(frozen=True, slots=True)
class SmsRecord:
    """One short message as the ``sms`` object reports it (``parts``/``of`` None when not concatenated)."""

    arfcn: int
    bsic: int | None
    t_s: float | None
    session: str | None
    phone: str | None
    sender: str
    sender_type: str
    coding: str
    text: str | None
    parts: tuple[int, ...] | None
    of: int | None
    flash: bool
    silent: bool
    sc_timestamp: datetime | None

    @property
    def complete(self) -> bool:
        return self.of is None or self.parts == tuple(range(1, self.of + 1))


@dataclass(frozen=True, slots=True)
class _Origin:
    session: str
    phone: str | None
    t_s: float | None


def _coding(deliveries: Sequence[SmsDeliver]) -> str:
    """The parts' alphabet; 8-bit when any part is data."""
    alphabets = {d.coding.alphabet for d in deliveries}
    if Alphabet.EIGHT_BIT in alphabets:
        return Alphabet.EIGHT_BIT.value
    return deliveries[0].coding.alphabet.value


class SmsAssembler:
    """SMS of one carrier: ``add`` each SMS-DELIVER with its session, collect the records."""

    def __init__(self, arfcn: int, bsic: int | None, *, max_pending: int = 256) -> None:
        self.arfcn = arfcn
        self.bsic = bsic
        self._reassembler = Reassembler(max_pending=max_pending)
        self._origins: dict[int, tuple[SmsDeliver, _Origin]] = {}  # id(deliver) → (deliver, where it came)

    def add(self, deliver: SmsDeliver, *, session: str, phone: str | None, t_s: float | None) -> list[SmsRecord]:
        """The records this part completes: the joined message, and any message the bound evicted."""
        self._origins[id(deliver)] = (deliver, _Origin(session, phone, t_s))
        key: Hashable = phone if phone is not None else session
        joined = self._reassembler.add(deliver, key)
        out = [self._record(r) for r in self._reassembler.take_evicted()]
        if joined is not None:
            out.append(self._record(joined))
        return out

    def finish(self) -> list[SmsRecord]:
        """Records of the messages still waiting for parts (the end of the recording), oldest first."""
        out = [self._record(r) for r in self._reassembler.take_evicted()]
        out += [self._record(r) for r in self._reassembler.flush()]
        self._origins.clear()
        return out

    def _origin(self, deliveries: Sequence[SmsDeliver]) -> _Origin:
        found = [self._origins.pop(id(d), None) for d in deliveries]
        known = [o for d, o in (f for f in found if f is not None)]
        return known[0] if known else _Origin("", None, None)

    def _record(self, message: JoinedMessage | Incomplete) -> SmsRecord:
        deliveries = message.deliveries
        origin = self._origin(deliveries)
        sender: Address = message.sender
        coding = _coding(deliveries)
        if isinstance(message, Incomplete):
            parts, of = message.parts, message.total
        else:
            parts, of = message.parts, message.total
        return SmsRecord(
            arfcn=self.arfcn,
            bsic=self.bsic,
            t_s=origin.t_s,
            session=origin.session or None,
            phone=origin.phone,
            sender=sender.text,
            sender_type=names.SENDER_TYPES.get(sender.ton, "unknown"),
            coding=coding,
            text=None if coding == Alphabet.EIGHT_BIT.value else message.text,
            parts=parts,
            of=of,
            flash=any(d.flash for d in deliveries),
            silent=any(d.silent for d in deliveries),
            sc_timestamp=deliveries[0].scts if deliveries else None,
        )
