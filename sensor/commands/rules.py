"""``fbs-sensor rules``: the detection rules, their ids, weights and thresholds; ``--toml`` prints a
rules config with every default, ready to edit and pass as ``--rules FILE``."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from sensor.detect.registry import RULES
from sensor.detect.scoring import Scoring


def rules_toml() -> str:
    """A complete rules config: every rule's settings at their defaults, documented."""
    s = Scoring()
    out = [
        '# fbs-sensor detection rules: pass with --rules FILE (or `rules = "FILE"` in the config).',
        "# Weights are in 0..1; a cell's score is 1 - prod(1 - weight) over the rules that fire.",
        "[scoring]",
        f"suspicious_at = {s.suspicious_at}",
        f"fake_at = {s.fake_at}  # needs a strong rule",
        "",
    ]
    for rid, cls in RULES.items():
        doc = (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()[0]
        out += [
            f"# {cls.title}{' (strong)' if cls.strong else ''}: {doc}",
            f"[rules.{rid}]",
            f"enabled = {'true' if cls.enabled_by_default else 'false'}",
            f"weight = {cls.weight}",
        ]
        out += [f"{k} = {v:g}" for k, v in cls.thresholds.items()]
        out.append("")
    return "\n".join(out)


@click.command("rules")
@click.option("--toml", "as_toml", is_flag=True, help="Print a rules config with every default.")
def command(as_toml: bool) -> None:
    """List the detection rules (ids are stable: they appear in detections)."""
    if as_toml:
        click.echo(rules_toml())
        return
    table = Table(title=f"{len(RULES)} detection rules")
    for col in ("id", "what", "weight", "strong", "thresholds"):
        table.add_column(col)
    for rid, cls in RULES.items():
        table.add_row(
            rid,
            cls.title,
            f"{cls.weight:g}",
            "yes" if cls.strong else "",
            ", ".join(f"{k}={v:g}" for k, v in cls.thresholds.items()) or "-",
        )
    Console(width=None if sys.stdout.isatty() else 140).print(table)
