"""What the stored SMS of the selected transmitters point at, gathered for sharing: every link,
registered domain and phone number, with when it was first and last seen, in how many SMS, sent by
which stations, received by which sensors and classified how; and every distinct text.

The block lists (``blocklists.py``) and the STIX bundle (``stix.py``) are written from this. Each
SMS is matched to the transmitter that sent it (:func:`station_of`): by its full identity, or, for
an SMS published before the sensor decoded the cell's identity, by ARFCN + BSIC when exactly one
selected transmitter has them; an SMS of no selected transmitter is left out (and counted).

The findings are the ones the sensor published with the SMS (the ``findings`` extension, its
first 100: ``sensor/intel/enrich.py``); an SMS stored without them (a sensor older than that
field) is looked at again here (:func:`sensor.intel.extract.extract`). A number or domain that
belongs to an official sender of the shipped or site tables (``firmware-config/senders``: the
real bank's 95588, ``icbc.com.cn``) is *held back*, and so is a link to such a domain: fraud
texts quote them to look genuine, and a block list must never cut the real bank. Links are kept
as values (``http://`` put in front of a link written without scheme, which is what a phone
opens); nothing is ever fetched or resolved.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sensor.collector.rows import StoredSms
from sensor.collector.transmitters import Transmitter
from sensor.intel.extract import extract
from sensor.intel.senders import Senders

KINDS = ("url", "domain", "phone")  # what is shared, in this order
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
MAX_WRITTEN = 8  # spellings kept per value ("as written"); the count says how many SMS


@dataclass(slots=True)
class Seen:
    """One value (a link, registered domain or phone number) and where it was seen."""

    kind: str  # "url", "domain", "phone"
    value: str  # the URL with a scheme, the registered domain, E.164 (or service-number digits)
    type: str | None = None  # the finding's type: "link", "short_link", "ip"; "cn_mobile", "cn_400", ...
    first_seen_utc: str = ""
    last_seen_utc: str = ""
    count: int = 0  # SMS that carried it
    written: list[str] = field(default_factory=list)  # distinct spellings in the texts, at most MAX_WRITTEN
    stations: dict[tuple[Any, ...], str] = field(default_factory=dict)  # transmitter key → label
    sensors: set[str] = field(default_factory=set)
    categories: Counter[str] = field(default_factory=Counter)

    def add(self, m: StoredSms, station: Transmitter, label: str, written: str | None) -> None:
        t = m.time_utc
        self.first_seen_utc = t if not self.first_seen_utc or t < self.first_seen_utc else self.first_seen_utc
        self.last_seen_utc = max(self.last_seen_utc, t)
        self.count += 1
        if written is not None and written not in self.written and len(self.written) < MAX_WRITTEN:
            self.written.append(written)
        self.stations[station.key] = label
        self.sensors.add(m.sensor)
        self.categories[str(m.body.get("category") or "unclassified")] += 1


@dataclass(slots=True)
class Text:
    """One distinct SMS text (with its sender), how often and by which stations it was pushed."""

    text: str
    sender: str
    first_seen_utc: str
    last_seen_utc: str
    count: int = 0
    category: str | None = None
    station_keys: list[tuple[Any, ...]] = field(default_factory=list)
    carried: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) of what it carried


@dataclass(slots=True)
class Gathered:
    """Everything :func:`gather` found: per kind the values (sorted), the distinct texts, the
    stations that sent SMS, how many SMS were read, left out and what was held back."""

    seen: dict[str, list[Seen]]
    texts: list[Text]
    stations: list[Transmitter]
    n_sms: int
    n_unmatched: int  # SMS of no selected transmitter
    held_back: dict[str, list[str]]  # kind → official numbers / domains not listed


def url_value(value: str) -> str:
    """A link as a URL: ``http://`` in front of one written without scheme (what a phone opens)."""
    return value if _SCHEME.match(value) else "http://" + value


def station_of(
    m: StoredSms,
    by_key: Mapping[tuple[Any, ...], Transmitter],
    by_carrier: Mapping[tuple[int, int | None], list[Transmitter]],
) -> Transmitter | None:
    """The selected transmitter that sent ``m`` (see the module doc), or None."""
    found = by_key.get(m.key)
    if found is not None:
        return found
    if m.mcc is None and m.cell_id is None:
        same = by_carrier.get((m.arfcn, m.bsic), [])
        if len(same) == 1:
            return same[0]
    return None


def _findings(m: StoredSms) -> list[dict[str, Any]]:
    published = m.body.get("findings")
    if isinstance(published, list):
        return [f for f in published if isinstance(f, Mapping) and isinstance(f.get("value"), str)]
    return [f.as_dict() for f in extract(m.text)] if isinstance(m.text, str) else []


def _official(kind: str, value: str, senders: Senders | None) -> bool:
    if senders is None:
        return False
    if kind == "phone":
        digits = value
        for cc in senders.calling_codes:
            if value.startswith(f"+{cc}"):
                digits = value[len(cc) + 1 :]
        return senders.brand_of_number(digits) is not None or senders.brand_of_number(value.lstrip("+")) is not None
    if kind == "domain":
        return any(value == d or value.endswith("." + d) for b in senders.brands.values() for d in b.domains)
    return False


def gather(
    sms: Iterable[StoredSms], stations: Sequence[Transmitter], *, label: Any, senders: Senders | None = None
) -> Gathered:
    """The values and texts of the SMS that ``stations`` sent (``label(t)`` names a station).
    ``senders``: the official-sender tables whose numbers and domains are held back (None: none)."""
    by_key = {t.key: t for t in stations}
    by_carrier: dict[tuple[int, int | None], list[Transmitter]] = {}
    for t in stations:
        by_carrier.setdefault((t.arfcn, t.bsic), []).append(t)
    seen: dict[tuple[str, str], Seen] = {}
    texts: dict[tuple[str, str], Text] = {}
    held: dict[str, set[str]] = {k: set() for k in KINDS}
    senders_of: dict[tuple[Any, ...], Transmitter] = {}
    n_sms = n_unmatched = 0
    for m in sms:
        station = station_of(m, by_key, by_carrier)
        if station is None:
            n_unmatched += 1
            continue
        n_sms += 1
        senders_of[station.key] = station
        name = label(station)
        carried: dict[tuple[str, str], tuple[str | None, str | None, str | None]] = {}  # raw, type, domain
        for f in _findings(m):
            kind, value, raw = f.get("kind"), f["value"], f.get("raw")
            if kind == "url":
                domain = f.get("domain")
                domain = domain.lower() if isinstance(domain, str) and domain else None
                carried.setdefault(("url", url_value(value)), (raw, f.get("type"), domain))
                if domain is not None:
                    carried.setdefault(("domain", domain), (None, None, domain))
            elif kind == "phone":
                carried.setdefault(("phone", value), (raw, f.get("type"), None))
        listed = []
        for (kind, value), (raw, ftype, domain) in carried.items():
            if _official(kind, value, senders) or (domain is not None and _official("domain", domain, senders)):
                held[kind].add(value)
                continue
            s = seen.get((kind, value))
            if s is None:
                s = seen[(kind, value)] = Seen(kind, value, ftype)
            s.add(m, station, name, raw if isinstance(raw, str) else None)
            listed.append((kind, value))
        if isinstance(m.text, str):
            tx = texts.get((m.sender, m.text))
            if tx is None:
                tx = texts[(m.sender, m.text)] = Text(m.text, m.sender, m.time_utc, m.time_utc,
                                                      category=m.body.get("category"))  # fmt: skip
            tx.first_seen_utc = min(tx.first_seen_utc, m.time_utc)
            tx.last_seen_utc = max(tx.last_seen_utc, m.time_utc)
            tx.count += 1
            if station.key not in tx.station_keys:
                tx.station_keys.append(station.key)
            tx.carried += [c for c in listed if c not in tx.carried]
    return Gathered(
        seen={k: sorted((s for s in seen.values() if s.kind == k), key=lambda s: s.value) for k in KINDS},
        texts=sorted(texts.values(), key=lambda x: (x.first_seen_utc, x.sender, x.text)),
        stations=[t for t in stations if t.key in senders_of],
        n_sms=n_sms,
        n_unmatched=n_unmatched,
        held_back={k: sorted(v) for k, v in held.items()},
    )
