"""``fbs-sensor replay``: recordings through the whole receiver, as CONTRACT.md specifies."""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from sensor.commands.inspect import recording_options
from sensor.detect.detector import Detector, detection_object
from sensor.detect.judge import judge_cells
from sensor.errors import ConfigError, InputError, SensorError
from sensor.gsm.allocations import load_allocations
from sensor.model import L2Block
from sensor.replay import Recording, Replayer, tunings
from sensor.replay.location import located
from sensor.sessions.pseudonym import KEEP_RAW_WARNING, Pseudonymizer
from sensor.sources.open import open_recording
from sensor.units import parse_bind


@click.command("replay")
@click.argument("recordings", nargs=-1, required=True, type=click.Path())
@recording_options
@click.option(
    "--jobs",
    "-j",
    type=int,
    default=1,
    show_default=True,
    help="Receive this many recordings at once, each in a process of its own; the output is the same.",
)
@click.option(
    "--ppm", type=float, help="Accepted for compatibility and ignored: the receiver measures its error itself."
)
@click.option("--track", type=click.Path(dir_okay=False), help="GPS track (.nmea or .gpx) for all recordings.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines on standard output (CONTRACT.md).")
@click.option("--blocks", "with_blocks", is_flag=True, help="Also one 'block' object per decoded L2 block.")
@click.option("--gsmtap", "gsmtap", metavar="HOST:PORT", help="Send every decoded block as GSMTAP v2 over UDP.")
@click.option(
    "--pcap", "pcap_path", type=click.Path(dir_okay=False), help="Write every decoded block to a pcap file (GSMTAP)."
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False),
    help="Detection rules config (TOML: [rules.<id>], [scoring]).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False),
    help="Area baseline database (SQLite) to judge against.",
)
@click.option("--learn", is_flag=True, help="Add the cells judged normal to the --baseline database.")
@click.option(
    "--keep-identities",
    is_flag=True,
    help="Report phones' raw IMSI/TMSI/IMEI instead of keyed hashes, in session/sms objects and in "
    '--blocks/GSMTAP/pcap frames; warned about on standard error, and the summary says "identities": "raw".',
)
def command(
    recordings: tuple[str, ...],
    fmt: str | None,
    rate_hz: float | None,
    center_hz: float | None,
    ppm: float | None,
    track: str | None,
    as_json: bool,
    with_blocks: bool,
    gsmtap: str | None,
    pcap_path: str | None,
    rules_path: str | None,
    baseline_path: str | None,
    learn: bool,
    keep_identities: bool,
    jobs: int,
) -> None:
    """Decode every GSM cell in RECORDING(s) (SigMF, or raw with --format/--rate/--center) and judge it.

    \b
    With --json, JSON lines (CONTRACT.md), in this order:
      block    (with --blocks) one per decoded L2 block, in time order
      cell     one per cell (ARFCN + BSIC); "activity" once dedicated traffic was
               seen: assignments, sessions, phones, identity requests, SMS, rejects by cause
      detection, location
      session  one per phone taken onto a dedicated channel, in time order
      sms      one per short message a cell delivered, in time order
      summary  last: recordings, seconds, cells, blocks, detections, sessions, sms,
               "identities": "keyed" or "raw"

    \b
    Phones' identities are personal data: "phone" in session and sms objects is a
    keyed hash ("k1:..."; the key is made on first use, 0600, beside the sensor's
    keys, or the file $FBS_SENSOR_IDENTITY_KEY), and frames (--blocks, GSMTAP,
    pcap) carry same-length pseudonyms. --keep-identities keeps them raw: a warning
    on standard error at start, "phone" becomes "imsi:<digits>" / "tmsi:<hex>",
    and the summary says "identities": "raw".

    \b
    A DIR stands for the SigMF recordings in it (NAME.sigmf-meta, NAME.sigmf), by
    name. --jobs N receives N recordings at once, each in a process of its own
    (one recording's captures stay in order in one process), and merges them in
    their order: the output is byte for byte what --jobs 1 prints, and --blocks
    streams as it comes. A recording that cannot be opened gives its one error
    line on standard error at the start, one that fails while read when its turn
    comes; the others are replayed and reported as usual, without it (what it gave
    before a read error stays), and the exit status is 2. Ctrl-C stops every
    process and exits with 130.
    """
    if learn and not baseline_path:
        raise ConfigError("--learn needs --baseline DB")
    if jobs < 1:
        raise ConfigError(f"--jobs {jobs}: give 1 or more processes")
    detector = Detector.from_file(rules_path)
    if track and not Path(track).is_file():
        raise InputError(f"{track}: no such track file")
    failed: list[SensorError] = []

    def report(exc: SensorError) -> None:
        failed.append(exc)
        click.echo(f"fbs-sensor: error: {exc}", err=True)

    sources = []
    for r in recording_paths(recordings):
        try:
            src = open_recording(r, fmt=fmt, sample_rate_hz=rate_hz, center_hz=center_hz)
        except SensorError as exc:
            report(exc)
            continue
        sources.append(Recording(src, r, Path(track) if track else None))
    if not sources:
        _exit_if(failed)  # each has said why, in one line
    # the frames' machinery is imported only when frames are asked for (bench/README.md, "Fourth round: start-up")
    sender = None
    if gsmtap:
        from sensor.frames.gsmtap import GsmtapSender

        sender = GsmtapSender(*parse_bind(gsmtap, "--gsmtap", example="127.0.0.1:4729", min_port=1))
    pcap = None
    if pcap_path:
        from sensor.frames.pcap import PcapWriter

        try:
            pcap = PcapWriter(pcap_path)
        except OSError as exc:
            raise InputError(f"{pcap_path}: cannot write: {exc.strerror}") from None
    out = sys.stdout
    if keep_identities:
        click.echo(KEEP_RAW_WARNING, err=True)

    # Sessions carry keyed hashes, and frames leave with keyed pseudonyms of the same length in place
    # of phones' identities (paging, UA echoes, identity responses): Wireshark still dissects them,
    # and nothing raw is written, unless --keep-identities.
    names = Pseudonymizer(keep_raw=keep_identities)
    frames = (with_blocks and as_json) or sender is not None or pcap is not None
    if frames:
        from sensor.frames.block import block_object, gsmtap_header
        from sensor.sessions.rewrite import rewrite_block

    def on_block(b: L2Block) -> None:
        if not frames:
            return
        if b.crc_ok and not keep_identities:
            b = replace(b, octets=rewrite_block(b.octets, b.channel, names))
        if as_json and with_blocks:
            out.write(json.dumps(block_object(b)) + "\n")
        if not b.crc_ok:  # GSMTAP and pcap carry decoded frames only, as gr-gsm sends them
            return
        if sender is not None:
            sender.send(b.octets, gsmtap_header(b))
        if pcap is not None:
            pcap.write_gsmtap(b.octets, gsmtap_header(b), t_s=b.time_utc_s or b.t_s or 0.0)

    with _progress_bar() as progress:
        replayer = Replayer(on_block=on_block, progress=progress, pseudonymizer=names)
        try:
            tracker = replayer.run(sources, jobs=jobs, on_error=lambda rec, exc: report(exc))
        finally:
            if sender is not None:
                sender.close()
            if pcap is not None:
                pcap.close()
    cells = sorted(tracker.cells.values(), key=lambda c: (c.arfcn, -1 if c.bsic is None else c.bsic))
    cells = [c for c in cells if c.blocks > c.blocks_failed]
    st = replayer.stats
    baseline = None
    if baseline_path:
        from sensor.detect.baseline import Baseline

        baseline = Baseline(baseline_path)
    try:
        carriers = replayer.sessions
        assert carriers is not None
        objects = judge_cells(
            cells,
            detector,
            baseline=baseline,
            allocations=load_allocations(),
            tunings=tunings(sources),
            activity={c.key: carriers.activity(c.arfcn, c.bsic) for c in cells},
        )
        if baseline is not None and learn:
            learned = sum(baseline.learn(o, o["position"]) for o in objects)
            click.echo(f"baseline: learned {learned} of {len(objects)} cells into {baseline_path}", err=True)
    finally:
        if baseline is not None:
            baseline.close()
    detections = [detection_object(o) for o in objects if o["verdict"] != "normal"]
    locations = located(cells, objects, tunings(sources))
    sessions = []
    if carriers.sessions:
        from sensor.sessions.output import session_object

        sessions = [session_object(s) for s in carriers.sessions]
    sms = []
    if carriers.sms:  # the analysis (phone numbers, links, classifier: ~0.1 s of imports) only when there are SMS
        from sensor.intel import analysed_sms
        from sensor.intel.campaigns import fill_campaigns

        sms = [analysed_sms(m) for m in carriers.sms]
        fill_campaigns(sms)  # the recording's texts grouped into campaigns, as one batch
    summary = {
        "type": "summary",
        "schema": 1,
        "recordings": st.recordings,
        "seconds": round(st.seconds, 3),
        "cells": len(objects),
        "blocks": st.blocks,
        "detections": len(detections),
        "sessions": len(sessions),
        "sms": len(sms),
        "identities": "raw" if keep_identities else "keyed",
    }
    if as_json:
        for o in objects:
            out.write(json.dumps(o) + "\n")
        for d in (*detections, *locations, *sessions, *sms):
            out.write(json.dumps(d) + "\n")
        out.write(json.dumps(summary) + "\n")
        _exit_if(failed)
        return
    from sensor.commands.tables import print_activity, print_cells  # rich's tables: for a terminal only

    console = print_cells(
        objects, detections, title=f"{len(objects)} cell(s) in {st.seconds:.1f} s of {st.recordings} recording(s)"
    )
    for loc in locations:
        console.print(
            f"ARFCN {loc['arfcn']} BSIC {loc['bsic']}: transmitter at {loc['lat_deg']:.5f}, {loc['lon_deg']:.5f} "
            f"within {loc['radius_m']:.0f} m (95 %), from {loc['n_positions']} positions"
        )
    print_activity(console, objects, sms)
    if keep_identities:
        console.print("identities: raw (--keep-identities)")
    console.print(
        f"{st.blocks} blocks decoded ({st.blocks_failed} failed the parity check)"
        + (
            f"; receiver error about {sorted(st.receiver_ppm)[len(st.receiver_ppm) // 2]:+.2f} ppm"
            if st.receiver_ppm
            else ""
        )
    )
    _exit_if(failed)


def _exit_if(failed: list[SensorError]) -> None:
    """Exit status 2 after the output of the recordings that worked, when any did not (each has said why)."""
    if failed:
        click.get_current_context().exit(failed[-1].exit_code)


def recording_paths(args: tuple[str, ...]) -> list[Path]:
    """The recordings named: a file as given, a directory as the SigMF recordings in it, by name."""
    out: list[Path] = []
    for a in args:
        p = Path(a)
        if not p.is_dir():
            out.append(p)
            continue
        found = sorted(q for q in p.iterdir() if q.suffix in (".sigmf-meta", ".sigmf") and q.is_file())
        if not found:
            raise InputError(f"{p}: no SigMF recording (NAME.sigmf-meta or NAME.sigmf) in this directory")
        out += found
    return out


@contextlib.contextmanager
def _progress_bar():
    """A progress callback (done, total seconds): a bar on a terminal's standard error; otherwise
    nothing (and rich.progress not imported: a piped or scripted replay starts sooner)."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("[bold]replaying[/]"),
        BarColumn(),
        TextColumn("{task.fields[t]:.1f} s"),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("replay", total=1.0, t=0.0)
        yield lambda done, total: progress.update(task, completed=done, total=total, t=done)
