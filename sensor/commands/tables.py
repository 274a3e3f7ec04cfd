"""The human tables the commands print: judged cells and the reasons of each detection (``replay``, ``scan``),
the phones a cell took onto its dedicated channels and the SMS it pushed (``replay``)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.markup import escape
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


def _plain(text: str) -> str:
    """Attacker-controlled text (an SMS, its sender) for the terminal: rich markup escaped, and every
    character that is not printable (newlines, ESC of terminal control sequences, bidi overrides)
    written as its Python escape, so the text shows on one line and can steer nothing."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return escape(shown)


def print_activity(console: Console, objects: list[dict], sms: list[dict]) -> None:
    """A line per cell with dedicated traffic (sessions, distinct phones, SMS pushed, identity
    requests, rejects by cause), then the SMS texts the cells pushed."""
    for o in objects:
        a = o.get("activity")
        if a is None:
            continue
        asked = ", ".join(f"{kind} {n}" for kind, n in a["identity_requests"].items()) or "none"
        rejects = ", ".join(f"{n}× cause {cause}" for cause, n in a["lu_rejects"].items()) or "none"
        in_part = a.get("sessions_in_part")
        console.print(
            f"ARFCN {o['arfcn']} BSIC {o['bsic']}: {a['sessions']} session(s)"
            + (f" ({in_part} seen only in part)" if in_part else "")
            + f", {a['phones']} phone(s), {a['sms']} SMS pushed, identity requests: {asked}; rejects: {rejects}"
            + (f"; {a['ciphered_sessions']} ciphered" if a["ciphered_sessions"] else "")
        )
    for m in sms:
        text = "(8-bit data)" if m["text"] is None else _plain(m["text"])
        console.print(f"  SMS on ARFCN {m['arfcn']} from {_plain(m['sender'] or '?')}: {text}")
