"""The dashboard's live detections: the alert log (``/api/alerts``) and what the event streams
(``/api/events``) wait for.

One poller counts the store's detections every 0.5 s, keeps the recent ones as alerts (event id =
arrival index) and wakes the streams waiting for them; a stream resuming from an old
``Last-Event-ID`` gets what is no longer kept from the store. Nothing in the collector needs to
know about the dashboard.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from sensor.collector.dashboard_views import alert_of
from sensor.collector.store import Store, StoreError

log = logging.getLogger("sensor.collector.dashboard")

MAX_EVENTS_KEPT = 1000  # recent detections kept for streams that fall behind or reconnect


class AlertFeed:
    """The detections of ``store`` as they arrive; ``stop`` (the dashboard's) ends the poller and
    every wait."""

    def __init__(self, store: Store, stop: threading.Event) -> None:
        self.store = store
        self._stop = stop
        self._cond = threading.Condition()
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=MAX_EVENTS_KEPT)
        self._count = 0  # detections seen by the poller
        self.poll_error: str | None = None

    def count_stored(self) -> None:
        """Start from the detections already stored (at start: they are the alert log, not news)."""
        try:
            self._count = self.store.count("detection")
        except StoreError as exc:
            log.warning("dashboard: cannot count detections yet: %s", exc)

    def poll(self, interval_s: float) -> None:
        """The poller thread: ``poll_once`` every ``interval_s`` until stopped."""
        while not self._stop.wait(interval_s):
            try:
                self.poll_once()
                self.poll_error = None
            except StoreError as exc:  # database busy or gone for a moment: try again next time
                if self.poll_error != str(exc):
                    log.warning("dashboard: %s", exc)
                self.poll_error = str(exc)
            except Exception:  # a bug: keep the dashboard up, say so once per occurrence
                log.exception("dashboard poller")

    def wake(self) -> None:
        """Wake every waiting stream (they look at the stop event)."""
        with self._cond:
            self._cond.notify_all()

    def poll_once(self) -> int:
        """Look for new detections in the store; wakes the event streams. Returns how many were new."""
        n = self.store.count("detection")
        if n == self._count:
            return 0
        if n < self._count:  # store replaced or pruned: start over from here
            with self._cond:
                self._count = n
            return 0
        new = self.store.messages(kind="detection", offset=self._count)  # those after the ones seen, not all again
        with self._cond:
            for i, env in enumerate(new, start=self._count + 1):
                self._events.append((i, alert_of(env)))
            self._count += len(new)
            self._cond.notify_all()
        return len(new)

    def events_after(self, after: int, timeout_s: float) -> list[tuple[int, dict[str, Any]]]:
        """Detections with arrival index > ``after``, waiting up to ``timeout_s`` for one."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                out = [(i, a) for i, a in self._events if i > after]
                remaining = deadline - time.monotonic()
                if out or remaining <= 0 or self._stop.is_set():
                    return out
                self._cond.wait(remaining)

    def backlog(self, after: int) -> list[tuple[int, dict[str, Any]]]:
        """Detections after the ``after``-th that the poller has counted but no longer (or never) kept:
        a stream resuming from an old Last-Event-ID gets them from the store."""
        with self._cond:
            count = self._count
            oldest = self._events[0][0] if self._events else count + 1
        if after >= count or after + 1 >= oldest:
            return []
        first = max(after, count - MAX_EVENTS_KEPT)
        stored = self.store.messages(kind="detection", offset=first, limit=max(0, oldest - 1 - first))
        return [(i, alert_of(env)) for i, env in enumerate(stored, start=first + 1)]

    @property
    def last_event_id(self) -> int:
        return self._count

    def alerts(self, limit: int) -> dict[str, Any]:
        """The alert log: the newest ``limit`` stored detections in arrival order."""
        total = self.store.count("detection")
        stored = self.store.messages(kind="detection", offset=max(0, total - limit), limit=limit) if limit else []
        return {"alerts": [alert_of(env) for env in stored], "total": total, "last_event_id": total}
