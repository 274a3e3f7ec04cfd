"""The collector's storage interface: what the server, the localisation and the dashboard rely on.

A store keeps every accepted envelope once (by message id: sensors resend until acknowledged,
so duplicates are normal and must be harmless), one *reading* per observation or detection, one
row per phone *session* and per *SMS* a cell delivered (schema migration 3; the rows and how a
message becomes one: ``rows.py``), and per sensor when it was last heard from. ``SqliteStore`` is
the default; another backend (PostgreSQL) implements the same abstract methods and passes the
same tests (``tests/collector/test_store.py`` runs them against every implementation listed there).

Contract for implementations:
- ``save``/``save_many`` commit before returning: the server acknowledges a message only after
  its ``save`` has returned, and the sensor then forgets it.
- They take envelopes that ``sensor.publish.envelope.validate`` accepted.
- Failures that may pass (disk full, database restarting) raise ``StoreError``: the server then
  acknowledges nothing and the sensors resend later.
- Thread-safe: the server saves from its thread while others read.
"""

from __future__ import annotations

import abc
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sensor.collector.campaigns import CampaignRecord, by_transmitter, campaigns_of, evidence_of, owner_key
from sensor.collector.rows import (
    IDENTITY_COLUMNS,
    READING_COLUMNS,
    SESSION_COLUMNS,
    SMS_COLUMNS,
    Box,
    CarrierActivity,
    PhoneRecord,
    Reading,
    SensorRecord,
    StoredSession,
    StoredSms,
    TransmitterKey,
    TransmitterSummary,
)
from sensor.errors import SensorError
from sensor.utc import canonical_utc

EVIDENCE_READINGS = 500  # newest readings of a carrier searched for its CCCH block counts


class StoreError(SensorError):
    """The store cannot be opened, or a read or write failed."""


def identities_where(keys: Sequence[TransmitterKey], mark: str) -> tuple[str, list[Any]]:
    """SQL true for a row stored under any of ``keys`` (``IDENTITY_COLUMNS``), and its parameters
    (marked ``mark``): a field a key does not know matches only an unknown one (``col IS NULL``), a
    known one by ``col = mark``. Plain SQL on SQLite and PostgreSQL alike (no ``IS`` / ``IS NOT
    DISTINCT FROM`` dialects), each term an equality the ``*_transmitter`` indexes answer."""
    terms, args = [], []
    for key in keys:
        parts = []
        for column, value in zip(IDENTITY_COLUMNS, key, strict=True):
            parts.append(f"{column} IS NULL" if value is None else f"{column} = {mark}")
            args += [] if value is None else [value]
        terms.append("(" + " AND ".join(parts) + ")")
    return ("(" + " OR ".join(terms) + ")") if terms else "(1 = 0)", args


class Store(abc.ABC):
    """Idempotent storage of sensor messages (see the module docstring for the contract)."""

    @abc.abstractmethod
    def save_many(self, envelopes: Sequence[Mapping[str, Any]], *, received_utc: str | None = None) -> list[bool]:
        """Store envelopes in one commit; per envelope True if new, False if its id was already stored."""

    def save(self, envelope: Mapping[str, Any], *, received_utc: str | None = None) -> bool:
        """Store one envelope; True if new, False for a duplicate id (nothing changes then)."""
        return self.save_many([envelope], received_utc=received_utc)[0]

    def count(self, kind: str | None = None, *, sensor: str | None = None) -> int:
        """Messages stored, optionally of one kind and/or one sensor."""
        where, args = self._where({"kind =": kind, "sensor =": sensor})
        return int(self._query(f"SELECT COUNT(*) FROM messages{where}", args)[0][0])

    def messages(
        self,
        *,
        kind: str | None = None,
        sensor: str | None = None,
        since_utc: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Stored envelopes in the order they arrived, filtered by kind, sensor and ``sent_utc >=
        since_utc``; ``offset`` of them skipped, then at most ``limit`` (the n-th detection onwards
        without decoding those before it)."""
        where, args = self._where({"kind =": kind, "sensor =": sensor, "sent_utc >=": since_utc})
        page = (
            "" if limit is None and not offset else f" LIMIT {2**62 if limit is None else int(limit)}"
        )  # SQLite: no OFFSET without
        page += f" OFFSET {int(offset)}" if offset else ""
        rows = self._query(f"SELECT envelope FROM messages{where} ORDER BY pos{page}", args)
        return [self._body(envelope) for (envelope,) in rows]

    def _where(self, conditions: Mapping[str, Any]) -> tuple[str, list[Any]]:
        """`` WHERE a = ? AND b >= ?`` of the conditions (column and operator) that are not None; a
        bound on a stored time in the form the times are stored in (``canonical_utc``: ``…:20Z``
        and ``…:20.000Z`` bound ``…:20.000000Z`` as the time they say)."""
        used = {k: canonical_utc(v) if k.startswith(("time_utc ", "sent_utc ")) and isinstance(v, str) else v
                for k, v in conditions.items() if v is not None}  # fmt: skip
        return (" WHERE " + " AND ".join(f"{k} {self._placeholder}" for k in used)) if used else "", list(used.values())

    # Backends give the two hooks below; ``readings`` and ``transmitter_summaries`` are the same SQL
    # (standard, indexed columns) on every backend.
    _placeholder = "?"  # the driver's parameter mark
    # Positions below the highest one seen that can still become visible: 0 where rows are numbered
    # in commit order (SQLite's single writer); more where several writers commit out of order.
    late_positions = 0

    @abc.abstractmethod
    def _query(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement (``StoreError`` when the database fails)."""

    def select(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one read-only statement in the SQL every backend speaks, its parameters marked
        :attr:`placeholder` (the report's grouped queries: ``sensor/report/query.py``)."""
        return self._query(sql, args)

    @property
    def placeholder(self) -> str:
        """The driver's parameter mark for :meth:`select`."""
        return self._placeholder

    def _body(self, value: Any) -> dict[str, Any]:
        """A ``body`` or ``envelope`` column as the driver returns it, as a dict."""
        return dict(value)

    def _body_subset(self, keys: Sequence[str]) -> str:
        """SQL for an object of ``keys`` of each row's ``body`` (each key's value, JSON null where it
        has none), in place of the whole body."""
        raise NotImplementedError

    def readings(self, **filters: Any) -> list[Reading]:
        """Readings, oldest first, filtered as :meth:`positioned_readings` filters them."""
        return [r for _, r in self.positioned_readings(**filters)]

    def positioned_readings(
        self,
        *,
        arfcn: int | None = None,
        bsic: int | None = None,
        cell_id: int | None = None,
        sensor: str | None = None,
        message_id: str | None = None,
        since_utc: str | None = None,
        until_utc: str | None = None,
        within: Box | None = None,
        after_pos: int | None = None,
        limit: int | None = None,
        newest: int | None = None,
        with_body: bool = True,
        body_keys: Sequence[str] | None = None,
        by_position: bool = False,
    ) -> list[tuple[int, Reading]]:
        """(storage position, reading) pairs, oldest first: of a cell (any of arfcn/bsic/cell_id
        given narrows the search), of a sensor, of one message, with ``since_utc <= time_utc <=
        until_utc``, positioned ``within`` a box, stored at a position after ``after_pos``; the
        oldest ``limit`` or the newest ``newest`` of them; ``with_body=False``: ``body`` left empty
        (no decoding: what power maps need is all in the columns); ``body_keys``: ``body`` holds only
        these of its keys (those it has), picked out by the database: what a localisation needs
        (``transmitters.LOCATE_BODY_KEYS``) of an hour's readings without their whole bodies, which
        held 300 MB at the end of an hour's live run; ``by_position``: in
        storage order instead (what came after a position: the primary key's range, where ordering by
        time would walk the time index over the whole table)."""
        conditions: dict[str, Any] = {"arfcn =": arfcn, "bsic =": bsic, "cell_id =": cell_id, "sensor =": sensor,
                                      "message_id =": message_id, "time_utc >=": since_utc, "time_utc <=": until_utc,
                                      "pos >": after_pos}  # fmt: skip
        if within is not None:
            lat_min, lon_min, lat_max, lon_max = within
            conditions |= {"lat_deg >=": lat_min, "lat_deg <=": lat_max, "lon_deg >=": lon_min, "lon_deg <=": lon_max}
        where, args = self._where(conditions)
        if body_keys is not None and not all(re.fullmatch(r"[a-z_]+", k) for k in body_keys):
            raise ValueError(f"body keys must be plain names: {body_keys!r}")
        body = "body" if body_keys is None else f"{self._body_subset(body_keys)} AS body"
        columns = ", ".join(("pos", *READING_COLUMNS)) + (f", {body}" if with_body else "")
        order = " ORDER BY time_utc DESC, pos DESC" if newest is not None else " ORDER BY time_utc, pos"
        if by_position:
            order = " ORDER BY pos DESC" if newest is not None else " ORDER BY pos"
        count = newest if newest is not None else limit
        rows = self._query(
            f"SELECT {columns} FROM readings{where}{order}{'' if count is None else f' LIMIT {int(count)}'}", args
        )
        if newest is not None:
            rows.reverse()
        n = len(READING_COLUMNS) + 1

        def body_of(row: tuple[Any, ...]) -> dict[str, Any]:
            if not with_body:
                return {}
            b = self._body(row[n])
            return b if body_keys is None else {k: v for k, v in b.items() if v is not None}

        return [(int(row[0]), Reading(**dict(zip(READING_COLUMNS, row[1:n], strict=True)), body=body_of(row)))
                for row in rows]  # fmt: skip

    def last_position(self) -> int:
        """The highest storage position of a reading (0 when there is none)."""
        return int(self._query("SELECT COALESCE(MAX(pos), 0) FROM readings", [])[0][0])

    def transmitter_summaries(self, up_to_pos: int | None = None) -> list[TransmitterSummary]:
        """One summary per transmitter (``IDENTITY_COLUMNS``), from grouped queries: the dashboard's
        table at millions of readings without reading them all; of the readings stored at positions
        up to ``up_to_pos`` when given."""
        ident = ", ".join(IDENTITY_COLUMNS)
        where, args = ("", []) if up_to_pos is None else (f" WHERE pos <= {self._placeholder}", [up_to_pos])
        rows = self._query(
            f"SELECT {ident}, COUNT(*), MIN(time_utc), MAX(time_utc), "
            "SUM(CASE WHEN verdict = 'fake' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN verdict = 'suspicious' THEN 1 ELSE 0 END), MAX(pos) FROM readings{where} GROUP BY {ident}",
            args,
        )
        sensors: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for row in self._query(f"SELECT DISTINCT {ident}, sensor FROM readings{where}", args):
            sensors[tuple(row[:6])].append(row[6])
        reasons = {
            pos: list(body.get("reasons") or []) for pos, body in self.bodies([int(row[11]) for row in rows]).items()
        }
        out = []
        for row in rows:
            key = tuple(row[:6])
            n, fake, suspicious = int(row[6]), int(row[9] or 0), int(row[10] or 0)
            verdicts = {
                v: c for v, c in (("normal", n - fake - suspicious), ("suspicious", suspicious), ("fake", fake)) if c
            }
            out.append(TransmitterSummary(*key, n_readings=n, first_utc=row[7], last_utc=row[8], verdicts=verdicts,
                                          sensors=sorted(sensors[key]), latest_reasons=reasons.get(int(row[11]), []),
                                          last_pos=int(row[11])))  # fmt: skip
        return out

    def bodies(self, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
        """The bodies of the readings stored at ``positions`` (those that exist), 500 to a query."""
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(positions), 500):
            chunk = list(positions[start : start + 500])
            marks = ", ".join([self._placeholder] * len(chunk))
            for pos, body in self._query(f"SELECT pos, body FROM readings WHERE pos IN ({marks})", chunk):
                out[int(pos)] = self._body(body)
        return out

    # ----------------------------------------------------------------- phones' sessions and SMS

    def sessions(self, **filters: Any) -> list[StoredSession]:
        """Stored sessions, oldest first (by ``time_utc``, then arrival), filtered as
        :meth:`phone_records` filters."""
        return self.phone_records(StoredSession, **filters)  # type: ignore[return-value]

    def sms(self, **filters: Any) -> list[StoredSms]:
        """Stored SMS, oldest first, filtered as :meth:`phone_records` filters."""
        return self.phone_records(StoredSms, **filters)  # type: ignore[return-value]

    def phone_records(
        self,
        kind: type[PhoneRecord],
        *,
        arfcn: int | None = None,
        bsic: int | None = None,
        sensor: str | None = None,
        phone: str | None = None,
        since_utc: str | None = None,
        until_utc: str | None = None,
        limit: int | None = None,
        newest: int | None = None,
    ) -> list[PhoneRecord]:
        """Stored sessions (``kind`` StoredSession) or SMS (StoredSms), oldest first: of a carrier,
        a sensor, a phone (its keyed hash), with ``since_utc <= time_utc <= until_utc``; the first
        ``limit``, or the last ``newest``."""
        table, columns = ("sessions", SESSION_COLUMNS) if kind is StoredSession else ("sms", SMS_COLUMNS)
        where, args = self._where({"arfcn =": arfcn, "bsic =": bsic, "sensor =": sensor, "phone =": phone,
                                   "time_utc >=": since_utc, "time_utc <=": until_utc})  # fmt: skip
        order = "time_utc, pos" if newest is None else "time_utc DESC, pos DESC"
        count = limit if newest is None else newest
        rows = self._query(
            f"SELECT {', '.join(columns)}, body FROM {table}{where} ORDER BY {order}"
            f"{'' if count is None else f' LIMIT {int(count)}'}",
            args,
        )
        if newest is not None:
            rows.reverse()
        n = len(columns)
        return [kind(**dict(zip(columns, row[:n], strict=True)), body=self._body(row[n])) for row in rows]

    def activity(self, *, since_utc: str | None = None, sensor: str | None = None) -> list[CarrierActivity]:
        """Per transmitter (``IDENTITY_COLUMNS``): sessions, distinct phones (the keyed hashes its
        sessions showed) and SMS stored, from
        grouped queries over the indexed columns (no body read); optionally since a time, of one
        sensor. In no particular order."""
        ident = ", ".join(IDENTITY_COLUMNS)
        where, args = self._where({"time_utc >=": since_utc, "sensor =": sensor})
        figures: dict[tuple[Any, ...], list[Any]] = {}
        for table, distinct_phones in (("sessions", True), ("sms", False)):
            phones = "COUNT(DISTINCT phone)" if distinct_phones else "0"
            rows = self._query(
                f"SELECT {ident}, COUNT(*), {phones}, MIN(time_utc), MAX(time_utc) "
                f"FROM {table}{where} GROUP BY {ident}",
                args,
            )
            for row in rows:
                key = tuple(row[:6])
                entry = figures.setdefault(key, [0, 0, 0, row[8], row[9]])
                entry[0 if distinct_phones else 2] += int(row[6])
                entry[1] += int(row[7])
                entry[3], entry[4] = min(entry[3], row[8]), max(entry[4], row[9])
        return [CarrierActivity(*key, sessions=s, phones=p, sms=m, first_utc=first, last_utc=last)
                for key, (s, p, m, first, last) in figures.items()]  # fmt: skip

    def phones_of(
        self, transmitters: Sequence[Sequence[TransmitterKey]], *, since_utc: str | None = None,
        sensor: str | None = None,
    ) -> list[int]:  # fmt: skip
        """Per transmitter, given as the identities its rows are stored under (a partial one heard
        before the cell's SI3 was decoded and its completion: one transmitter), the distinct phones
        (keyed hashes) its sessions showed over the union of those identities' rows: a phone seen
        before the SI3 was decoded and again after is one phone. :meth:`activity` counts per stored
        identity; adding its counts would count that phone twice. One ``COUNT(DISTINCT phone)`` a
        transmitter, over the indexed identity columns; optionally since a time, of one sensor."""
        where, args = self._where({"time_utc >=": since_utc, "sensor =": sensor})
        out = []
        for keys in transmitters:
            which, which_args = identities_where(keys, self._placeholder)
            rows = self._query(
                f"SELECT COUNT(DISTINCT phone) FROM sessions WHERE {which}{where.replace(' WHERE ', ' AND ', 1)}",
                [*which_args, *args],
            )
            out.append(int(rows[0][0]))
        return out

    def campaigns(self, *, since_utc: str | None = None, until_utc: str | None = None,
                  sensor: str | None = None) -> list[CampaignRecord]:  # fmt: skip
        """The campaigns of the stored SMS across every sensor and day (``collector/campaigns.py``),
        in the order they were first seen; optionally of a time span, of one sensor."""
        return campaigns_of(self.sms(since_utc=since_utc, until_utc=until_utc, sensor=sensor))

    def evidence(
        self, *, since_utc: str | None = None, until_utc: str | None = None,
        keys: Sequence[TransmitterKey] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Per transmitter that pushed SMS or took phones: the evidence object
        (``sensor.intel.evidence``: SMS and phones as intervals, by category, against the 5,000
        threshold) with its identity, first and last time and sensors; graver first (more SMS).

        A transmitter is one of ``keys`` (the dashboard's table: partial identities merged into
        their completion), else each complete identity its sessions and SMS were stored under; the
        rows of an identity that is not one of them go under the one of them that
        ``campaigns.owner_key`` gives (else stand as their own). One record a transmitter, made
        from all its rows together, is what keeps the figures honest when a phone was seen under
        a partial identity and again under its completion: *seen* counts the distinct keyed phones
        over the union of its rows (that phone once), and *at most* adds to it, once, the sessions
        without an identity and the sessions the receiver may have missed on that one carrier
        (one binomial bound over all its sessions, with the CCCH losses of its readings of every
        identity: each sensor's newest). Records made per identity and added would count that
        phone twice at both ends."""
        sessions = self.sessions(since_utc=since_utc, until_utc=until_utc)
        sms = self.sms(since_utc=since_utc, until_utc=until_utc)
        if keys is None:
            keys = sorted({r.key for r in (*sessions, *sms) if r.key[2] is not None and r.key[3] is not None}, key=str)
        of_sessions, of_sms = by_transmitter(sessions, keys), by_transmitter(sms, keys)
        out = []
        for key in sorted({*of_sessions, *of_sms}, key=str):
            readings = [r for r in self.readings(arfcn=key[4], bsic=key[5], since_utc=since_utc, until_utc=until_utc,
                                                 newest=EVIDENCE_READINGS)
                        if (owner_key(r.key, keys) or r.key) == key]  # fmt: skip
            out.append(evidence_of(key, of_sessions.get(key, []), of_sms.get(key, []), readings))
        return sorted(out, key=lambda e: -e["sms"]["seen"])

    @abc.abstractmethod
    def sensors(self) -> list[SensorRecord]:
        """Every sensor that has sent a message, by id."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the database; further calls fail."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
