"""``fbs-sensor scan``: one pass over the bands — every GSM cell in range, judged.

Live progress on a terminal (tuning, cells so far); a final table, the detections and what the
cells did to phones; ``--json`` prints CONTRACT.md's ``cell``, ``detection``, ``session`` and
``sms`` objects and a ``summary`` (with scan extensions: tunings, simulated/radio seconds and wall
seconds, stakeouts). ``--watch ARFCN`` stakes a carrier out (``scan/scheduler.py``); phones are
keyed hashes unless ``--keep-identities``.
"""

from __future__ import annotations

import json
import sys
import time

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sensor.commands.tables import print_activity, print_cells
from sensor.detect.baseline import Baseline
from sensor.detect.detector import Detector, detection_object
from sensor.gps.open import SPEC_HELP
from sensor.intel import analysed_sms
from sensor.intel.campaigns import fill_campaigns
from sensor.replay import CarrierSessions
from sensor.scan.scheduler import GOALS
from sensor.scan.session import open_session
from sensor.sessions import KEEP_RAW_WARNING, Pseudonymizer, session_object
from sensor.units import GAIN, HZ

WATCH_HELP = (
    "Pin a carrier (repeatable): its tuning is staked out, staying while it is active and in reach, "
    "whatever its verdict; the rest of the band is still revisited."
)
KEEP_IDENTITIES_HELP = (
    "Report phones' raw IMSI/TMSI/IMEI instead of keyed hashes; warned about on standard error and "
    "recorded in the output"
)


@click.command("scan")
@click.option(
    "--device", default="rtlsdr", show_default=True, help="rtlsdr[:SERIAL], hackrf, soapy:ARGS, sim[:SCENE.toml]."
)
@click.option("--profile", help="Receiver profile (default: the driver's usual one).")
@click.option(
    "--bands",
    "bands_text",
    default="gsm900",
    show_default=True,
    help="Bands, aliases or a region: e.g. gsm900,dcs or cn.",
)
@click.option("--arfcns", "arfcns_text", help="Only these ARFCNs, e.g. 40-80,90.")
@click.option("--rate", "rate_hz", type=HZ, help="Sample rate (default: the profile's).")
@click.option(
    "--gain",
    "gain_db",
    type=GAIN,
    help="Fixed gain in dB, or 'auto' for the tuner's AGC (default: chosen per tuning to avoid clipping).",
)
@click.option(
    "--goal",
    type=click.Choice(GOALS),
    default="quick",
    show_default=True,
    help="quick: stay until every cell's SI3; full: every SI type the cell announces.",
)
@click.option("--passes", type=click.IntRange(min=1), default=1, show_default=True, help="Passes over the bands.")
@click.option("--gps", "gps_spec", default="none", show_default=True, help=f"Position source: {SPEC_HELP}, or sim.")
@click.option("--ppm", type=float, help="Frequency correction in ppm (default: from calibration/<device>.toml).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="Detection rules config (TOML).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Area baseline database.")
@click.option("--watch", "watch", type=click.IntRange(0, 1023), multiple=True, metavar="ARFCN", help=WATCH_HELP)
@click.option("--keep-identities", is_flag=True, help=KEEP_IDENTITIES_HELP + ' (the summary says "identities": "raw").')
@click.option("--json", "as_json", is_flag=True, help="JSON lines (CONTRACT.md).")
def command(
    device: str,
    profile: str | None,
    bands_text: str,
    arfcns_text: str | None,
    rate_hz: float | None,
    gain_db: float | str | None,
    goal: str,
    passes: int,
    gps_spec: str,
    ppm: float | None,
    rules_path: str | None,
    baseline_path: str | None,
    watch: tuple[int, ...],
    keep_identities: bool,
    as_json: bool,
) -> None:
    """Scan the bands once: find every cell, decode what it broadcasts, judge it.

    \b
    With --json, JSON lines (CONTRACT.md): cell (with "activity" once dedicated
    traffic was seen), detection, session, sms, then a summary with the scan's
    extensions: tunings, timed_out, wall_s, left_out_arfcns, sessions, sms,
    stakeouts, stakeout_s and "identities": "keyed" or "raw".
    """
    if keep_identities:
        click.echo(KEEP_RAW_WARNING, err=True)
    detector = Detector.from_file(rules_path)
    baseline = Baseline(baseline_path) if baseline_path else None
    session = open_session(
        device,
        profile=profile,
        bands=bands_text,
        arfcns=arfcns_text,
        rate_hz=rate_hz,
        gain=gain_db,
        goal=goal,
        gps=gps_spec,
        ppm=ppm,
        watch=watch,
    )
    err = Console(stderr=True)
    if not as_json:
        for n in session.notes:
            err.print(f"[dim]{n}[/]")
    plan = session.plan
    # phones' sessions on the carriers heard (keyed hashes unless --keep-identities)
    carriers = CarrierSessions(Pseudonymizer(keep_raw=keep_identities))
    session.scanner.on_block = carriers.add
    t_wall = time.monotonic()
    visits = []
    try:
        with Progress(
            TextColumn("[bold]scanning[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[cells]} cells"),
            TimeElapsedColumn(),
            transient=True,
            disable=not sys.stderr.isatty(),
            console=err,
        ) as progress:
            task = progress.add_task("", total=len(plan.tunings) * passes, cells=0)
            sc = session.scanner
            sc.on_window = lambda v: progress.update(
                task, description=f"{v.center_hz / 1e6:.1f} MHz", cells=len(sc.tracker.cells)
            )
            for k in range(passes):
                for v in sc.scan_pass(k):
                    visits.append(v)
                    progress.advance(task)
        carriers.finish()
        objects = session.judge(detector, visits, baseline=baseline, activity_of=carriers.activity)
    finally:
        session.close()
        if baseline is not None:
            baseline.close()
    wall_s = time.monotonic() - t_wall
    radio_s = sum(v.dwell_s for v in visits) + len(visits) * session.profile.settle_s
    detections = [detection_object(o) for o in objects if o["verdict"] != "normal"]
    sessions = [session_object(x) for x in carriers.sessions]
    sms = [analysed_sms(m) for m in carriers.sms]
    fill_campaigns(sms)
    summary = {
        "type": "summary",
        "schema": 1,
        "recordings": 0,
        "seconds": round(radio_s, 3),
        "cells": len(objects),
        "blocks": session.scanner.blocks,
        "detections": len(detections),
        "tunings": len(visits),
        "timed_out": sum(v.timed_out for v in visits),
        "wall_s": round(wall_s, 3),
        "left_out_arfcns": [c.arfcn for c in plan.left_out],
        "sessions": len(sessions),
        "sms": len(sms),
        "stakeouts": session.scanner.stakeouts,
        "stakeout_s": round(session.scanner.stakeout_s, 3),
        "identities": "raw" if keep_identities else "keyed",
    }
    if as_json:
        for o in (*objects, *detections, *sessions, *sms, summary):
            click.echo(json.dumps(o))
        return
    console = print_cells(
        objects,
        detections,
        title=f"{len(objects)} cell(s): {len(visits)} tunings in {radio_s:.1f} s of radio time ({wall_s:.1f} s here)",
    )
    print_activity(console, objects, sms)
    if session.scanner.stakeouts:
        console.print(f"stakeouts: {session.scanner.stakeouts}, {session.scanner.stakeout_s:.1f} s of radio time")
    if keep_identities:
        console.print("identities: raw (--keep-identities)")
