"""``fbs-sensor simulate``: render a scene (TOML) to recordings, with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from sensor.errors import InputError
from sensor.sim.levels import with_es_n0, working_cell
from sensor.sim.output import nmea_track, write_cfile, write_drive, write_sigmf
from sensor.sim.scene import load_scene
from sensor.units import HZ

DATATYPES = click.Choice(["scene", "cf32_le", "ci16_le", "ci8", "cu8"])


@click.command("simulate")
@click.argument("scene_file", metavar="SCENE.toml", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for the recordings.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sigmf", "cfile"]),
    default="sigmf",
    show_default=True,
    help="sigmf (with the ground truth in its metadata) or a gr-gsm .cfile.",
)
@click.option(
    "--datatype",
    type=DATATYPES,
    default="scene",
    show_default=True,
    help="SigMF sample type (scene: the receiver's ADC).",
)
@click.option("--center", "center_hz", type=HZ, help="Tune elsewhere than the scene's receiver.")
@click.option("--rate", "rate_hz", type=HZ, help="Another sample rate than the scene's receiver.")
@click.option(
    "--duration", "duration_s", type=click.FloatRange(min=0, min_open=True), help="Seconds (default: the scene's)."
)
@click.option(
    "--segments",
    "segment_s",
    type=click.FloatRange(min=0, min_open=True),
    help="Drives: one recording per this many seconds, each geotagged, plus NAME.nmea.",
)
@click.option(
    "--es-n0",
    "es_n0",
    type=float,
    help="Set the noise so that the cell working phones has this Es/N0 (dB, per 270.833 ksym/s) at its weakest, "
    "counting the ADC's own noise.",
)
@click.option("--es-n0-cell", help="The cell --es-n0 is for (default: the scene's one cell that works phones).")
@click.option("--overwrite", is_flag=True, help="Replace recordings of the same name.")
def command(
    scene_file: str,
    out_dir: str,
    fmt: str,
    datatype: str,
    center_hz: float | None,
    rate_hz: float | None,
    duration_s: float | None,
    segment_s: float | None,
    es_n0: float | None,
    es_n0_cell: str | None,
    overwrite: bool,
) -> None:
    """Render SCENE.toml to IQ recordings, deterministically for its seed."""
    scene = load_scene(scene_file)
    if es_n0 is not None:
        cell = es_n0_cell or working_cell(scene)
        scene = with_es_n0(scene, cell, es_n0, sample_rate_hz=rate_hz, duration_s=duration_s)
    elif es_n0_cell is not None:
        raise InputError("--es-n0-cell needs --es-n0")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the output folder: {exc.strerror}") from None
    start_utc_s = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    with Progress(
        TextColumn("[bold]simulating[/] " + scene.name),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        transient=True,
    ) as progress:
        task = progress.add_task("render", total=1)

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if segment_s is not None:
            paths = write_drive(scene, out, segment_s=segment_s, start_utc_s=start_utc_s, progress=tick)
            (out / f"{scene.name}.nmea").write_text(nmea_track(scene, start_utc_s=start_utc_s))
            written = [f"{p}.sigmf-meta" for p in paths] + [str(out / f"{scene.name}.nmea")]
        elif fmt == "cfile":
            path = out / f"{scene.name}.cfile"
            n = write_cfile(
                scene, path, center_hz=center_hz, sample_rate_hz=rate_hz, duration_s=duration_s, progress=tick
            )
            written = [f"{path} ({n} samples, cf32)"]
        else:
            w = write_sigmf(
                scene,
                out / scene.name,
                center_hz=center_hz,
                sample_rate_hz=rate_hz,
                duration_s=duration_s,
                datatype=None if datatype == "scene" else datatype,
                start_utc_s=start_utc_s,
                progress=tick,
                overwrite=overwrite,
            )
            written = [str(w.meta_path)]
    for line in written:
        click.echo(line)
