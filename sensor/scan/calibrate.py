"""The receiver's clock error from the carrier offsets of the cells it hears.

Operators lock their base stations to GNSS or a network clock (TS 45.010 §5.1: within 0.05 ppm),
so the offset at which a receiver sees their carriers is its own error. Receiver and simulator
agree on the convention (``sensor/sim/render.py``): a receiver whose clock runs ε fast (scene
``receiver.ppm`` = ε·1e6 > 0, LO high) sees a carrier sent at f at f / (1 + ε), and the receiver
reports ``freq_offset_hz`` = carrier as received − nominal carrier. Each measurement therefore
implies

    ε = f / (f + offset_hz) − 1   (≈ −offset_hz / f; ppm = ε·1e6)

e.g. −11.36 kHz at 947.4 MHz is +12.0 ppm.

Robustly, because a fake base station runs on a cheap clock several ppm off (and may sit among the
strongest cells): each cell's ppm is the median of its measurements over time; the cells are then
grouped by agreement (within ``max_disagreement_ppm``), the largest group taken as the network,
and the result is the median of its cells. A cell outside the group is reported as rejected with
its deviation, never averaged in; a cell whose own measurements wander (moving transmitter,
unstable clock) or that implies an implausible error is rejected too. Fewer than ``min_cells``
agreeing cells, or two equally large groups that disagree, is a refusal (``CalibrationError``),
not a guess. The spread is the robust standard deviation (1.4826 × MAD) of the accepted cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np

from sensor.errors import SensorError
from sensor.gsm.bands import arfcn_to_downlink_hz
from sensor.model import L2Block
from sensor.scan.calibration import CellRecord

MAX_DISAGREEMENT_PPM = 0.3
MIN_CELLS = 3
MAX_ABS_PPM = 100.0
MAD_TO_STD = 1.4826  # robust standard deviation of normally distributed values from their MAD


class CalibrationError(SensorError):
    """The measurements do not support a calibration (too few cells, or cells that disagree)."""


@dataclass(frozen=True, slots=True)
class OffsetMeasurement:
    """One measurement of one cell's carrier offset (one receiver window)."""

    arfcn: int
    offset_hz: float  # carrier as received − nominal carrier
    downlink_hz: float  # the nominal carrier
    band: str | None = None
    bsic: int | None = None
    t_s: float | None = None


@dataclass(frozen=True, slots=True)
class PpmEstimate:
    ppm: float
    spread_ppm: float
    used: tuple[CellRecord, ...]
    rejected: tuple[CellRecord, ...]


def implied_ppm(offset_hz: float | np.ndarray, downlink_hz: float | np.ndarray) -> float | np.ndarray:
    """The receiver clock error (ppm, positive = LO high) that makes a carrier at ``downlink_hz``
    appear ``offset_hz`` away from it."""
    return (np.asarray(downlink_hz, dtype=np.float64) / (np.asarray(downlink_hz) + np.asarray(offset_hz)) - 1.0) * 1e6


def measurements_from_blocks(blocks: Iterable[L2Block]) -> list[OffsetMeasurement]:
    """One measurement per cell and receiver window from decoded blocks (parity ok, offset known).

    All blocks of one carrier in one window carry the same measured offset, so each distinct
    offset of a cell counts once."""
    seen: set[tuple[str | None, int, int | None, float]] = set()
    out = []
    for b in blocks:
        if not b.crc_ok or b.freq_offset_hz is None:
            continue
        key = (b.band, b.arfcn, b.bsic, b.freq_offset_hz)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            OffsetMeasurement(
                b.arfcn, b.freq_offset_hz, float(arfcn_to_downlink_hz(b.arfcn, b.band)), b.band, b.bsic, b.t_s
            )
        )
    return out


def _robust_std(x: np.ndarray) -> float:
    return float(MAD_TO_STD * np.median(np.abs(x - np.median(x)))) if len(x) > 1 else 0.0


def _per_cell(measurements: Iterable[OffsetMeasurement]) -> list[CellRecord]:
    groups: dict[tuple[str | None, int, int | None], list[OffsetMeasurement]] = {}
    for m in measurements:
        groups.setdefault((m.band, m.arfcn, m.bsic), []).append(m)
    cells = []
    for (band, arfcn, bsic), ms in groups.items():
        off = np.array([m.offset_hz for m in ms])
        f = np.array([m.downlink_hz for m in ms])
        ppm = np.asarray(implied_ppm(off, f))
        cells.append(
            CellRecord(
                arfcn=arfcn,
                offset_hz=float(np.median(off)),
                ppm=float(np.median(ppm)),
                downlink_hz=float(np.median(f)),
                band=band,
                bsic=bsic,
                measurements=len(ms),
                scatter_ppm=_robust_std(ppm),
            )
        )
    cells.sort(key=lambda c: (c.downlink_hz, -1 if c.bsic is None else c.bsic))
    return cells


def _describe(cells: list[CellRecord]) -> str:
    return ", ".join(f"ARFCN {c.arfcn} {c.ppm:+.2f}" for c in cells) or "none"


def estimate_ppm(
    measurements: Iterable[OffsetMeasurement],
    *,
    max_disagreement_ppm: float = MAX_DISAGREEMENT_PPM,
    min_cells: int = MIN_CELLS,
    max_scatter_ppm: float | None = None,
    max_abs_ppm: float = MAX_ABS_PPM,
) -> PpmEstimate:
    """The receiver's clock error from many cells' offset measurements (see the module docstring).

    ``max_scatter_ppm``: how much one cell's own measurements may wander (default: the
    disagreement threshold). Raises ``CalibrationError`` when fewer than ``min_cells`` (≥ 2) cells
    agree or when the cells form two equally large groups."""
    if min_cells < 2:
        raise ValueError("min_cells must be at least 2: one cell cannot tell its own error from the receiver's")
    thr = float(max_disagreement_ppm)
    scatter_limit = thr if max_scatter_ppm is None else float(max_scatter_ppm)
    cells = _per_cell(measurements)
    rejected: list[CellRecord] = []
    candidates: list[CellRecord] = []
    for c in cells:
        if abs(c.ppm) > max_abs_ppm:
            rejected.append(
                replace(c, reason=f"implies {c.ppm:+.1f} ppm, beyond ±{max_abs_ppm:g} ppm: not on its raster point")
            )
        elif c.scatter_ppm is not None and c.scatter_ppm > scatter_limit:
            rejected.append(
                replace(
                    c,
                    reason=f"its offset wandered by ±{c.scatter_ppm:.2f} ppm during the "
                    "measurement (unstable or moving transmitter)",
                )
            )
        else:
            candidates.append(c)
    p = np.array([c.ppm for c in candidates])
    if len(p) < min_cells:
        raise CalibrationError(
            f"calibration refused: {len(p)} usable cell(s), {min_cells} needed ({_describe(candidates)}); "
            "measure longer, elsewhere, or over more bands (--bands)"
        )
    members = [np.flatnonzero(np.abs(p - p[i]) <= thr) for i in range(len(p))]
    size = max(len(m) for m in members)
    best = [i for i, m in enumerate(members) if len(m) == size]
    pick = min(best, key=lambda i: _robust_std(p[members[i]]))
    rivals = [i for i in best if not np.intersect1d(members[i], members[pick]).size]
    if rivals:
        raise CalibrationError(
            f"calibration refused: the cells form two groups of {size} that disagree "
            f"({p[members[pick]].mean():+.2f} and {p[members[rivals[0]]].mean():+.2f} ppm: {_describe(candidates)}); "
            "cannot tell the network's cells from others: measure elsewhere or with more cells"
        )
    reference = float(np.median(p[members[pick]]))
    agree = np.abs(p - reference) <= thr
    if agree.sum() < min_cells:
        raise CalibrationError(
            f"calibration refused: only {int(agree.sum())} cell(s) agree within ±{thr:g} ppm, {min_cells} needed "
            f"({_describe(candidates)}); measure longer, elsewhere, or over more bands (--bands)"
        )
    ppm = float(np.median(p[agree]))
    for c, ok in zip(candidates, agree):
        if not ok:
            rejected.append(
                replace(
                    c,
                    reason=f"{c.ppm - ppm:+.2f} ppm from the other cells (its own clock is off: "
                    "a fake station or a faulty transmitter)",
                )
            )
    used = tuple(c for c, ok in zip(candidates, agree) if ok)
    rejected.sort(key=lambda c: c.downlink_hz)
    return PpmEstimate(ppm, _robust_std(p[agree]), used, tuple(rejected))
