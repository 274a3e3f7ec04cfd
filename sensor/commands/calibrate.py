"""``fbs-sensor calibrate``: measure a receiver's clock error on the GSM cells around it and write
``calibration/<device>.toml``, which the scanner applies from then on (``applied_ppm``).

1. Plan the tunings that cover ``--bands`` (``scan/plan.py``) with a ±50 ppm margin: the error is
   not known yet. The receiver is opened with no frequency correction, so what is measured is its
   whole error, not what is left after an earlier correction.
2. Survey: a short look (``SURVEY_S``) at each tuning finds the carriers by their FCCH bursts.
3. Dwell ``--seconds`` at the fewest centres that hold every carrier found, as seen (planned like
   the scan, without the ppm margin; at most ``--max-tunings``, most carriers first), decoding
   with the stream receiver; each decoded cell's
   carrier offset in each window is one measurement, kept only where the carrier lies inside the
   usable band and clear of the DC spike.
4. ``scan/calibrate.py`` turns the measurements into the error, rejecting cells on their own clock.
"""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from sensor.dsp.fcch_carriers import group_carriers
from sensor.dsp.fcch_search import search_fcch_wideband
from sensor.errors import ConfigError
from sensor.gsm.bands import CHANNEL_SPACING_HZ
from sensor.receiver.stream import StreamReceiver
from sensor.scan.bands import parse_arfcns, resolve_bands
from sensor.scan.calibrate import (
    MAX_DISAGREEMENT_PPM,
    MIN_CELLS,
    CalibrationError,
    OffsetMeasurement,
    PpmEstimate,
    estimate_ppm,
    measurements_from_blocks,
)
from sensor.scan.calibration import (
    Calibration,
    calibration_path,
    device_identity,
    load_calibration,
    load_nominal_power,
    save_calibration,
)
from sensor.scan.plan import Passband, ScanPlan, cover_frequencies, plan_scan
from sensor.sources.base import DeviceSource
from sensor.sources.devices import open_device, parse_device_spec, resolve_profile
from sensor.sources.profiles import ReceiverProfile
from sensor.units import GAIN, HZ

SURVEY_S = 0.3  # 6-7 FCCH bursts per carrier: enough to find it
UNCALIBRATED_PPM = 50.0  # margin while the error is unknown
BLOCK_SAMPLES = 1 << 16


def _read(source: DeviceSource, seconds: float) -> np.ndarray:
    n = int(seconds * source.sample_rate_hz)
    return np.concatenate([b.samples for b in source.blocks(block_samples=BLOCK_SAMPLES, max_samples=n)])


def _survey(source: DeviceSource, plan: ScanPlan, seen: Passband) -> dict[int, tuple[float, float]]:
    """Carriers found at the plan's tunings well inside the passband: raster index → (carrier as
    seen in Hz, SNR in dB), the best sighting of each."""
    found: dict[int, tuple[float, float]] = {}
    for t in plan.tunings:
        source.tune(t.center_hz)
        x = _read(source, SURVEY_S)
        bursts = search_fcch_wideband(
            x, sample_rate_hz=plan.sample_rate_hz, usable_fraction=seen.usable_bandwidth_hz / plan.sample_rate_hz
        )
        for c in group_carriers(bursts, center_hz=t.center_hz):
            if c.cadence.consistent and c.carrier_hz is not None and seen.fits(t.center_hz, c.carrier_hz):
                key = round(c.carrier_hz / CHANNEL_SPACING_HZ)
                if key not in found or c.snr_db > found[key][1]:
                    found[key] = (c.carrier_hz, c.snr_db)
    return found


def _dwell_centres(
    profile: ReceiverProfile, carriers_hz: list[float], seen: Passband, max_tunings: int
) -> list[tuple[float, int]]:
    """The fewest centres holding every carrier found, most carriers first (at most ``max_tunings``),
    each with the number of carriers it holds."""
    cover = cover_frequencies(profile, carriers_hz, seen)
    counts = [int(np.sum(cover.owner == i)) for i in range(len(cover.centers_hz))]
    ranked = sorted(zip(cover.centers_hz, counts), key=lambda cn: -cn[1])
    return ranked[:max_tunings]


def _dwell(source: DeviceSource, center_hz: float, seconds: float, seen: Passband) -> list[OffsetMeasurement]:
    source.tune(center_hz)
    n = int(seconds * source.sample_rate_hz)
    stream = StreamReceiver()
    blocks = list(stream.process(source.blocks(block_samples=BLOCK_SAMPLES, max_samples=n)))
    return [m for m in measurements_from_blocks(blocks) if seen.fits(center_hz, m.downlink_hz + m.offset_hz)]


def _print_result(est: PpmEstimate, path: str, previous: Calibration | None) -> None:
    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(title=f"receiver clock error {est.ppm:+.3f} ppm (spread {est.spread_ppm:.3f} ppm)")
    for col in ("ARFCN", "band", "BSIC", "downlink MHz", "offset Hz", "ppm", "windows", "used"):
        table.add_column(col)
    for c in sorted(est.used + est.rejected, key=lambda c: c.downlink_hz):
        table.add_row(
            str(c.arfcn),
            c.band or "?",
            "?" if c.bsic is None else str(c.bsic),
            f"{c.downlink_hz / 1e6:.1f}",
            f"{c.offset_hz:+.0f}",
            f"{c.ppm:+.3f}",
            str(c.measurements),
            c.reason or "yes",
        )
    console.print(table)
    console.print(
        f"{len(est.used)} cell(s) used, {len(est.rejected)} rejected; written to {path}"
        + ("" if previous is None else f" (was {previous.ppm:+.3f} ppm, {previous.measured_utc})")
    )


@click.command("calibrate")
@click.option(
    "--device",
    "device",
    default="rtlsdr",
    show_default=True,
    help="Receiver: rtlsdr[:SERIAL], hackrf[:SERIAL], soapy[:ARGS], sim[:SCENE.toml].",
)
@click.option("--profile", help="Receiver profile from firmware-config/receivers (default: the driver's usual one).")
@click.option(
    "--bands",
    "bands_text",
    default="gsm900",
    show_default=True,
    help="Bands to look for cells in: names (E-GSM900, DCS1800, ...), aliases (gsm900, dcs) or a region (cn).",
)
@click.option("--arfcns", "arfcns_text", help="Only these ARFCNs, e.g. 40-80,90 (default: the whole bands).")
@click.option(
    "--seconds",
    type=click.FloatRange(min=1.0),
    default=5.0,
    show_default=True,
    help="Seconds to measure at each tuning with cells.",
)
@click.option("--rate", "rate_hz", type=HZ, help="Sample rate (default: the profile's).")
@click.option("--gain", "gain_db", type=GAIN, help="Gain in dB, or 'auto' (default: the profile's).")
@click.option(
    "--min-cells",
    type=click.IntRange(min=2),
    default=MIN_CELLS,
    show_default=True,
    help="Cells that must agree before a result is accepted.",
)
@click.option(
    "--max-disagreement",
    "max_disagreement_ppm",
    type=click.FloatRange(min=0.01),
    default=MAX_DISAGREEMENT_PPM,
    show_default=True,
    help="ppm by which a cell may differ from the others before it is rejected.",
)
@click.option(
    "--max-tunings",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Centre frequencies to measure at, at most (those holding the most carriers first).",
)
@click.option("--temperature-note", help="Free text stored with the result, e.g. 'in the car, 30 min after start'.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Directory for DEVICE.toml (default: the project's calibration/).",
)
def command(
    device: str,
    profile: str | None,
    bands_text: str,
    arfcns_text: str | None,
    seconds: float,
    rate_hz: float | None,
    gain_db: float | str | None,
    min_cells: int,
    max_disagreement_ppm: float,
    max_tunings: int,
    temperature_note: str | None,
    out_dir: str | None,
) -> None:
    """Measure the receiver's frequency error on nearby GSM cells and store it for the scanner."""
    prof = resolve_profile(parse_device_spec(device), profile)
    bands = resolve_bands(bands_text)
    arfcns = parse_arfcns(arfcns_text) if arfcns_text else None
    plan = plan_scan(prof, bands, arfcns=arfcns, sample_rate_hz=rate_hz, ppm_uncertainty=UNCALIBRATED_PPM)
    seen = dataclasses.replace(plan.passband, ppm_uncertainty=0.0)  # carriers as seen: nothing left to allow for
    source = open_device(
        device,
        profile=profile,
        center_hz=plan.tunings[0].center_hz,
        sample_rate_hz=plan.sample_rate_hz,
        gain_db=gain_db,
        ppm=0.0,
    )
    try:
        info = source.info
        names = ", ".join(b.name for b in bands)
        click.echo(f"surveying {len(plan.tunings)} tuning(s) of {names} ...", err=True)
        found = _survey(source, plan, seen)
        if not found:
            raise CalibrationError(
                f"calibration refused: no GSM carrier found in {names}; check the antenna, "
                "the gain (--gain) and the bands (--bands)"
            )
        centres = _dwell_centres(prof, [hz for hz, _ in found.values()], seen, max_tunings)
        measurements: list[OffsetMeasurement] = []
        for centre_hz, n_carriers in centres:
            click.echo(f"measuring {seconds:g} s at {centre_hz / 1e6:.3f} MHz ({n_carriers} carrier(s)) ...", err=True)
            measurements += _dwell(source, centre_hz, seconds, seen)
    finally:
        source.close()
    est = estimate_ppm(measurements, max_disagreement_ppm=max_disagreement_ppm, min_cells=min_cells)
    identity = device_identity(info)
    previous = None
    old_path = calibration_path(identity, out_dir)
    if old_path.is_file():
        try:
            previous = load_calibration(old_path)
        except ConfigError:
            previous = None  # unreadable: replaced below
    cal = Calibration(
        serial=identity,
        driver=info.driver,
        ppm=est.ppm,
        spread_ppm=est.spread_ppm,
        measured_utc=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        method="fcch-offsets",
        cells_used=list(est.used),
        cells_rejected=list(est.rejected),
        temperature_note=temperature_note,
        source_id=info.source_id,
        profile=prof.name,
        power=load_nominal_power(prof.tuner),
    )
    path = save_calibration(cal, out_dir)
    _print_result(est, str(path), previous)
