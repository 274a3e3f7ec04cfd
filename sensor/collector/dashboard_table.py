"""The dashboard's transmitter table (``/api/transmitters``): one record per transmitter from the
store's grouped summaries; the suspicious and fake ones located among the real cells heard where
and when they were (``sensor/geo/reference.py``), normal cells not located here (``fbs-sensor
locate --arfcn`` does).

The first build reads the summaries and the suspects in full; later ones add what was stored
since (``live.py``, ``alongside.LiveSuspects``). Rebuilt only when the store holds new messages,
one build at a time; estimates cached per transmitter until its readings or those alongside
change.

One row per transmitter: a partial identity (heard before the cell's SI3 was decoded) is merged into
its completion (``transmitters.merge_summaries``). Each row carries what the transmitter did to
phones (``Store.activity``: sessions, phones reached, SMS pushed; the latest SMS of the suspects,
links defanged), read again only when sessions or SMS were stored since; activity published before
the sensor knew the cell's identity counts under the one transmitter of that ARFCN and BSIC whose
known fields it matches: its sessions and SMS add, its phones do not (a phone seen before the SI3
was decoded and again after is one phone: ``Store.phones_of`` counts the keyed hashes over the union
of the transmitter's identities, asked only for transmitters with phones under more than one, and
once per change of the stored sessions and SMS). With it, the transmitter's campaigns
(``Store.campaigns``: every stored SMS grouped once, each campaign under the transmitters that
pushed it) and its evidence (``Store.evidence`` with the table's transmitters as its keys: one
record a transmitter, made from the rows of all its identities; SMS, phones and serious SMS as
intervals against the 5,000 threshold), both computed once per change of the stored sessions and SMS
or of the transmitters on carriers that have them (not per poll, not per transmitter), and while SMS
stream in at most every ``INTEL_DUTY`` times their last cost (at least ``INTEL_MIN_S`` apart): both
read every stored session and SMS, ~1.8 s at 10,000 SMS (``bench/bench_cards.py``), so a busy
collector spends at most about a tenth of a core on them and the cards' campaigns and intervals lag
by up to ~20 s there; until then the table shows the last ones and is built again at the next poll.
The CCCH losses the evidence counts from the readings are those of that time.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sensor.collector.alongside import LiveSuspects
from sensor.collector.campaigns import owner_key
from sensor.collector.dashboard_views import (
    HOUR_S,
    activity_view,
    campaign_view,
    evidence_view,
    transmitter_view,
    utc_seconds,
)
from sensor.collector.live import LiveSummaries, StoredSince
from sensor.collector.rows import IDENTITY_COLUMNS, CarrierActivity, StoredSms, TransmitterKey
from sensor.collector.store import Store, StoreError
from sensor.collector.transmitters import Transmitter, gravest, merge_summaries, table_order
from sensor.locate.estimate import Estimate, Refusal
from sensor.utc import utc_iso

log = logging.getLogger("sensor.collector.dashboard")

LATEST_SMS = 3  # SMS texts shown per suspect
INTEL_MIN_S = 2.0  # campaigns and evidence read again at most this often while sessions or SMS arrive...
INTEL_DUTY = 10.0  # ... and at most every this many times what reading them last took


def _owner(a: CarrierActivity, keys: list[TransmitterKey]) -> TransmitterKey | None:
    """The transmitter an activity record belongs to: its own key, else the only one of the same
    ARFCN and BSIC whose fields agree with every field the record knows."""
    return owner_key(a.key, keys)


class TransmitterTable:
    """The table of ``store``'s transmitters, built by ``build()`` when the store has changed."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._locations: dict[tuple[Any, ...], tuple[tuple[int, str, int], Estimate | Refusal]] = {}
        self._table: tuple[int, dict[str, Any]] | None = None  # (messages stored, /api/transmitters) last built
        self._build_lock = threading.Lock()  # one build of the table at a time
        # (session, sms counts), figures in all, figures in the hour up to the newest activity, its start and end
        self._activity: tuple[tuple[int, int], list[CarrierActivity], list[CarrierActivity], str | None,
                              str | None] | None = None  # fmt: skip
        # distinct phones over several identities of one transmitter (since when, the identities): of those counts
        self._phones: dict[tuple[str | None, frozenset[TransmitterKey]], int] = {}
        self._sms: dict[tuple[int, int | None], tuple[tuple[int, int], list[StoredSms]]] = {}
        # ((session, sms counts), the transmitters on carriers with sessions or SMS), every campaign (its
        # stations' keys and SMS, its view), every evidence record
        self._intel: tuple[tuple[tuple[int, int], frozenset[TransmitterKey]],
                           list[tuple[list[tuple[TransmitterKey, int]], dict[str, Any]]],
                           list[dict[str, Any]]] | None = None  # fmt: skip
        self._intel_at, self._intel_cost = 0.0, 0.0  # when (time.monotonic) and in how many seconds last read
        self._start_live()

    def _start_live(self) -> None:
        """The table's live state from nothing: its next build reads the store in full."""
        self._since = StoredSince(self.store)  # what each build of the table adds to the last
        self._summaries = LiveSummaries(self._since)
        self._suspects = LiveSuspects(self.store)

    def warm(self) -> None:
        """Build the table once at start (seconds at millions of readings: the suspects' readings
        and the cells alongside them are read in full), so the first page load finds it."""
        try:
            self.build()
        except StoreError as exc:
            log.warning("dashboard: transmitter table not built yet: %s", exc)
        except Exception:  # a bug: the page's own request will say so
            log.exception("dashboard: building the transmitter table")

    def build(self) -> dict[str, Any]:
        """Every transmitter from the store's summaries; the suspicious and fake ones with the
        reasons of their gravest latest reading, located among the real cells heard where and when
        they were. The first build reads the summaries (grouped queries) and the suspects in full;
        later ones add what was stored since (``live.py``, ``alongside.LiveSuspects``). Rebuilt only
        when the store holds new messages, by one request at a time (the others wait for it and
        share the table)."""
        with self._build_lock:
            count = self.store.count()
            if self._table is not None and self._table[0] == count:
                return self._table[1]
            try:
                new = self._since.read()
                summaries = self._summaries.refresh(new)
                suspects = self._suspects.refresh([s.key for s in summaries if gravest(s.verdicts) != "normal"], new)
            except BaseException:  # the database went away mid-build: what was read since must not be lost
                self._start_live()  # the next build reads everything afresh
                raise
            merged = merge_summaries(summaries)
            counts = self._phone_counts()  # sessions and SMS stored: what the activity and campaigns depend on
            activity, last_hour, hour_end = self._activity_of([s.key for s in merged], counts)
            campaigns, evidence, stale = self._intel_of([s.key for s in merged], counts)
            out = []
            for s in sorted(merged, key=lambda s: table_order(gravest(s.verdicts), s.arfcn, s.bsic)):
                got = suspects.get(s.key)
                act = activity.get(s.key)
                hour = None if act is None or hour_end is None else (hour_end, last_hour.get(s.key, 0))
                shows_sms = act is not None and act.sms and got is not None
                latest = self._latest_sms(s.arfcn, s.bsic, counts) if shows_sms else []
                did = activity_view(act, latest, hour, campaigns.get(s.key), evidence_view(evidence.get(s.key)))
                if got is None or not got.transmitter.readings:
                    out.append(transmitter_view(s, s.latest_reasons, None, did))  # not located
                else:
                    heard = sum(len(o.readings) for o in got.among)  # the real cells alongside change the fit too
                    out.append(transmitter_view(s, got.reasons, self._locate(got.transmitter, got.among, heard), did))
            self._table = (-1 if stale else count, {"transmitters": out})  # stale: built again at the next poll
            return self._table[1]

    def _phone_counts(self) -> tuple[int, int]:
        return self.store.count("session"), self.store.count("sms")

    def _activity_of(
        self, keys: list[TransmitterKey], counts: tuple[int, int]
    ) -> tuple[dict[TransmitterKey, CarrierActivity], dict[TransmitterKey, int], str | None]:
        """Per transmitter, what it did to phones; the phones it reached in the hour up to the newest
        activity stored, and that time (read again only when sessions or SMS were stored)."""
        if self._activity is None or self._activity[0] != counts:
            figures = self.store.activity() if any(counts) else []
            newest = max(
                (utc_seconds(a.last_utc) for a in figures if utc_seconds(a.last_utc) is not None), default=None
            )
            since = None if newest is None else utc_iso(newest - HOUR_S)
            recent = [] if since is None else self.store.activity(since_utc=since)
            self._activity = (counts, figures, recent, since, None if newest is None else utc_iso(newest))
            self._phones = {}
        _, figures, recent, since, end = self._activity
        hour = {k: a.phones for k, a in self._by_owner(recent, keys, since).items()}
        return self._by_owner(figures, keys, None), hour, end

    def _intel_of(
        self, keys: list[TransmitterKey], counts: tuple[int, int]
    ) -> tuple[dict[TransmitterKey, list[dict[str, Any]]], dict[TransmitterKey, dict[str, Any]], bool]:
        """Per transmitter, its campaigns (``campaign_view``s with the SMS of each it pushed) and its
        ``Store.evidence`` record (the store asked with ``keys`` as its transmitters), each under its
        owner among ``keys`` (:func:`owner_key`), and whether sessions or SMS were stored, or the
        transmitters on their carriers changed, since they were read: the store is read again when
        they were, unless it was read less than ``INTEL_MIN_S`` or ``INTEL_DUTY`` times its cost ago."""
        now = time.monotonic()
        due = now - self._intel_at >= max(INTEL_MIN_S, INTEL_DUTY * self._intel_cost)
        carriers = {a.key[4:] for a in self._activity[1]} if self._activity is not None else set()
        # the transmitters the stored rows can belong to (``owner_key`` looks only at a row's carrier)
        state = (counts, frozenset(k for k in keys if k[4:] in carriers))
        if self._intel is None or (self._intel[0] != state and due):
            every = self.store.campaigns() if any(counts) else []
            # each campaign's view (its template defanged) made once: (the stations' keys and SMS, view)
            views = [([(tuple(st[k] for k in IDENTITY_COLUMNS), int(st["sms"])) for st in c.stations],
                      campaign_view(c, 0)) for c in every]  # fmt: skip
            self._intel = (state, views, self.store.evidence(keys=sorted(state[1], key=str)) if any(counts) else [])
            self._intel_at = time.monotonic()
            self._intel_cost = self._intel_at - now
        read, views, every_evidence = self._intel
        owners: dict[TransmitterKey, TransmitterKey | None] = {}

        def owner_of(key: TransmitterKey) -> TransmitterKey | None:  # one search of ``keys`` per station
            if key not in owners:
                owners[key] = owner_key(key, keys)
            return owners[key]

        campaigns: dict[TransmitterKey, list[dict[str, Any]]] = {}
        for stations, view in views:
            pushed: dict[TransmitterKey, int] = {}
            for key, n in stations:
                owner = owner_of(key)
                if owner is not None:
                    pushed[owner] = pushed.get(owner, 0) + n
            for owner, n in pushed.items():
                campaigns.setdefault(owner, []).append({**view, "sms": n})
        # One record a transmitter (``Store.evidence`` was given the table's transmitters). While the
        # records are older than the table (not due yet) a transmitter may own several: its own is
        # shown, never a sum (a phone under two identities would count twice).
        evidence: dict[TransmitterKey, dict[str, Any]] = {}
        for e in every_evidence:
            key = tuple(e["station"][k] for k in IDENTITY_COLUMNS)
            owner = owner_of(key)
            if owner is not None and (owner not in evidence or key == owner):
                evidence[owner] = e
        return campaigns, evidence, read != state

    def _by_owner(
        self, figures: list[CarrierActivity], keys: list[TransmitterKey], since_utc: str | None
    ) -> dict[TransmitterKey, CarrierActivity]:
        """Activity records (those stored ``since_utc``) per transmitter, those of a partial identity
        under its owner: sessions and SMS added (each stored once), first and last widened, phones
        the distinct keyed hashes over the union of its identities' sessions (``Store.phones_of``,
        asked only where phones were seen under more than one; cached until the stored sessions or
        SMS change): a phone seen under two identities of one transmitter is one phone."""
        parts: dict[TransmitterKey, list[CarrierActivity]] = {}
        for a in figures:
            owner = _owner(a, keys)
            if owner is not None:
                parts.setdefault(owner, []).append(a)
        several = {owner: frozenset(a.key for a in got if a.phones) for owner, got in parts.items()}
        several = {owner: ids for owner, ids in several.items() if len(ids) > 1}
        asked = [ids for ids in several.values() if (since_utc, ids) not in self._phones]
        for ids, n in zip(asked, self.store.phones_of([sorted(ids, key=str) for ids in asked], since_utc=since_utc),
                          strict=True):  # fmt: skip
            self._phones[(since_utc, ids)] = n
        out: dict[TransmitterKey, CarrierActivity] = {}
        for owner, got in parts.items():
            phones = self._phones[(since_utc, several[owner])] if owner in several else max(a.phones for a in got)
            out[owner] = CarrierActivity(
                *owner, sessions=sum(a.sessions for a in got), phones=phones, sms=sum(a.sms for a in got),
                first_utc=min(a.first_utc for a in got), last_utc=max(a.last_utc for a in got))  # fmt: skip
        return out

    def _latest_sms(self, arfcn: int, bsic: int | None, counts: tuple[int, int]) -> list[StoredSms]:
        cached = self._sms.get((arfcn, bsic))
        if cached is None or cached[0] != counts:
            cached = self._sms[(arfcn, bsic)] = (counts, self.store.sms(arfcn=arfcn, bsic=bsic, newest=LATEST_SMS))
        return cached[1]

    def _locate(self, t: Transmitter, among: list[Transmitter], heard: int) -> Estimate | Refusal:
        """``t`` located, or its cached result while its readings and those alongside are as they were
        (called by the table's build only: under its lock)."""
        stamp = (len(t.readings), t.latest.message_id, heard)
        cached = self._locations.get(t.key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            result: Estimate | Refusal = t.locate(among=among)
        except Exception as exc:  # one transmitter's failure must not hide the others
            log.exception("dashboard: locating ARFCN %s failed", t.arfcn)
            result = Refusal(f"localisation failed: {type(exc).__name__}", 0)
        self._locations[t.key] = (stamp, result)
        return result
