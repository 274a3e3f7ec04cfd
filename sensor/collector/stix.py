"""A STIX 2.1 bundle of fake stations and what their SMS pointed at (``fbs-sensor export --format stix``).

Built with the ``stix2`` library (``pip install 'fbs-sensor[stix]'``; only this export needs it).
The bundle holds

* an ``identity`` for the producer (``fbs-sensor``, a system) and one per sensor (a system named
  by its sensor id) — the ``created_by_ref`` of everything and the ``where_sighted_refs`` of sightings;
* per selected transmitter an ``infrastructure`` (``infrastructure_types`` ``phishing`` when it
  pushed SMS, else ``unknown``; its label, verdict and reasons in ``description``; first/last
  seen from its readings) with a ``sighting`` of it (readings counted, the sensors that heard
  it), and, when the collector located it, a ``location`` (latitude, longitude and ``precision``:
  the radius in metres of the 95 % region) that the infrastructure is ``located-at``;
* per link, registered domain and phone number the SMS carried (``indicators.gather``) an
  ``indicator`` with a STIX pattern, ``valid_from`` its first sighting, a ``sighting`` (how many
  SMS carried it, first/last seen, which sensors) and an ``indicates`` relationship to each
  infrastructure that sent it. Patterns: ``[url:value = '<URL>']``, ``[domain-name:value =
  '<registered domain>']``, and ``[x-phone-number:value = '<E.164>']``: STIX 2.1 has no phone
  number object, so the custom cyber-observable type ``x-phone-number`` (property ``value``) is
  declared by an ``extension-definition`` in the bundle (``extension_types`` ``new-sco``), as
  STIX 2.1 §7.3 provides. String literals escape ``\\`` and ``'`` (§9.3.1).
* per distinct SMS text a ``note`` (``abstract``: its sender and count; ``content``: the text
  exactly as stored) referring to the infrastructures that sent it and the indicators it carried.

URLs are values here, as STIX means them (not defanged): a consumer matches on them. Nothing is
fetched or resolved. SMS text is hostile: JSON carries it as a string, and whoever shows a note
escapes it. Official numbers and domains are held back (``indicators``). Ids are stable
(:func:`stix_id`: the same value or station gets the same id in every export, so recipients merge
them); ``created``/``modified`` are the export's time.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sensor.collector.indicators import Gathered, Seen
from sensor.collector.transmitters import Transmitter
from sensor.errors import ConfigError
from sensor.locate.estimate import Estimate, Refusal

ID_SALT = "fbs-sensor stix 1"  # what stix_id hashes first: a new salt gives every object a new id
PHONE_TYPE = "x-phone-number"
PATTERN_OBJECT = {"url": "url", "domain": "domain-name", "phone": PHONE_TYPE}
INDICATOR_NAMES = {"url": "Link", "domain": "Domain", "phone": "Phone number"}
PHONE_SCHEMA = (
    "A telephone number seen in a short message: property value (string), the number in E.164 form "
    "(+ and country code) where it parses, else the digits of a national service number."
)


def _stix2() -> Any:
    try:
        import stix2
    except ImportError:
        raise ConfigError("the STIX export needs the stix2 library: pip install 'fbs-sensor[stix]'") from None
    return stix2


def stix_id(kind: str, *what: Any) -> str:
    """``kind--<UUID>``: the UUIDv4 layout STIX 2.1 §2.9 asks of SDOs and SROs, its 122 free bits taken
    from SHA-256 of what the object stands for, so the same thing gets the same id in every export."""
    digest = hashlib.sha256("|".join([ID_SALT, kind, *(repr(w) for w in what)]).encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def pattern_literal(value: str) -> str:
    """A STIX pattern string literal: quoted, with ``\\`` and ``'`` escaped (STIX 2.1 §9.3.1)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern(kind: str, value: str) -> str:
    """``[url:value = '...']``, ``[domain-name:value = '...']`` or ``[x-phone-number:value = '...']``."""
    return f"[{PATTERN_OBJECT[kind]}:value = {pattern_literal(value)}]"


def _times(t: Transmitter, parse: Callable[[str], datetime]) -> tuple[datetime | None, datetime | None]:
    times = [parse(r.time_utc) for r in t.readings]
    return (min(times), max(times)) if times else (None, None)


def bundle(
    gathered: Gathered,
    chosen: Sequence[Transmitter],
    located: Mapping[tuple[Any, ...], Estimate | Refusal],
    *,
    label: Callable[[Transmitter], str],
    parse_utc: Callable[[str], datetime],
    generated: datetime,
    generator: str,
) -> Any:
    """The ``stix2.v21.Bundle`` (see the module doc) of the transmitters ``chosen`` (their localisation
    in ``located``) and the values and texts ``gathered`` from their SMS."""
    stix2 = _stix2()
    v21 = stix2.v21
    stamp = {"created": generated, "modified": generated}
    producer = v21.Identity(id=stix_id("identity", "producer", generator.split()[0]), name=generator.split()[0],
                            identity_class="system", description=f"{generator}: passive GSM fake-base-station sensor",
                            **stamp)  # fmt: skip
    by = {"created_by_ref": producer.id, **stamp}
    objects: list[Any] = [producer]
    sensors: dict[str, Any] = {}

    def sensor_refs(names: Sequence[str] | set[str]) -> list[str]:
        for name in sorted(names):
            if name not in sensors:
                sensors[name] = v21.Identity(id=stix_id("identity", "sensor", name), name=name, identity_class="system",
                                             description="fbs-sensor sensor", **by)  # fmt: skip
                objects.append(sensors[name])
        return [sensors[n].id for n in sorted(names)]

    if gathered.seen["phone"]:
        objects.append(v21.ExtensionDefinition(
            id=stix_id("extension-definition", PHONE_TYPE), name=PHONE_TYPE, schema=PHONE_SCHEMA, version="1.0",
            extension_types=["new-sco"], description="Telephone numbers in short messages", **by,
        ))  # fmt: skip
    sent_sms = {t.key for t in gathered.stations}
    infrastructure: dict[tuple[Any, ...], Any] = {}
    for t in chosen:
        first, last = _times(t, parse_utc)
        details = "; ".join(str(r.get("detail", "")) for r in t.reasons())
        result = located.get(t.key)
        where = (
            f" Located within {result.radius_m:.0f} m (95 %) from {result.n_positions} positions."
            if isinstance(result, Estimate)
            else f" Not located: {result.reason}."
            if isinstance(result, Refusal)
            else ""
        )
        infra = v21.Infrastructure(
            id=stix_id("infrastructure", *t.key), name=f"GSM fake base station {label(t)}",
            infrastructure_types=["phishing" if t.key in sent_sms else "unknown"],
            description=f"Verdict {t.verdict} from {len(t.readings)} readings: {details}.{where}",
            first_seen=first, last_seen=last, **by,
        )  # fmt: skip
        infrastructure[t.key] = infra
        objects.append(infra)
        if t.readings:
            objects.append(v21.Sighting(
                id=stix_id("sighting", "infrastructure", *t.key), sighting_of_ref=infra.id, count=len(t.readings),
                first_seen=first, last_seen=last, where_sighted_refs=sensor_refs(t.sensors), **by,
            ))  # fmt: skip
        if isinstance(result, Estimate):
            loc = v21.Location(
                id=stix_id("location", *t.key), name=f"Estimated position of {label(t)}",
                latitude=round(result.lat_deg, 7), longitude=round(result.lon_deg, 7),
                precision=round(result.radius_m, 1), description=result.method, **by,
            )  # fmt: skip
            objects.append(loc)
            objects.append(v21.Relationship(id=stix_id("relationship", "located-at", *t.key), source_ref=infra.id,
                                            relationship_type="located-at", target_ref=loc.id, **by))  # fmt: skip
    indicator_ids: dict[tuple[str, str], str] = {}
    for kind in ("url", "domain", "phone"):
        for s in gathered.seen[kind]:
            ind = _indicator(v21, s, by, parse_utc)
            indicator_ids[(kind, s.value)] = ind.id
            objects.append(ind)
            objects.append(v21.Sighting(
                id=stix_id("sighting", kind, s.value), sighting_of_ref=ind.id, count=s.count,
                first_seen=parse_utc(s.first_seen_utc), last_seen=parse_utc(s.last_seen_utc),
                where_sighted_refs=sensor_refs(s.sensors), **by,
            ))  # fmt: skip
            for key in s.stations:
                if key in infrastructure:
                    objects.append(v21.Relationship(
                        id=stix_id("relationship", "indicates", kind, s.value, *key), source_ref=ind.id,
                        relationship_type="indicates", target_ref=infrastructure[key].id, **by,
                    ))  # fmt: skip
    for text in gathered.texts:
        refs = [infrastructure[k].id for k in text.station_keys if k in infrastructure]
        refs += [indicator_ids[c] for c in text.carried if c in indicator_ids]
        objects.append(v21.Note(
            id=stix_id("note", text.sender, text.text), abstract=f"SMS from {text.sender} ({text.count}×, "
            f"category {text.category or 'unclassified'})", content=text.text, object_refs=refs, **by,
        ))  # fmt: skip
    return v21.Bundle(objects=objects, id=stix_id("bundle", generator, generated.isoformat()))


def _indicator(v21: Any, s: Seen, by: Mapping[str, Any], parse_utc: Callable[[str], datetime]) -> Any:
    stations = "; ".join(sorted(s.stations.values()))
    written = f" Written as: {' | '.join(s.written)}." if s.written else ""
    categories = ", ".join(f"{c} {n}" for c, n in sorted(s.categories.items()))
    return v21.Indicator(
        id=stix_id("indicator", s.kind, s.value),
        name=f"{INDICATOR_NAMES[s.kind]} in SMS pushed by a GSM fake base station",
        description=f"In {s.count} SMS ({categories}) from {stations}.{written}",
        indicator_types=["malicious-activity"],
        pattern=pattern(s.kind, s.value),
        pattern_type="stix",
        valid_from=parse_utc(s.first_seen_utc),
        **by,
    )
