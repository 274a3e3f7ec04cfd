"""``fbs-sensor gps``: watch a GPS source (fixes, losses, clock offset), or configure a u-blox receiver.

Registered by ``sensor/cli.py`` like the commands in ``sensor/commands/``.
"""

from __future__ import annotations

import json
import time

import click

from sensor.errors import ConfigError, SourceError
from sensor.gps.open import SPEC_HELP, open_position_source


@click.command("gps")
@click.option("--gps", "spec", default="gpsd", show_default=True, help=f"Position source: {SPEC_HELP}.")
@click.option("--seconds", type=click.FloatRange(min=0.0), default=10.0, show_default=True,
              help="How long to watch a live source.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="JSON lines: one per fix, then a summary.")
@click.option("--configure", "profile", metavar="PROFILE",
              help="Send a u-blox profile (firmware-config/gps/PROFILE.toml) to a serial receiver first.")  # fmt: skip
def command(spec: str, seconds: float, as_json: bool, profile: str | None) -> None:
    """Show what a GPS source delivers: fixes, fix losses, and the laptop clock's offset from GPS time."""
    if profile is not None:
        from sensor.gps.serial_nmea import SerialNmeaSource
        from sensor.gps.ubx_profile import configure_receiver, load_ubx_profile

        probe = open_position_source(spec)
        if not isinstance(probe, SerialNmeaSource):
            raise ConfigError("--configure needs a serial receiver: --gps serial:PORT[@BAUD]")
        for r in configure_receiver(probe.port, load_ubx_profile(profile), baud_rate=probe.baud_rate):
            status = {True: "ok", False: "REJECTED", None: "no answer"}[r.acked]
            click.echo(f"{r.description}: {status}", err=True)
    source = open_position_source(spec)
    if source is None:
        raise ConfigError("--gps none: nothing to watch")
    deadline = time.monotonic() + seconds
    with source:
        for fix in source.fixes(timeout_s=seconds) if seconds > 0 else ():
            if time.monotonic() > deadline:
                break
            if as_json:
                click.echo(json.dumps({"type": "fix", "schema": 1, "t_utc_s": fix.time_utc_s,
                                       "position": fix.position(fix.time_utc_s), "satellites": fix.satellites,
                                       "speed_m_s": fix.speed_m_s, "track_deg": fix.track_deg}))  # fmt: skip
            else:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(fix.time_utc_s))
                alt = "" if fix.alt_m is None else f" {fix.alt_m:.1f} m"
                click.echo(f"{stamp}Z {fix.lat_deg:.6f},{fix.lon_deg:.6f}{alt} {fix.mode}"
                           f" hdop={fix.hdop} sats={fix.satellites}")  # fmt: skip
        offset = source.clock_offset()
    summary = {"type": "gps_summary", "schema": 1, "source": source.name, **source.stats.as_dict(),
               "clock_offset_s": None if offset is None else round(offset.offset_s, 3)}  # fmt: skip
    click.echo(json.dumps(summary) if as_json else "  ".join(f"{k}={v}" for k, v in summary.items()), err=not as_json)
    if seconds > 0 and source.stats.fixes == 0:
        why = (
            "no data arrived"
            if source.stats.bytes_read == 0 and summary.get("sentences_ok", 0) == 0
            else "data but no valid fix"
        )
        raise SourceError(f"{source.name}: no position fix in {seconds:g} s ({why})")
