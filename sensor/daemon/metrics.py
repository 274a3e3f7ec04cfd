"""Counters and gauges of the running sensor, written as a Prometheus text file (node_exporter's
textfile collector reads it) and shown in the status line. Written atomically (temp + rename), so a
reader never sees half a file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

HELP = {
    "fbs_blocks_decoded_total": ("counter", "L2 blocks decoded"),
    "fbs_tunings_total": ("counter", "tunings visited"),
    "fbs_passes_total": ("counter", "passes over the bands"),
    "fbs_cells": ("gauge", "cells heard in the last pass"),
    "fbs_detections_total": ("counter", "detections published (suspicious or fake)"),
    "fbs_observations_total": ("counter", "observations published"),
    "fbs_sessions_published_total": ("counter", "phone sessions published (dedicated channels followed)"),
    "fbs_sms_published_total": ("counter", "short messages a cell delivered, published"),
    "fbs_outbox_depth": ("gauge", "messages waiting for the collector's acknowledgement"),
    "fbs_outbox_dropped_total": ("counter", "messages dropped by the outbox's size limit"),
    "fbs_device_losses_total": ("counter", "times the receiver was lost"),
    "fbs_gps_fix": ("gauge", "1 when the last block had a valid position"),
    "fbs_link_up": ("gauge", "1 when the collector acknowledged recently"),
    "fbs_clipped_components_total": ("counter", "I/Q components at the ADC's full scale"),
    "fbs_stakeouts_total": ("counter", "stakeout visits (staying on an active suspect or watched carrier)"),
    "fbs_stakeout_seconds_total": ("counter", "radio time spent on stakeouts"),
}


@dataclass(slots=True)
class Metrics:
    values: dict[str, float] = field(default_factory=lambda: dict.fromkeys(HELP, 0.0))

    def inc(self, name: str, by: float = 1.0) -> None:
        self.values[name] = self.values.get(name, 0.0) + by

    def set(self, name: str, value: float) -> None:
        self.values[name] = value

    def text(self, sensor_id: str) -> str:
        lines = []
        for name, value in self.values.items():
            kind, doc = HELP.get(name, ("gauge", name))
            lines += [f"# HELP {name} {doc}", f"# TYPE {name} {kind}", f'{name}{{sensor="{sensor_id}"}} {value:g}']
        return "\n".join(lines) + "\n"

    def write(self, path: str | Path, sensor_id: str) -> None:
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(self.text(sensor_id), encoding="utf-8")
        os.replace(tmp, path)
