"""The cells heard alongside a suspect: what the sensors that heard it also heard then and there,
the ``among`` of :meth:`Transmitter.locate` (``sensor/locate/reference.py`` takes the receiver-side
shadowing the real cells among them reveal off the suspect's power).

A :class:`Window` is one sensor's readings within ``margin_s`` of its positioned readings of the
suspect (the same scan cycles; overlapping windows merged) and inside the box of those readings
widened by ``margin_deg`` (~50 m): one indexed query (sensor, time) each, of each body only what a
localisation reads (``LOCATE_BODY_KEYS``: the ARFCNs a visit searched, whose silence about the suspect
is a censored reading of it).

- :func:`heard_alongside`: the cells alongside some transmitters, read afresh (``fbs-sensor locate``
  and ``export``).
- :class:`LiveSuspects`: the dashboard's suspects (their readings, the cells alongside each, the
  reasons of the gravest latest reading) kept between refreshes: each refresh is given what was
  stored since the last (``sensor/collector/live.py``), adds each new reading to the suspects and
  windows it belongs to, and queries only the windows a new reading of a suspect reshaped. What it
  returns equals what :func:`heard_alongside` and a full read give at that moment.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sensor.collector.rows import Box, Reading, TransmitterKey
from sensor.collector.store import Store
from sensor.collector.transmitters import LOCATE_BODY_KEYS, Transmitter, gravest_reading, time_s, transmitters
from sensor.publish.envelope import utc_now_iso

MARGIN_S = 12.0  # a scan cycle either side of a reading of the suspect
MARGIN_DEG = 0.0005  # ~50 m of latitude


@dataclass(frozen=True)
class Window:
    """One sensor's readings over ``since_utc``..``until_utc`` (as the stores compare times) inside ``box``."""

    sensor: str
    since_utc: str
    until_utc: str
    box: Box

    def holds(self, r: Reading) -> bool:
        """Whether the window's query returns ``r`` (the same comparisons, in Python)."""
        lat_min, lon_min, lat_max, lon_max = self.box
        return (r.sensor == self.sensor and self.since_utc <= r.time_utc <= self.until_utc
                and r.lat_deg is not None and r.lon_deg is not None
                and lat_min <= r.lat_deg <= lat_max and lon_min <= r.lon_deg <= lon_max)  # fmt: skip

    def read(self, store: Store) -> list[Reading]:
        return store.readings(sensor=self.sensor, since_utc=self.since_utc, until_utc=self.until_utc, within=self.box,
                              body_keys=LOCATE_BODY_KEYS)  # fmt: skip


def windows(t: Transmitter, sensor: str, margin_s: float = MARGIN_S, margin_deg: float = MARGIN_DEG) -> list[Window]:
    """The windows of ``sensor`` around its positioned readings of ``t``: [t − margin, t + margin]
    (a second wider for times stored without fractions), overlapping ones merged, each box that of
    its readings widened by ``margin_deg``."""
    points = sorted((time_s(r.time_utc), r.lat_deg, r.lon_deg) for r in t.readings
                    if r.sensor == sensor and r.lat_deg is not None and r.lon_deg is not None)  # fmt: skip
    spans: list[tuple[float, float, Box]] = []
    for ts, lat, lon in points:
        if spans and ts - margin_s <= spans[-1][1]:
            start, _, (a, b, c, d) = spans[-1]
            spans[-1] = (start, ts + margin_s, (min(a, lat - margin_deg), min(b, lon - margin_deg),
                                                max(c, lat + margin_deg), max(d, lon + margin_deg)))  # fmt: skip
        else:
            spans.append(
                (ts - margin_s, ts + margin_s, (lat - margin_deg, lon - margin_deg, lat + margin_deg, lon + margin_deg))
            )
    return [Window(sensor, utc_now_iso(start - 1.0), utc_now_iso(end + 1.0), box) for start, end, box in spans]


def heard_alongside(store: Store, chosen: Sequence[Transmitter], margin_s: float = MARGIN_S,
                    margin_deg: float = MARGIN_DEG) -> list[Transmitter]:  # fmt: skip
    """The transmitters the sensors that heard ``chosen`` also heard then and there (``chosen``
    among them): the readings of every :class:`Window` of every transmitter of ``chosen`` (windows
    per transmitter: two suspects far apart make no box between them). Work grows with those
    readings, not with the store."""
    out: dict[str, Reading] = {}
    for t in chosen:
        for sensor in sorted(t.sensors):
            for w in windows(t, sensor, margin_s, margin_deg):
                for r in w.read(store):
                    out.setdefault(r.message_id, r)
    return _as_transmitters(out.values())


def _as_transmitters(readings: Iterable[Reading]) -> list[Transmitter]:
    """Grouped by transmitter, each one's readings in time order (message id between equal times:
    the same order however they were gathered)."""
    return transmitters(sorted(readings, key=lambda r: (r.time_utc, r.message_id)))


@dataclass
class Located:
    """A suspect as the dashboard shows it: its readings (of their bodies only ``LOCATE_BODY_KEYS``),
    the transmitters heard alongside it, and the reasons of its gravest latest reading."""

    transmitter: Transmitter
    among: list[Transmitter]
    reasons: list[dict[str, Any]]


@dataclass
class _Suspect:
    transmitter: Transmitter
    positions: dict[str, int] = field(default_factory=dict)  # message id -> storage position
    windows: dict[str, dict[Window, dict[str, Reading]]] = field(default_factory=dict)  # sensor -> window -> readings
    reasons: tuple[str, list[dict[str, Any]]] | None = None  # (message id, reasons) of the gravest latest reading
    ordered: dict[str, list[Window]] = field(default_factory=dict)  # sensor -> its windows in time order
    starts: dict[str, list[str]] = field(default_factory=dict)  # sensor -> their since_utc

    def set_windows(self, sensor: str, by_window: dict[Window, dict[str, Reading]]) -> None:
        self.windows[sensor] = by_window
        self.ordered[sensor] = list(by_window)
        self.starts[sensor] = [w.since_utc for w in by_window]

    def holding(self, r: Reading) -> list[dict[str, Reading]]:
        """What the windows that hold ``r`` hold (a sensor's windows are in time order and overlap
        by their padding at most: the one starting last before ``r`` and the one before it)."""
        by_window = self.windows.get(r.sensor)
        if not by_window:
            return []
        k = bisect.bisect_right(self.starts[r.sensor], r.time_utc)
        return [by_window[w] for w in self.ordered[r.sensor][max(0, k - 2) : k] if w.holds(r)]


class LiveSuspects:
    """The dashboard's suspects and the cells alongside them, brought up to date by :meth:`refresh`.
    Not thread-safe: one refresh at a time (the dashboard holds a lock)."""

    def __init__(self, store: Store, margin_s: float = MARGIN_S, margin_deg: float = MARGIN_DEG) -> None:
        if margin_s < 1.0:  # windows then overlap by their padding at most, as ``_Suspect.holding`` relies on
            raise ValueError("margin_s must be at least 1 s")
        self.store = store
        self.margin_s, self.margin_deg = margin_s, margin_deg
        self._suspects: dict[TransmitterKey, _Suspect] = {}
        self.queries = 0  # window, suspect and reasons queries made (the tests read it)

    def refresh(
        self, keys: Iterable[TransmitterKey], new: Sequence[tuple[int, Reading]]
    ) -> dict[TransmitterKey, Located]:
        """The suspects ``keys`` (transmitter keys, from the store's summaries) as stored now, given
        ``new``: every reading stored since the previous refresh (``live.StoredSince``; more is
        harmless, readings are told apart by message id). A suspect seen for the first time is read
        in full."""
        of_key: dict[TransmitterKey, list[tuple[int, Reading]]] = {}
        for pos, r in new:
            of_key.setdefault(r.key, []).append((pos, r))
        for s in self._suspects.values():
            reshaped = set()
            for pos, r in of_key.get(s.transmitter.key, ()):
                if r.message_id not in s.positions:
                    s.positions[r.message_id] = pos
                    s.transmitter.readings.append(r)
                    reshaped.add(r.sensor)
            if reshaped:
                s.transmitter.readings.sort(key=lambda r: (r.time_utc, s.positions[r.message_id]))
            for sensor in reshaped:
                self._reshape(s, sensor)
            for _, r in new:  # readings of the time and place of a window that stays as it was
                for held in s.holding(r):
                    held.setdefault(r.message_id, r)
        out = {}
        for key in keys:
            s = self._suspects.get(key)
            if s is None:
                s = self._suspects[key] = self._load(key)
            out[key] = Located(s.transmitter, self._among(s), self._reasons(s))
        return out

    def _load(self, key: TransmitterKey) -> _Suspect:
        mcc, mnc, lac, cell_id, arfcn, bsic = key
        stored = self.store.positioned_readings(arfcn=arfcn, bsic=bsic, cell_id=cell_id, body_keys=LOCATE_BODY_KEYS)
        rows = [(p, r) for p, r in stored if r.key == key]
        self.queries += 1
        t = Transmitter(arfcn, bsic, mcc, mnc, lac, cell_id, [r for _, r in rows])
        s = _Suspect(t, {r.message_id: p for p, r in rows})
        for sensor in sorted(t.sensors):
            self._reshape(s, sensor)
        return s

    def _reshape(self, s: _Suspect, sensor: str) -> None:
        """The windows of ``sensor`` around the suspect's readings, those unchanged kept with what
        they hold, the others read."""
        old = s.windows.get(sensor, {})
        now = {}
        for w in windows(s.transmitter, sensor, self.margin_s, self.margin_deg):
            if w in old:
                now[w] = old[w]
            else:
                now[w] = {r.message_id: r for r in w.read(self.store)}
                self.queries += 1
        s.set_windows(sensor, now)

    def _among(self, s: _Suspect) -> list[Transmitter]:
        held: dict[str, Reading] = {}
        for by_window in s.windows.values():
            for readings in by_window.values():
                for mid, r in readings.items():
                    held.setdefault(mid, r)
        return _as_transmitters(held.values())

    def _reasons(self, s: _Suspect) -> list[dict[str, Any]]:
        worst = gravest_reading(s.transmitter.readings)
        if s.reasons is None or s.reasons[0] != worst.message_id:
            rows = self.store.readings(message_id=worst.message_id)
            self.queries += 1
            s.reasons = (worst.message_id, list(rows[0].body.get("reasons") or []) if rows else [])
        return s.reasons[1]
