"""Judging what a receiver heard: cell observations → facts → context → judged cell objects.

One call for replays, the evaluation harness and the daemon: ``judge_cells`` builds the context
(the cells heard together, what the receiver could hear, the time observed) and returns
CONTRACT.md cell objects with their verdict, score and reasons filled in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from sensor.cells import CellObservation, cell_object
from sensor.detect.context import CellFacts, DetectContext
from sensor.detect.detector import Detector, apply
from sensor.gsm.bands import BANDS

if TYPE_CHECKING:
    from sensor.detect.baseline import Baseline  # the store (sqlite3): the caller's, when it has one

CHANNEL_HALF_WIDTH_HZ = 100e3
DEFAULT_PASSBAND_FRACTION = 0.8  # of the sample rate: the receiver decodes carriers inside it


def arfcns_in_passband(
    center_hz: float, sample_rate_hz: float, fraction: float = DEFAULT_PASSBAND_FRACTION
) -> set[int]:
    """ARFCNs whose whole 200 kHz channel lies inside the decodable part of a tuning, any band."""
    half = sample_rate_hz * fraction / 2 - CHANNEL_HALF_WIDTH_HZ
    out: set[int] = set()
    for band in BANDS.values():
        arfcns = band.arfcns()
        f = band.downlink_hz(arfcns)
        out.update(int(a) for a in arfcns[np.abs(f - center_hz) <= half])
    return out


def observed_spans(tunings: Sequence[tuple[float, float, float, float]]) -> dict[int, tuple[tuple[float, float], ...]]:
    """ARFCN → the stretches (start, end) it was inside a tuning (centre Hz, rate Hz, start s, end s);
    stretches that follow on from each other are joined (recordings of one drive at one tuning)."""
    spans: dict[int, list[tuple[float, float]]] = {}
    for fc, fs, t0, t1 in sorted(tunings, key=lambda t: t[2]):
        for a in arfcns_in_passband(fc, fs):
            lst = spans.setdefault(a, [])
            if lst and abs(lst[-1][1] - t0) < 1e-3:
                lst[-1] = (lst[-1][0], t1)
            else:
                lst.append((t0, t1))
    return {a: tuple(v) for a, v in spans.items()}


def judge_cells(
    cells: Iterable[CellObservation],
    detector: Detector,
    *,
    baseline: Baseline | None = None,
    allocations: Any | None = None,
    receiver_ppm: float | None = None,
    tunings: Sequence[tuple[float, float, float, float]] = (),
    position: dict[str, Any] | None = None,
    rssi_dbm: dict[str, float | None] | None = None,
    appeared: dict[str, float] | None = None,
    activity: dict[str, dict[str, Any] | None] | None = None,
) -> list[dict[str, Any]]:
    """Judged cell objects, in the order given. ``tunings`` are what the receiver listened on:
    (centre Hz, sample rate Hz, start s, end s) (empty: unknown, and rules needing it do not judge).
    ``activity``: what each cell (by key) did on its dedicated channels, which the causal rules read;
    the objects carry it."""
    cells = list(cells)
    objects = [cell_object(c, rssi_dbm=(rssi_dbm or {}).get(c.key)) for c in cells]
    for c, o in zip(cells, objects, strict=True):
        act = (activity or {}).get(c.key)
        if act is not None:
            o["activity"] = act
    facts = [CellFacts.from_observation(c, o) for c, o in zip(cells, objects, strict=True)]
    ctx = DetectContext(
        facts,
        baseline=baseline,
        allocations=allocations,
        receiver_ppm=receiver_ppm,
        observed=observed_spans(tunings) if tunings else None,
        position=position,
        appeared=dict(appeared or {}),
    )
    for o, f in zip(objects, facts, strict=True):
        apply(o, detector.judge(f, ctx))
    return objects
