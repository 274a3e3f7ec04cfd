"""What a store received since the last look, and the dashboard's transmitter summaries kept up to
date from it.

:class:`StoredSince` reads the readings stored after the highest storage position it has seen
(the primary key's range: work grows with what is new, not with the store). Where several writers
commit out of order (PostgreSQL: positions are taken when rows are inserted, visible when their
transaction commits), it reads the last ``Store.late_positions`` positions again and keeps the
ones it has not yet returned.

:class:`LiveSummaries` is ``Store.transmitter_summaries`` brought up to date from those readings:
counts, verdicts, first/last time, sensors, and the reasons of the last reading received (the body
of each transmitter's newest position, read only for those that changed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sensor.collector.rows import Reading, TransmitterKey, TransmitterSummary
from sensor.collector.store import Store
from sensor.collector.transmitters import LOCATE_BODY_KEYS


class StoredSince:
    """The readings stored since the previous :meth:`read`, of each body only what a localisation
    reads (``LOCATE_BODY_KEYS``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.floor: int | None = (
            None  # set by the first read: a full read up to it, then the reads, see each reading once
        )
        self._high = 0  # the highest storage position read
        self._seen: set[int] = set()  # positions returned within the last ``store.late_positions``
        self.queries = 0

    def read(self) -> list[tuple[int, Reading]]:
        """(position, reading) pairs stored since the last call, in time order. The first call
        returns those after ``floor`` (the highest position less ``late_positions``): what a full
        read bounded by ``floor`` does not hold."""
        late = self.store.late_positions
        if self.floor is None:
            self.floor = self._high = max(0, self.store.last_position() - late)
            self.queries += 1
        rows = self.store.positioned_readings(
            after_pos=max(self.floor, self._high - late), body_keys=LOCATE_BODY_KEYS, by_position=True
        )
        self.queries += 1
        fresh = [(p, r) for p, r in rows if p not in self._seen]
        self._high = max([self._high, *(p for p, _ in rows)])
        self._seen = {p for p in self._seen.union(p for p, _ in fresh) if p > self._high - late} if late else set()
        return sorted(fresh, key=lambda pr: (pr[1].time_utc, pr[0]))


@dataclass
class _Summary:
    key: TransmitterKey
    n_readings: int
    first_utc: str
    last_utc: str
    verdicts: dict[str, int]
    sensors: set[str]
    last_pos: int
    latest_reasons: list[dict[str, Any]] = field(default_factory=list)

    def frozen(self) -> TransmitterSummary:
        order = ("normal", "suspicious", "fake")
        return TransmitterSummary(*self.key, n_readings=self.n_readings,
                                  first_utc=self.first_utc, last_utc=self.last_utc,
                                  verdicts={v: self.verdicts[v] for v in order if self.verdicts.get(v)},
                                  sensors=sorted(self.sensors), latest_reasons=self.latest_reasons,
                                  last_pos=self.last_pos)  # fmt: skip


class LiveSummaries:
    """``Store.transmitter_summaries`` kept up to date from a :class:`StoredSince`: the first refresh
    reads them in full up to its ``floor``; every refresh then adds what it read."""

    def __init__(self, since: StoredSince) -> None:
        self.since = since
        self._by_key: dict[TransmitterKey, _Summary] | None = None

    def refresh(self, new: list[tuple[int, Reading]]) -> list[TransmitterSummary]:
        """The summaries with ``new`` (what ``since.read()`` just returned) added."""
        store = self.since.store
        if self._by_key is None:
            self._by_key = {s.key: _Summary(s.key, s.n_readings, s.first_utc, s.last_utc, dict(s.verdicts),
                                            set(s.sensors), s.last_pos, s.latest_reasons)
                            for s in store.transmitter_summaries(up_to_pos=self.since.floor)}  # fmt: skip
        changed: dict[TransmitterKey, _Summary] = {}
        for pos, r in new:
            s = self._by_key.get(r.key)
            verdict = r.verdict if r.verdict in ("suspicious", "fake") else "normal"  # as the grouped query counts them
            if s is None:
                s = self._by_key[r.key] = _Summary(r.key, 0, r.time_utc, r.time_utc, {}, set(), 0)
            s.n_readings += 1
            s.first_utc, s.last_utc = min(s.first_utc, r.time_utc), max(s.last_utc, r.time_utc)
            s.verdicts[verdict] = s.verdicts.get(verdict, 0) + 1
            s.sensors.add(r.sensor)
            if pos > s.last_pos:
                s.last_pos = pos
                changed[r.key] = s
        bodies = store.bodies([s.last_pos for s in changed.values()])
        for s in changed.values():
            s.latest_reasons = list(bodies.get(s.last_pos, {}).get("reasons") or [])
        return [s.frozen() for s in self._by_key.values()]
