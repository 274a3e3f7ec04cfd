"""``fbs-sensor record``: capture IQ from a receiver to a SigMF recording."""

from __future__ import annotations

import math
import time

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sensor import interrupt
from sensor.errors import SourceTimeout
from sensor.gps.nmea_write import fix_sentences
from sensor.gps.open import SPEC_HELP, open_gps
from sensor.gps.source import PositionSource
from sensor.model import IQBlock
from sensor.sources.devices import open_device
from sensor.sources.sigmf_writer import SigMFWriter, geolocation
from sensor.units import GAIN, HZ, POSITION

DATATYPES = click.Choice(["native", "cf32_le", "ci16_le", "ci8", "cu8"])
MAX_TIMEOUTS_IN_A_ROW = 5


@click.command("record")
@click.option(
    "--device",
    "device",
    default="rtlsdr",
    show_default=True,
    help="Receiver: rtlsdr[:SERIAL], hackrf[:SERIAL], soapy[:ARGS].",
)
@click.option("--profile", help="Receiver profile from firmware-config/receivers (default: the driver's usual one).")
@click.option("--center", "center_hz", type=HZ, required=True, help="Centre frequency (Hz, or 947.4M).")
@click.option("--rate", "rate_hz", type=HZ, help="Sample rate (default: the profile's).")
@click.option("--gain", "gain_db", type=GAIN, help="Gain in dB, or 'auto' (default: the profile's).")
@click.option("--ppm", type=float, help="Frequency correction in ppm (default: calibration, else the profile's).")
@click.option("--bias-tee/--no-bias-tee", default=None, help="Power an active antenna through the RF port.")
@click.option(
    "--duration",
    "duration_s",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds to record (default: until Ctrl-C).",
)
@click.option(
    "--datatype",
    type=DATATYPES,
    default="native",
    show_default=True,
    help="Sample format on disk; native loses nothing.",
)
@click.option("--position", type=POSITION, help="Fixed position LAT,LON[,ALT] for core:geolocation.")
@click.option(
    "--gps",
    "gps_spec",
    default="none",
    show_default=True,
    help=f"Position source ({SPEC_HELP}, or sim with --device sim): sets core:geolocation and writes OUT.nmea.",
)
@click.option("--description", help="Free text stored as core:description.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Recording base name (writes OUT.sigmf-meta and OUT.sigmf-data).",
)
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
    gps_spec: str,
    description: str | None,
    out: str,
) -> None:
    """Record IQ from a receiver to SigMF. Ctrl-C stops cleanly and leaves a valid recording."""
    source = open_device(
        device,
        profile=profile,
        center_hz=center_hz,
        sample_rate_hz=rate_hz,
        gain_db=gain_db,
        ppm=ppm,
        bias_tee=bias_tee,
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
    gps = open_gps(gps_spec, source)
    track = GpsTrack(gps, writer) if gps is not None else None
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
                        interrupt.check()  # a press Python swallowed where it landed ends it here
                        if track is not None:
                            track.update(block)
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
        interrupt.handled()  # Ctrl-C is how a recording without --duration ends
    finally:
        if track is not None:
            track.close()
        writer.close()
        source.close()
    stats = source.stats
    secs = writer.n_samples / source.sample_rate_hz
    click.echo(
        f"{'stopped' if interrupted else 'done'}: {writer.n_samples} samples ({secs:.2f} s in "
        f"{time.monotonic() - started:.1f} s) written to {writer.data_path}; "
        f"lost {stats.dropped_samples} samples in {stats.drop_events} drop(s)"
        + (
            ""
            if track is None
            else f"; {track.n_fixes} GPS fixes in {track.path}"
            + ("" if track.geolocated else " (no valid fix: no core:geolocation)")
        ),
        err=True,
    )


class GpsTrack:
    """Positions while recording: ``core:geolocation`` from the first valid fix at the samples'
    time, and every fix appended to ``OUT.nmea`` as it arrives (a crash loses none written)."""

    def __init__(self, gps: PositionSource, writer: SigMFWriter) -> None:
        self.gps = gps
        self.writer = writer
        self.path = writer.data_path.with_name(writer.data_path.name.removesuffix(".sigmf-data") + ".nmea")
        self._fh = open(self.path, "w", encoding="ascii")  # noqa: SIM115 - open while recording, closed by close()
        self._seq = 0
        self.n_fixes = 0
        self.geolocated = False

    def update(self, block: IQBlock) -> None:
        pos = self.gps.position_at(block.time_utc_s)
        if pos is not None and not self.geolocated:
            self.writer.set_global("core:geolocation", geolocation(pos["lat_deg"], pos["lon_deg"], pos["alt_m"]))
            self.geolocated = True
        fixes, self._seq = self.gps.drain(self._seq)
        for fix in fixes:
            self._fh.write("\n".join(fix_sentences(fix)) + "\n")
        if fixes:
            self._fh.flush()
            self.n_fixes += len(fixes)

    def close(self) -> None:
        self._fh.close()
        self.gps.stop()
