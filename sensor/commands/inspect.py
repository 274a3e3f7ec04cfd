"""``fbs-sensor inspect``: what is in a recording, and where on the GSM raster there is power."""

from __future__ import annotations

import datetime as dt

import click
import numpy as np

from sensor.sources.open import open_recording
from sensor.units import HZ

RAW_CHOICES = click.Choice(["cf32", "ci16", "ci8", "cu8"], case_sensitive=False)


def recording_options(f):  # type: ignore[no-untyped-def]
    """The options that describe a raw recording (shared by inspect and replay)."""
    f = click.option("--center", "center_hz", type=HZ, help="Raw files: the tuned centre frequency (Hz, or 953.6M).")(f)
    f = click.option("--rate", "rate_hz", type=HZ, help="Raw files: the sample rate (Hz, or 2.4M).")(f)
    f = click.option("--format", "fmt", type=RAW_CHOICES, help="Raw file sample format (a gr-gsm .cfile is cf32).")(f)
    return f


@click.command("inspect")
@click.argument("recording", type=click.Path(dir_okay=False))
@recording_options
@click.option("--seconds", type=float, default=1.0, show_default=True, help="How much of each capture to analyse.")
@click.option(
    "--threshold-db", type=float, default=10.0, show_default=True, help="List channels this far above the floor."
)
def command(
    recording: str, fmt: str | None, rate_hz: float | None, center_hz: float | None, seconds: float, threshold_db: float
) -> None:
    """Summarise RECORDING and list the 200 kHz channels that carry power."""
    from rich.console import Console  # here: replay and scan import this module for recording_options
    from rich.table import Table

    from sensor.dsp.spectrum import raster_channel_powers, spectrum  # likewise

    src = open_recording(recording, fmt=fmt, sample_rate_hz=rate_hz, center_hz=center_hz)
    console = Console()
    rate = src.info.sample_rate_hz
    console.print(
        f"[bold]{recording}[/]: {src.datatype.name}, {rate / 1e6:g} Msps, {src.n_samples} samples "
        f"({src.duration_s:.3f} s), {len(src.segments)} capture(s)"
    )
    with src:
        for i, seg in enumerate(src.segments):
            when = "" if seg.time_utc_s is None else dt.datetime.fromtimestamp(seg.time_utc_s, dt.UTC).isoformat()
            n = min(seg.n_samples, max(4096, int(seconds * rate)))
            block = src.read(seg.first_sample, n)
            rms_dbfs = 10 * np.log10(max(float(np.mean(np.abs(block.samples) ** 2)), 1e-20))
            peak = float(np.max(np.abs(block.samples.view(np.float32)))) if len(block) else 0.0
            console.print(
                f"capture {i}: centre {seg.center_hz / 1e6:.4f} MHz, {seg.n_samples / rate:.3f} s {when}  "
                f"power {rms_dbfs:.1f} dBFS, peak component {peak:.3f} of full scale"
            )
            if len(block) < 4096:
                continue
            spec = spectrum(block.samples, rate)
            centres, power = raster_channel_powers(spec, seg.center_hz, usable_hz=0.9 * rate)
            if not len(power):
                continue
            floor = float(np.percentile(power, 10))  # the emptiest channels: noise, even in a busy band
            table = Table(title=f"capture {i}: channels ≥ {threshold_db:g} dB above the floor ({floor:.1f} dBFS)")
            table.add_column("MHz", justify="right")
            table.add_column("dBFS", justify="right")
            table.add_column("above floor dB", justify="right")
            for f_hz, p in zip(centres, power):
                if p - floor >= threshold_db:
                    table.add_row(f"{f_hz / 1e6:.1f}", f"{p:.1f}", f"{p - floor:.1f}")
            console.print(table)
