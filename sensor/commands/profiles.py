"""``fbs-sensor profiles``: the receiver profiles in firmware-config/, validated."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from sensor.sources.profiles import all_profiles, profiles_dir


@click.command("profiles")
def command() -> None:
    """List the receiver profiles (firmware-config/receivers/*.toml), checking each one."""
    table = Table(title=f"Receiver profiles in {profiles_dir()}")
    for col in ("name", "driver", "tuning MHz", "rates Msps", "usable", "gain dB", "bias tee"):
        table.add_column(col)
    for p in all_profiles():
        rates = (
            ", ".join(f"{r / 1e6:g}" for r in p.sample_rates_hz)
            if p.sample_rates_hz
            else f"{p.sample_rate_range_hz[0] / 1e6:g}-{p.sample_rate_range_hz[1] / 1e6:g}"  # type: ignore[index]
        )
        limits = p.gain_limits_db()
        table.add_row(
            p.name,
            p.driver,
            f"{p.tuning_range_hz[0] / 1e6:g}-{p.tuning_range_hz[1] / 1e6:g}",
            rates,
            f"{p.usable_bandwidth_fraction:.0%}",
            "auto" if limits is None else f"{limits[0]:g}-{limits[1]:g}",
            "yes" if p.bias_tee else "no",
        )
    Console().print(table)
