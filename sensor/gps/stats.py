"""Counters every position source keeps; never reset while the source exists."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(slots=True)
class GeoStats:
    bytes_read: int = 0
    sentences_ok: int = 0  # well-formed, checksummed sentences (or gpsd reports) that were used
    sentences_bad: int = 0  # bad checksum, truncated, binary noise, absurd values, unparsable JSON
    sentences_ignored: int = 0  # well-formed but not needed (GSV, TXT, proprietary, unknown talker)
    fixes: int = 0  # valid fixes delivered
    no_fix_epochs: int = 0  # epochs in which the receiver reported no fix
    rejected_epochs: int = 0  # epochs dropped for implausible or inconsistent values, or no date
    losses: int = 0  # times a fix was had and then lost
    recoveries: int = 0  # times a fix came back after a loss
    jumps: int = 0  # fixes dropped because reaching them needed an impossible speed
    reconnects: int = 0  # times the device or daemon was reopened after it went away
    errors: int = 0  # unexpected errors caught in the reader loop (logged with context)
    baud_rate: int | None = None  # serial only: the detected or configured rate

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
