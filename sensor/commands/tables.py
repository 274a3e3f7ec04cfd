"""The human tables the commands print: judged cells and the reasons of each detection (``replay``, ``scan``)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table


def print_cells(objects: list[dict], detections: list[dict], *, title: str) -> Console:
    """The human table of judged cells, then each detection with its reasons (replay and scan)."""
    console = Console(width=None if sys.stdout.isatty() else 140)
    table = Table(title=title)
    for col in ("ARFCN", "BSIC", "MCC-MNC", "LAC", "CI", "SI", "neighbours", "SNR dB", "offset Hz", "verdict"):
        table.add_column(col)
    for o in objects:
        table.add_row(
            str(o["arfcn"]),
            str(o["bsic"]),
            f"{o['mcc'] or '?'}-{o['mnc'] or '?'}",
            str(o["lac"] or "?"),
            str(o["cell_id"] or "?"),
            ",".join(o["si"]) or "-",
            "-" if o["neighbours"] is None else str(len(o["neighbours"])),
            "?" if o["snr_db"] is None else f"{o['snr_db']:.0f}",
            "?" if o["freq_offset_hz"] is None else f"{o['freq_offset_hz']:+.0f}",
            o["verdict"],
        )
    console.print(table)
    for d in detections:
        console.print(
            f"[bold red]{d['verdict'].upper()}[/] ARFCN {d['arfcn']} BSIC {d['bsic']} "
            f"({d['mcc'] or '?'}-{d['mnc'] or '?'} LAC {d['lac']} CI {d['cell_id']}), score {d['score']:.2f}:"
        )
        for r in d["reasons"]:
            console.print(f"  - {r['detail']} [dim]({r['rule']}, {r['weight']:.2f})[/]")
    return console
