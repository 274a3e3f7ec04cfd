"""Concatenated SMS joined again (TS 23.040 §9.2.3.24.1, §9.2.3.24.8), with bounded memory.

A part belongs to the message named by (the caller's key, e.g. the phone or session; the sender;
the reference and its width; the total number of parts). When every part 1..total has arrived, the
message is returned joined in part order. A concatenation IE whose total is 0, or whose number is 0
or above the total, is ignored as §9.2.3.24.1 says: that TPDU is a message of its own. A repeated
part number keeps the first part and is counted. At most ``max_pending`` messages wait for parts;
beyond that the oldest (first part seen first) is evicted, counted, and kept as an
:class:`Incomplete` report (which parts arrived, which are missing, of how many) for the caller
to collect with :meth:`Reassembler.take_evicted`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from .address import Address
from .tpdu import SmsDeliver


@dataclass(frozen=True, slots=True)
class JoinedMessage:
    """One short message, all its parts joined (``parts``/``total`` None when not concatenated)."""

    key: Hashable
    sender: Address
    text: str | None  # None when a part carries data instead of text
    data: bytes | None  # the parts' octets joined when every part is data (8-bit, compressed)
    parts: tuple[int, ...] | None
    total: int | None
    reference: int | None
    deliveries: tuple[SmsDeliver, ...]

    @property
    def flash(self) -> bool:
        return any(d.flash for d in self.deliveries)

    @property
    def silent(self) -> bool:
        return any(d.silent for d in self.deliveries)

    @property
    def scts(self) -> datetime | None:
        return self.deliveries[0].scts


@dataclass(frozen=True, slots=True)
class Incomplete:
    """A concatenated message some of whose parts never arrived."""

    key: Hashable
    sender: Address
    reference: int
    reference_bits: int
    total: int
    parts: tuple[int, ...]  # received
    missing: tuple[int, ...]
    deliveries: tuple[SmsDeliver, ...]  # in part order

    @property
    def text(self) -> str | None:
        """What did arrive, in part order (None when a part is data)."""
        texts = [d.text for d in self.deliveries]
        return None if any(t is None for t in texts) else "".join(t or "" for t in texts)


def _joined(key: Hashable, deliveries: list[SmsDeliver], total: int | None, reference: int | None) -> JoinedMessage:
    texts = [d.text for d in deliveries]
    datas = [d.user_data.data for d in deliveries]
    return JoinedMessage(
        key=key,
        sender=deliveries[0].originating_address,
        text=None if any(t is None for t in texts) else "".join(t or "" for t in texts),
        data=None if any(b is None for b in datas) else b"".join(b or b"" for b in datas),
        parts=None if total is None else tuple(range(1, total + 1)),
        total=total,
        reference=reference,
        deliveries=tuple(deliveries),
    )


class Reassembler:
    """Joins concatenated SMS-DELIVER parts per key. ``max_pending`` bounds the messages waiting."""

    def __init__(self, max_pending: int = 256) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending}")
        self.max_pending = max_pending
        self._pending: OrderedDict[tuple, dict[int, SmsDeliver]] = OrderedDict()
        self._evicted: list[Incomplete] = []
        self.evicted = 0  # messages evicted incomplete, ever
        self.evicted_dropped = 0  # evicted reports not kept (more than max_pending uncollected)
        self.duplicates = 0  # repeated part numbers ignored

    def add(self, deliver: SmsDeliver, key: Hashable = None) -> JoinedMessage | None:
        """Take one part (or a whole message); the joined message once complete, else None."""
        concat = deliver.concat
        if concat is None:
            return _joined(key, [deliver], None, None)
        sender = deliver.originating_address
        slot = (key, sender, concat.reference_bits, concat.reference, concat.total)
        parts = self._pending.get(slot)
        if parts is None:
            parts = self._pending[slot] = {}
            while len(self._pending) > self.max_pending:
                old_slot, old_parts = self._pending.popitem(last=False)
                self._keep_evicted(self._incomplete(old_slot, old_parts))
        if concat.number in parts:
            self.duplicates += 1
            return None
        parts[concat.number] = deliver
        if len(parts) < concat.total:
            return None
        del self._pending[slot]
        return _joined(key, [parts[n] for n in range(1, concat.total + 1)], concat.total, concat.reference)

    @staticmethod
    def _incomplete(slot: tuple, parts: dict[int, SmsDeliver]) -> Incomplete:
        key, sender, bits, reference, total = slot
        got = tuple(sorted(parts))
        return Incomplete(
            key=key,
            sender=sender,
            reference=reference,
            reference_bits=bits,
            total=total,
            parts=got,
            missing=tuple(n for n in range(1, total + 1) if n not in parts),
            deliveries=tuple(parts[n] for n in got),
        )

    def _keep_evicted(self, report: Incomplete) -> None:
        self.evicted += 1
        if len(self._evicted) < self.max_pending:
            self._evicted.append(report)
        else:
            self.evicted_dropped += 1

    def pending(self) -> list[Incomplete]:
        """The messages still waiting for parts, oldest first."""
        return [self._incomplete(slot, parts) for slot, parts in self._pending.items()]

    def flush(self) -> list[Incomplete]:
        """The messages waiting for parts, oldest first, forgotten (e.g. at the end of a session)."""
        reports = self.pending()
        self._pending.clear()
        return reports

    def take_evicted(self) -> list[Incomplete]:
        """Reports of the messages evicted since the last call."""
        reports, self._evicted = self._evicted, []
        return reports
