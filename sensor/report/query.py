"""The report's figures from the collector's store, as grouped queries (standard SQL, the same on
SQLite and PostgreSQL, through ``Store.select``): nothing here reads a reading's body, so a million
readings are a few scans of indexed columns, not a million decoded rows.

Readings are graded by their verdict: 2 fake, 1 suspicious, 0 normal or none; a *flagged* reading
is one of grade 1 or 2 (fake-station activity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from sensor.collector.rows import IDENTITY_COLUMNS, TransmitterKey
from sensor.collector.store import Store, identities_where
from sensor.report.period import Period

GRADE = "CASE verdict WHEN 'fake' THEN 2 WHEN 'suspicious' THEN 1 ELSE 0 END"


def _range(store: Store, period: Period) -> tuple[str, list[Any]]:
    mark = store.placeholder
    return f"time_utc >= {mark} AND time_utc < {mark}", [period.since_utc, period.until_utc]


@dataclass(frozen=True)
class Positions:
    """Positioned readings grouped by exact position and grade: one row per distinct triple."""

    lat_deg: np.ndarray  # float64
    lon_deg: np.ndarray  # float64
    grade: np.ndarray  # int8: 2 fake, 1 suspicious, 0 normal
    count: np.ndarray  # int64 readings at that position and grade


def positions(store: Store, period: Period) -> Positions:
    """Readings of the period with a position, grouped by (lat, lon, grade): cars report every cell
    they hear from one fix, so many readings share a position. Grouped here by one lexical sort: the
    rows come from the covering index (migration 5) in time order, and a GROUP BY in SQL (a sort in
    the database, then the same rows to fetch) took three times as long on SQLite."""
    where, args = _range(store, period)
    rows = store.select(
        f"SELECT lat_deg, lon_deg, {GRADE} FROM readings WHERE {where} AND lat_deg IS NOT NULL AND lon_deg IS NOT NULL",
        args,
    )
    if not rows:
        empty = np.zeros(0)
        return Positions(empty, empty, np.zeros(0, np.int8), np.zeros(0, np.int64))
    lat, lon, grade = np.array(rows, dtype=float).T
    order = np.lexsort((grade, lon, lat))
    lat, lon, grade = lat[order], lon[order], grade[order]
    new = np.ones(len(lat), dtype=bool)
    new[1:] = (np.diff(lat) != 0) | (np.diff(lon) != 0) | (np.diff(grade) != 0)
    starts = np.flatnonzero(new)
    count = np.diff(np.append(starts, len(lat)))
    return Positions(lat[starts], lon[starts], grade[starts].astype(np.int8), count.astype(np.int64))


@dataclass(frozen=True)
class Totals:
    readings: int
    positioned: int
    flagged: int  # readings judged fake or suspicious
    sensors: int
    sessions: int
    phones: int  # distinct phones (keyed hashes) the period's sessions showed
    sms: int


def hourly(store: Store, table: str, period: Period, graded: bool) -> list[tuple[str, int, int]]:
    """(``YYYY-MM-DDTHH``, grade, count) of ``table``'s rows in the period (grade 0 when not
    ``graded``: sessions and SMS have no verdict)."""
    where, args = _range(store, period)
    grade = GRADE if graded else "0"
    rows = store.select(
        f"SELECT substr(time_utc, 1, 13), {grade}, COUNT(*) FROM {table} WHERE {where} GROUP BY 1, 2", args
    )
    return [(str(h), int(g), int(n)) for h, g, n in rows]


def totals(store: Store, period: Period) -> Totals:
    where, args = _range(store, period)
    n, positioned, flagged, sensors = store.select(
        f"SELECT COUNT(*), COUNT(lat_deg), SUM(CASE WHEN {GRADE} > 0 THEN 1 ELSE 0 END), COUNT(DISTINCT sensor) "
        f"FROM readings WHERE {where}",
        args,
    )[0]
    sessions, phones = store.select(f"SELECT COUNT(*), COUNT(DISTINCT phone) FROM sessions WHERE {where}", args)[0]
    (sms,) = store.select(f"SELECT COUNT(*) FROM sms WHERE {where}", args)[0]
    return Totals(int(n), int(positioned), int(flagged or 0), int(sensors), int(sessions), int(phones), int(sms))


def flagged_carriers(store: Store, period: Period) -> list[tuple[int, int | None]]:
    """(ARFCN, BSIC) of every carrier some reading of the period judged fake or suspicious."""
    where, args = _range(store, period)
    rows = store.select(
        f"SELECT DISTINCT arfcn, bsic FROM readings WHERE {where} AND verdict IN ('fake', 'suspicious')", args
    )
    return sorted(((int(a), None if b is None else int(b)) for a, b in rows), key=lambda c: (c[0], c[1] or -1))


@dataclass(frozen=True)
class Activity:
    sessions: int
    phones: int
    sms: int


def activity(store: Store, period: Period) -> dict[TransmitterKey, Activity]:
    """Per transmitter identity (``IDENTITY_COLUMNS``): sessions, distinct phones and SMS of the period."""
    where, args = _range(store, period)
    ident = ", ".join(IDENTITY_COLUMNS)
    out: dict[TransmitterKey, list[int]] = {}
    for row in store.select(
        f"SELECT {ident}, COUNT(*), COUNT(DISTINCT phone) FROM sessions WHERE {where} GROUP BY {ident}", args
    ):
        entry = out.setdefault(tuple(row[:6]), [0, 0, 0])
        entry[0] += int(row[6])
        entry[1] += int(row[7])
    for row in store.select(f"SELECT {ident}, COUNT(*) FROM sms WHERE {where} GROUP BY {ident}", args):
        out.setdefault(tuple(row[:6]), [0, 0, 0])[2] += int(row[6])
    return {k: Activity(*v) for k, v in out.items()}


def phones_over(store: Store, period: Period, transmitters: list[list[TransmitterKey]]) -> list[int]:
    """Per transmitter given as the identities its rows are stored under (a partial one and its
    completion), the distinct phones (keyed hashes) of the period's sessions over the union of them:
    a phone seen under both is one phone, where :func:`activity`'s per-identity counts would add it
    twice."""
    where, args = _range(store, period)
    out = []
    for keys in transmitters:
        which, which_args = identities_where(keys, store.placeholder)
        rows = store.select(
            f"SELECT COUNT(DISTINCT phone) FROM sessions WHERE {where} AND {which}", [*args, *which_args]
        )
        out.append(int(rows[0][0]))
    return out


def sms_groups(store: Store, period: Period) -> list[tuple[int, dict[str, Any]]]:
    """The period's SMS grouped by sender, sender type and text, each group as (how many, the body
    of its first one): a sensor derives an SMS's category, links, numbers and sender analysis from
    those alone (``sensor.intel.enrich``), so one body stands for its group and a campaign of
    thousands of identical texts is read once."""
    where, args = _range(store, period)
    groups = store.select(f"SELECT COUNT(*), MIN(pos) FROM sms WHERE {where} GROUP BY sender, sender_type, text", args)
    firsts = {int(pos): int(n) for n, pos in groups}
    bodies: dict[int, dict[str, Any]] = {}
    positions = sorted(firsts)
    for start in range(0, len(positions), 500):
        chunk = positions[start : start + 500]
        marks = ", ".join([store.placeholder] * len(chunk))
        for pos, body in store.select(f"SELECT pos, body FROM sms WHERE pos IN ({marks})", chunk):
            bodies[int(pos)] = json.loads(body) if isinstance(body, str | bytes) else dict(body)
    return [(firsts[pos], bodies[pos]) for pos in positions if pos in bodies]  # in the order they were stored


def sms_positions(store: Store, period: Period) -> np.ndarray:
    """(lat, lon) of the period's SMS whose sensor knew where it was, an (n, 2) array."""
    where, args = _range(store, period)
    rows = store.select(f"SELECT lat_deg, lon_deg FROM sms WHERE {where} AND lat_deg IS NOT NULL "
                        "AND lon_deg IS NOT NULL", args)  # fmt: skip
    return np.array(rows, dtype=float).reshape(-1, 2)
