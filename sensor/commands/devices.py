"""``fbs-sensor devices``: the receivers attached to this machine."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from sensor.errors import DeviceNotFound
from sensor.sources.devices import list_all_devices


@click.command("devices")
def command() -> None:
    """List attached receivers (RTL-SDR, HackRF, SoapySDR devices) and the --device spec of each."""
    found, problems = list_all_devices()
    console = Console(stderr=False)
    if found:
        table = Table(title="Attached receivers")
        for col in ("--device", "driver", "serial", "description"):
            table.add_column(col)
        for d in found:
            table.add_row(d.spec, d.driver, d.serial or "", d.description)
        console.print(table)
    for driver, why in problems.items():
        click.echo(f"{driver}: {why}", err=True)
    if not found:
        raise DeviceNotFound(
            "no receiver found: plug in an RTL-SDR or HackRF (and install its driver), "
            "or use the simulator: --device sim (or sim:SCENE.toml)"
        )
