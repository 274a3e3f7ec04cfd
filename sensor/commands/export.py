"""``fbs-sensor export``: the collector's readings and located transmitters as GeoJSON, KML, CSV or evidence
bundles; what fake stations' SMS pointed at as a STIX 2.1 bundle or CSV block lists.

The documents come from ``sensor/collector/exports.py``, ``stix.py`` and ``blocklists.py`` (values
gathered by ``indicators.py``); this command selects, locates and writes them. ``stix`` and the
block lists cover suspicious and fake transmitters unless ``--verdict`` says otherwise.

Output is written to a temporary file next to the target and renamed into place, and an
existing output is never replaced without ``--overwrite``.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click

from sensor.collector.open_store import open_existing
from sensor.errors import InputError

BLOCKLISTS = ("blocklist-urls", "blocklist-domains", "blocklist-numbers")
FORMATS = ("geojson", "kml", "csv", "evidence", "stix", *BLOCKLISTS)
SHARED = ("evidence", "stix", *BLOCKLISTS)  # formats that default to --verdict suspicious
VERDICTS = ("normal", "suspicious", "fake")


def parse_since(text: str | None) -> datetime | None:
    from sensor.collector.exports import parse_utc

    if text is None:
        return None
    try:
        return parse_utc(text)
    except ValueError:
        raise InputError(f"--since {text!r}: expected an ISO-8601 time, e.g. 2026-11-25T10:00:00Z") from None


def check_choice(option: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is not None and value.lower() not in choices:
        raise InputError(f"{option} {value!r}: expected one of {', '.join(choices)}")
    return None if value is None else value.lower()


def write_bytes(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` atomically (temp file + rename); refuse to replace it without ``overwrite``."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a file")
    if path.exists() and not overwrite:
        raise InputError(f"{path}: already exists (use --overwrite to replace it)")
    if not path.parent.is_dir():
        raise InputError(f"{path}: cannot write: directory {path.parent} does not exist")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@click.command("export")
@click.option("--db", "db_path", required=True, metavar="PATH", help="Collector database (SQLite).")
@click.option("--format", "fmt", required=True, metavar="FORMAT",
              help="geojson, kml, csv, evidence, stix, blocklist-urls|domains|numbers.")  # fmt: skip
@click.option("--out", "out", required=True, metavar="FILE_OR_DIR",
              help="Output file; for evidence a directory (one ZIP per transmitter).")  # fmt: skip
@click.option("--arfcn", type=click.IntRange(0, 1023), help="Only this ARFCN.")
@click.option("--since", "since_text", metavar="ISO", help="Only readings measured at or after this UTC time.")
@click.option("--verdict", "verdict", metavar="VERDICT",
              help="Only transmitters at least this grave: normal, suspicious or fake "
                   "(evidence, stix and block lists: suspicious by default).")  # fmt: skip
@click.option("--overwrite", is_flag=True, help="Replace existing output.")
def command(db_path: str, fmt: str, out: str, arfcn: int | None, since_text: str | None, verdict: str | None,
            overwrite: bool) -> None:  # fmt: skip
    """Export readings and located transmitters from the collector's database."""
    from sensor import __version__
    from sensor.collector import exports
    from sensor.collector.alongside import heard_alongside
    from sensor.collector.evidence_bundle import phone_files_of
    from sensor.collector.transmitters import transmitters
    from sensor.publish.envelope import utc_now_iso
    from sensor.utc import utc_iso

    fmt = check_choice("--format", fmt, FORMATS)  # type: ignore[assignment]
    verdict = check_choice("--verdict", verdict, VERDICTS)
    since = parse_since(since_text)
    out_path = Path(out)
    if fmt in SHARED and verdict is None:
        verdict = "suspicious"
    if fmt == "evidence":
        if out_path.exists() and not out_path.is_dir():
            raise InputError(f"{out}: is a file, expected a directory for evidence bundles")
        verdict = verdict if verdict != "normal" else "suspicious"
    else:
        # checked before the (slow) localisation; write_bytes checks again when writing
        if out_path.is_dir():
            raise InputError(f"{out}: is a directory, expected a file")
        if out_path.exists() and not overwrite:
            raise InputError(f"{out}: already exists (use --overwrite to replace it)")
        if not out_path.parent.is_dir():
            raise InputError(f"{out}: cannot write: directory {out_path.parent} does not exist")
        if not os.access(out_path.parent, os.W_OK):
            raise InputError(f"{out}: cannot write: permission denied")

    with open_existing(db_path) as store:
        readings = exports.since(store.readings(arfcn=arfcn), since)
        chosen = exports.select(transmitters(readings), arfcn=arfcn, min_verdict=verdict)
        among = heard_alongside(store, chosen) if fmt not in ("csv", *BLOCKLISTS) else []
        sms = [m for m in store.sms(arfcn=arfcn) if since is None or exports.parse_utc(m.time_utc) >= since]
        generated_utc = utc_now_iso()
        phone = (
            phone_files_of(
                store,
                chosen,
                since_utc=None if since is None else utc_iso(since.timestamp()),
                generated_utc=generated_utc,
            )
            if fmt == "evidence"
            else {}
        )
    n_readings = sum(len(t.readings) for t in chosen)

    if fmt in ("stix", *BLOCKLISTS):
        _shared(fmt, out_path, chosen, sms, among, overwrite=overwrite, generator=f"fbs-sensor {__version__}")
        return
    if fmt == "csv":
        rows = sorted((r for t in chosen for r in t.readings), key=lambda r: r.time_utc)
        write_bytes(out_path, exports.readings_csv(rows).encode(), overwrite=overwrite)
        click.echo(f"fbs-sensor export: {len(rows)} reading(s) to {out}", err=True)
        return
    located = exports.locate_transmitters(chosen, among=among)
    if fmt == "geojson":
        doc = exports.geojson(chosen, located)
        write_bytes(out_path, exports.dumps_json(doc).encode(), overwrite=overwrite)
    elif fmt == "kml":
        write_bytes(
            out_path, exports.kml(chosen, located, name=f"fbs-sensor {Path(db_path).name}"), overwrite=overwrite
        )
    else:
        _evidence(
            out_path,
            chosen,
            located,
            overwrite=overwrite,
            generator=f"fbs-sensor {__version__}",
            generated_utc=generated_utc,
            phone=phone,
        )
        return
    click.echo(f"fbs-sensor export: {n_readings} reading(s), {len(located)} transmitter(s) located or refused, "
               f"to {out}", err=True)  # fmt: skip


def _evidence(out: Path, chosen, located, *, overwrite: bool, generator: str, generated_utc: str, phone) -> None:  # type: ignore[no-untyped-def]
    from sensor.collector import exports

    targets = {t.key: out / f"{exports.slug(t)}.zip" for t in chosen}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not overwrite:
        raise InputError(f"{existing[0]}: already exists (use --overwrite to replace it)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create directory: {exc.strerror or exc}") from None
    for t in chosen:
        files = exports.evidence_files(t, located.get(t.key), generated_utc=generated_utc, generator=generator,
                                       phone_files=phone.get(t.key))  # fmt: skip
        write_bytes(targets[t.key], exports.evidence_zip(files, folder=exports.slug(t)), overwrite=overwrite)
        said = ""
        if phone.get(t.key):  # what it did to phones, in the figures a case is weighed by
            e = json.loads(phone[t.key]["evidence.json"])
            (s_lo, s_hi), (p_lo, p_hi) = e["sms"]["interval"], e["phones"]["interval"]
            said = f": SMS {s_lo}-{s_hi}, phones {p_lo}-{p_hi}, serious {e['serious']['shown']}"
        click.echo(f"fbs-sensor export: evidence for {exports.label(t)} ({t.verdict}) in {targets[t.key]}{said}",
                   err=True)  # fmt: skip
    if not chosen:
        click.echo("fbs-sensor export: no suspicious or fake transmitter selected; no evidence written", err=True)


def _shared(fmt: str, out: Path, chosen, sms, among, *, overwrite: bool, generator: str) -> None:  # type: ignore[no-untyped-def]
    from sensor.collector import exports
    from sensor.collector.indicators import gather
    from sensor.intel import senders

    gathered = gather(sms, chosen, label=exports.label, senders=senders.default())
    held = sum(len(v) for v in gathered.held_back.values())
    if fmt == "stix":
        from sensor.collector.stix import bundle

        located = exports.locate_transmitters(chosen, among=among)
        doc = bundle(gathered, chosen, located, label=exports.label, parse_utc=exports.parse_utc,
                     generated=datetime.now(UTC), generator=generator)  # fmt: skip
        write_bytes(out, (doc.serialize(pretty=True, ensure_ascii=False) + "\n").encode(), overwrite=overwrite)
        n = sum(len(v) for v in gathered.seen.values())
        what = f"{len(chosen)} station(s), {n} indicator(s), {len(gathered.texts)} distinct text(s)"
    else:
        from sensor.collector.blocklists import KIND_OF, blocklist_csv

        name = fmt.removeprefix("blocklist-")
        write_bytes(out, blocklist_csv(name, gathered).encode(), overwrite=overwrite)
        what = f"{len(gathered.seen[KIND_OF[name]])} {name}"
    click.echo(
        f"fbs-sensor export: {what} from {gathered.n_sms} SMS to {out}"
        + (f"; {held} official number(s)/domain(s) held back" if held else "")
        + (f"; {gathered.n_unmatched} SMS of unselected transmitters left out" if gathered.n_unmatched else ""),
        err=True,
    )
