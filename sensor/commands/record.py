"""``fbs-sensor record``: capture IQ from a receiver to a SigMF recording."""

from __future__ import annotations

import math
import time

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sensor.errors import SourceTimeout
from sensor.sources.devices import open_device
from sensor.sources.sigmf_writer import SigMFWriter, geolocation
from sensor.units import GAIN, HZ, POSITION

DATATYPES = click.Choice(["native", "cf32_le", "ci16_le", "ci8", "cu8"])
MAX_TIMEOUTS_IN_A_ROW = 5


@click.command("record")
@click.option("--device", "device", default="rtlsdr", show_default=True, help="Receiver: rtlsdr[:SERIAL], hackrf[:SERIAL], soapy[:ARGS].")
@click.option("--profile", help="Receiver profile from firmware-config/receivers (default: the driver's usual one).")
@click.option("--center", "center_hz", type=HZ, required=True, help="Centre frequency (Hz, or 947.4M).")
@click.option("--rate", "rate_hz", type=HZ, help="Sample rate (default: the profile's).")
@click.option("--gain", "gain_db", type=GAIN, help="Gain in dB, or 'auto' (default: the profile's).")
@click.option("--ppm", type=float, help="Frequency correction in ppm (default: calibration, else the profile's).")
@click.option("--bias-tee/--no-bias-tee", default=None, help="Power an active antenna through the RF port.")
@click.option("--duration", "duration_s", type=click.FloatRange(min=0, min_open=True), help="Seconds to record (default: until Ctrl-C).")
@click.option("--datatype", type=DATATYPES, default="native", show_default=True, help="Sample format on disk; native loses nothing.")
@click.option("--position", type=POSITION, help="Fixed position LAT,LON[,ALT] for core:geolocation.")
@click.option("--description", help="Free text stored as core:description.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Recording base name (writes OUT.sigmf-meta and OUT.sigmf-data).")
def command(
    device: str,
    profile: str | None,
    center_hz: float,
    rate_hz: float | None,
    gain_db: float | str | None,
    ppm: float | None,
    bias_tee: bool | None,
    duration_s: float | None,
    datatype: str,
    position: tuple[float, float, float | None] | None,
    description: str | None,
    out: str,
) -> None:
    """Record IQ from a receiver to SigMF. Ctrl-C stops cleanly and leaves a valid recording."""
    source = open_device(
        device, profile=profile, center_hz=center_hz, sample_rate_hz=rate_hz, gain_db=gain_db, ppm=ppm, bias_tee=bias_tee
    )
    info = source.info
    extra = {"fbs:device": info.source_id}
    if info.serial:
        extra["fbs:serial"] = info.serial
    if ppm is not None:
        extra["fbs:ppm"] = ppm
    if position:
        extra["core:geolocation"] = geolocation(*position)
    writer = SigMFWriter(
        out,
        datatype=info.native_datatype if datatype == "native" else datatype,
        sample_rate_hz=source.sample_rate_hz,
        hw=info.hw,
        description=description,
        extra_global=extra,
    )
    total = None if duration_s is None else int(math.ceil(duration_s * source.sample_rate_hz))
    interrupted = False
    started = time.monotonic()
    try:
        with Progress(
            TextColumn("[bold]recording[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[secs]:.1f} s  drops {task.fields[drops]}"),
            TimeElapsedColumn(),
            transient=False,
        ) as progress:
            task = progress.add_task(f"{center_hz / 1e6:.3f} MHz", total=total, secs=0.0, drops=0)
            timeouts = 0
            while total is None or writer.n_samples < total:
                left = None if total is None else total - writer.n_samples
                try:
                    for block in source.blocks(max_samples=left):
                        writer.write(block)
                        timeouts = 0
                        progress.update(
                            task,
                            completed=writer.n_samples,
                            secs=writer.n_samples / source.sample_rate_hz,
                            drops=source.stats.drop_events,
                        )
                    break
                except SourceTimeout:
                    timeouts += 1
                    if timeouts >= MAX_TIMEOUTS_IN_A_ROW:
                        raise
    except KeyboardInterrupt:
        interrupted = True
    finally:
        writer.close()
        source.close()
    stats = source.stats
    secs = writer.n_samples / source.sample_rate_hz
    click.echo(
        f"{'stopped' if interrupted else 'done'}: {writer.n_samples} samples ({secs:.2f} s in "
        f"{time.monotonic() - started:.1f} s) written to {writer.data_path}; "
        f"lost {stats.dropped_samples} samples in {stats.drop_events} drop(s)",
        err=True,
    )
