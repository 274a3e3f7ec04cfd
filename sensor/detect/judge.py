"""Judging what a receiver heard: cell observations → facts → context → judged cell objects.

One call for replays, the evaluation harness and the daemon: ``judge_cells`` builds the context
(the cells heard together, what the receiver could hear, the time observed) and returns
CONTRACT.md cell objects with their verdict, score and reasons filled in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from sensor.cells import CellObservation, cell_object
from sensor.detect.baseline import Baseline
from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.detector import Detector, apply
from sensor.gsm.bands import BANDS

CHANNEL_HALF_WIDTH_HZ = 100e3
DEFAULT_PASSBAND_FRACTION = 0.8  # of the sample rate: the receiver decodes carriers inside it


def arfcns_in_passband(center_hz: float, sample_rate_hz: float, fraction: float = DEFAULT_PASSBAND_FRACTION) -> set[int]:
    """ARFCNs whose whole 200 kHz channel lies inside the decodable part of a tuning, any band."""
    half = sample_rate_hz * fraction / 2 - CHANNEL_HALF_WIDTH_HZ
    out: set[int] = set()
    for band in BANDS.values():
        arfcns = band.arfcns()
        f = band.downlink_hz(arfcns)
        out.update(int(a) for a in arfcns[np.abs(f - center_hz) <= half])
    return out


def judge_cells(cells: Iterable[CellObservation], detector: Detector, *, baseline: Baseline | None = None,
                allocations: Any | None = None, receiver_ppm: float | None = None,
                tunings: Sequence[tuple[float, float]] = (), observed_from_s: float | None = None,
                observed_to_s: float | None = None, position: dict[str, Any] | None = None,
                rssi_dbm: dict[str, float | None] | None = None) -> list[dict[str, Any]]:
    """Judged cell objects, in the order given. ``tunings`` are (centre Hz, sample rate Hz) pairs
    the receiver listened on (empty: unknown, and rules needing it do not judge)."""
    cells = list(cells)
    objects = [cell_object(c, rssi_dbm=(rssi_dbm or {}).get(c.key)) for c in cells]
    facts = [CellFacts.from_observation(c, o) for c, o in zip(cells, objects, strict=True)]
    observed = None
    if tunings:
        observed = frozenset().union(*(arfcns_in_passband(fc, fs) for fc, fs in tunings))
    ctx = DetectContext(facts, baseline=baseline, allocations=allocations, receiver_ppm=receiver_ppm,
                        observed_arfcns=observed, observed_from_s=observed_from_s, observed_to_s=observed_to_s,
                        position=position)
    for o, f in zip(objects, facts, strict=True):
        apply(o, detector.judge(f, ctx))
    return objects
