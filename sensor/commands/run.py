"""``fbs-sensor run``: the sensor for a whole shift (``sensor/daemon/runner.py``).

With no radio attached it still does its whole job: the simulator's virtual receiver drives the
bundled patrol scene (a fake station by the road) through scanning, judging and publishing to an
embedded collector, and ends with the alert, its reasons and the fake station's estimated
position. ``--device auto`` (the default) takes the first attached radio, else that.
``--watch ARFCN`` pins a carrier for stakeouts (``scan/scheduler.py``); ``--keep-identities``
keeps phones' identities raw, warned about at start and said in the status line and heartbeats.

Honest about coverage: the end summary says how much of the band and of the time was received
(``daemon/coverage.py``) and says "no suspicious or fake cell heard" only of what was scanned; a
run that received nothing at all (no receiver attached, say) ends with one error line and exit
status 2, never with an all-clear.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from sensor.collector.transmitters import LOCATE_BODY_KEYS, transmitters
from sensor.commands.scan import KEEP_IDENTITIES_HELP, WATCH_HELP
from sensor.daemon.runner import Daemon, DaemonConfig, print_status_line
from sensor.errors import ConfigError, SourceError
from sensor.gps.open import SPEC_HELP
from sensor.locate.estimate import Estimate, location_object
from sensor.resources import project_dir
from sensor.scan.scheduler import GOALS, STAKEOUT_MAX_S, STAKEOUT_MIN_S, STAKEOUT_SHARE, StakeoutPolicy
from sensor.scan.session import check_watch_arfcns
from sensor.sessions import KEEP_RAW_WARNING
from sensor.sim.scene import load_scene
from sensor.sources.devices import list_all_devices, parse_device_spec, resolve_profile
from sensor.units import GAIN, HZ

log = logging.getLogger(__name__)
DEMO_SCENE = "patrol-drive.toml"


def _auto_device() -> tuple[str, str, float | None]:
    """(device spec, GPS spec, duration) for ``--device auto``."""
    found, _ = list_all_devices()
    if found:
        return found[0].spec, "gpsd", None
    scene = project_dir("recordings") / "scenes" / DEMO_SCENE
    return f"sim:{scene}", "sim", load_scene(scene).duration_s


@click.command("run")
@click.option(
    "--device",
    default="auto",
    show_default=True,
    help=(
        "auto (an attached radio, else the simulator's patrol drive), rtlsdr[:SERIAL], hackrf, soapy:ARGS, "
        "sim[:SCENE], file:RECORDING (a SigMF recording as the receiver, read as fast as it is taken, to its end)."
    ),
)
@click.option("--profile", help="Receiver profile.")
@click.option("--bands", "bands_text", default="gsm900", show_default=True, help="Bands, aliases or a region.")
@click.option("--arfcns", "arfcns_text", help="Only these ARFCNs, e.g. 40-80,90.")
@click.option("--rate", "rate_hz", type=HZ, help="Sample rate (default: the profile's).")
@click.option("--gain", "gain_db", type=GAIN, help="Fixed gain in dB or 'auto' (default: chosen per tuning).")
@click.option("--goal", type=click.Choice(GOALS), default="quick", show_default=True, help="What each visit waits for.")
@click.option(
    "--gps",
    "gps_spec",
    default="auto",
    show_default=True,
    help=f"Position source: {SPEC_HELP}, sim; auto: sim with the simulator, else gpsd.",
)
@click.option("--sensor-id", default="", help="This sensor's name (default: the host name).")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False),
    default=str(Path.home() / ".local" / "share" / "fbs-sensor"),
    show_default=True,
    help="Outbox, keys, embedded collector database.",
)
@click.option(
    "--collector", "collector_endpoint", help="Collector endpoint, e.g. tcp://collector:5555 (default: embedded)."
)
@click.option("--collector-key", type=click.Path(dir_okay=False), help="The collector's public key (.key).")
@click.option("--sensor-key", type=click.Path(dir_okay=False), help="This sensor's secret key (.key_secret).")
@click.option("--allow-plaintext", is_flag=True, help="Talk to the collector without CurveZMQ (warned about).")
@click.option("--rules", "rules_path", type=click.Path(dir_okay=False), help="Detection rules config (TOML).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Area baseline database.")
@click.option("--learn", is_flag=True, help="Teach the --baseline the cells judged normal, where they were heard.")
@click.option(
    "--duration",
    "duration_s",
    type=click.FloatRange(min=0.0, min_open=True),
    help="Stop after this many seconds (radio time with the simulator). Default: for ever "
    "(the simulated drive's length with --device auto and no radio).",
)
@click.option(
    "--metrics", "metrics_path", type=click.Path(dir_okay=False), help="Prometheus text file to keep current."
)
@click.option("--watch", "watch", type=click.IntRange(0, 1023), multiple=True, metavar="ARFCN", help=WATCH_HELP)
@click.option(
    "--stakeout-max",
    "stakeout_max_s",
    type=click.FloatRange(min=1.0),
    default=STAKEOUT_MAX_S,
    show_default=True,
    help="Longest stakeout of an active suspect or watched carrier, in seconds.",
)
@click.option(
    "--stakeout-share",
    type=click.FloatRange(0.0, 0.9),
    default=STAKEOUT_SHARE,
    show_default=True,
    help="Most of the radio time stakeouts may take (0: none).",
)
@click.option(
    "--keep-identities",
    is_flag=True,
    help=KEEP_IDENTITIES_HELP + " (the status line and the heartbeats to the collector say so).",
)
@click.option("--json", "as_json", is_flag=True, help="At the end: detection and location objects as JSON lines.")
def command(
    device: str,
    profile: str | None,
    bands_text: str,
    arfcns_text: str | None,
    rate_hz: float | None,
    gain_db: float | str | None,
    goal: str,
    gps_spec: str,
    sensor_id: str,
    state_dir: str,
    collector_endpoint: str | None,
    collector_key: str | None,
    sensor_key: str | None,
    allow_plaintext: bool,
    rules_path: str | None,
    baseline_path: str | None,
    learn: bool,
    duration_s: float | None,
    metrics_path: str | None,
    watch: tuple[int, ...],
    stakeout_max_s: float,
    stakeout_share: float,
    keep_identities: bool,
    as_json: bool,
) -> None:
    """Run the sensor: scan continuously, judge every cell, publish to the collector."""
    default_duration = None
    if learn and not baseline_path:
        raise ConfigError("--learn needs --baseline DB")
    if device == "auto":
        device, auto_gps, default_duration = _auto_device()
        gps_spec = auto_gps if gps_spec == "auto" else gps_spec
    elif gps_spec == "auto":
        gps_spec = "sim" if device.startswith("sim") else "none" if device.startswith("file") else "gpsd"
    stakeout = StakeoutPolicy(max_s=stakeout_max_s, min_s=min(STAKEOUT_MIN_S, stakeout_max_s), share=stakeout_share)
    if parse_device_spec(device).driver == "file":  # a missing or bad recording: said before anything starts
        resolve_profile(parse_device_spec(device), profile)
    check_watch_arfcns(device, profile=profile, bands=bands_text, arfcns=arfcns_text, rate_hz=rate_hz, watch=watch)
    if keep_identities:
        click.echo(KEEP_RAW_WARNING, err=True)
    cfg = DaemonConfig(
        device=device,
        profile=profile,
        bands=bands_text,
        arfcns=arfcns_text,
        rate_hz=rate_hz,
        gain=gain_db,
        goal=goal,
        gps=gps_spec,
        sensor_id=sensor_id,
        state_dir=Path(state_dir),
        collector=collector_endpoint,
        collector_key=collector_key,
        sensor_key=sensor_key,
        allow_plaintext=allow_plaintext,
        rules=rules_path,
        baseline=baseline_path,
        learn=learn,
        keep_identities=keep_identities,
        duration_s=duration_s if duration_s is not None else default_duration,
        metrics_path=Path(metrics_path) if metrics_path else None,
        watch=watch,
        stakeout=stakeout,
    )
    if not as_json:
        click.echo(
            f"fbs-sensor run: {device}, GPS {gps_spec}, collector {collector_endpoint or 'embedded'}; Ctrl-C stops",
            err=True,
        )
    daemon = Daemon(cfg, status=print_status_line)
    try:
        daemon.run()
    finally:
        click.echo("", err=True)
        _report(daemon, as_json)
        daemon.close()
    if not daemon.coverage.anything:
        why = f" ({daemon.receiver_error})" if daemon.receiver_error else ""
        raise SourceError(f"nothing was received{why}: no cell was scanned, so nothing can be said of this place")


def _report(daemon: Daemon, as_json: bool) -> None:
    """The alerts of this run; with the embedded collector, where each suspect transmitter is."""
    located: dict[tuple[int, int | None], dict] = {}
    if daemon.embedded is not None:
        every = transmitters(daemon.embedded.store.readings(body_keys=LOCATE_BODY_KEYS))
        for t in every:
            if t.verdict == "normal":
                continue
            est = t.locate(among=every)
            if isinstance(est, Estimate):
                located[(t.arfcn, t.bsic)] = location_object(
                    {"arfcn": t.arfcn, "bsic": t.bsic, "cell_id": t.cell_id}, est
                )
            else:
                located[(t.arfcn, t.bsic)] = {"refused": est.reason}
    for a in daemon.alerts.values():
        d = a.detection
        loc = located.get((d["arfcn"], d["bsic"]))
        if as_json:
            click.echo(json.dumps(d))
            if loc is not None and "refused" not in loc:
                click.echo(json.dumps(loc))
            continue
        click.echo(
            f"ALERT {d['verdict'].upper()} ARFCN {d['arfcn']} BSIC {d['bsic']} "
            f"({d['mcc'] or '?'}-{d['mnc'] or '?'} LAC {d['lac']} CI {d['cell_id']}), score {d['score']:.2f}"
        )
        for r in d["reasons"]:
            click.echo(f"  - {r['detail']}")
        if loc is None:
            click.echo("  position: not estimated (no collector readings here)")
        elif "refused" in loc:
            click.echo(f"  position: not estimated: {loc['refused']}")
        else:
            click.echo(
                f"  position: {loc['lat_deg']:.5f}, {loc['lon_deg']:.5f} within {loc['radius_m']:.0f} m (95 %), "
                f"from {loc['n_positions']} positions"
            )
    cov = daemon.coverage
    if as_json:
        click.echo(json.dumps({"type": "coverage", "schema": 1, **cov.as_dict(), "summary": cov.words(),
                               "ended": daemon.ended}))  # fmt: skip
    elif not cov.anything:
        pass  # the command ends with the error line: nothing may be said of any cell
    elif not daemon.alerts:
        click.echo(f"no suspicious or fake cell heard in what was scanned ({cov.words()})")
    else:
        click.echo(f"{len(daemon.alerts)} alert(s) in what was scanned ({cov.words()})")
