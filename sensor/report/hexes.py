"""Readings on H3 hexagons (the ``h3`` package): the heat map's and the coverage map's cells.

Each distinct position is given its cell in one pass (``h3.api.numpy_int``: integer cells, no string
per reading), then counts are summed per cell with numpy. A hexagon holds the readings taken in it
(coverage) and how many of them were flagged (fake-station activity); hexagons without a reading are
not listed: nobody drove there, which says nothing about stations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import h3
import h3.api.numpy_int as h3int
import numpy as np

from sensor.report.query import Positions

DEFAULT_RESOLUTION = 8  # ~0.74 km² a hexagon: a few streets, what a patrol can be sent to
RESOLUTIONS = range(5, 11)  # 250 km² … 0.015 km²


@dataclass(frozen=True, slots=True)
class Hexagon:
    cell: str  # the H3 index, as h3 writes it
    readings: int
    fake: int
    suspicious: int
    boundary: tuple[tuple[float, float], ...]  # (lat_deg, lon_deg) vertices, unclosed

    @property
    def flagged(self) -> int:
        return self.fake + self.suspicious


def cells(lat_deg: np.ndarray, lon_deg: np.ndarray, resolution: int) -> np.ndarray:
    """The H3 cell (uint64) of each position."""
    cells = map(h3int.latlng_to_cell, lat_deg.tolist(), lon_deg.tolist(), itertools.repeat(resolution))
    return np.fromiter(cells, dtype=np.uint64, count=len(lat_deg))  # map: a third faster than a generator


def hexagons(pos: Positions, resolution: int) -> list[Hexagon]:
    """The hexagons holding at least one reading, most flagged first, then most read."""
    if not len(pos.count):
        return []
    unique, index = np.unique(cells(pos.lat_deg, pos.lon_deg, resolution), return_inverse=True)
    per = [np.bincount(index, weights=np.where(pos.grade == g, pos.count, 0), minlength=len(unique)) for g in (0, 1, 2)]
    total = per[0] + per[1] + per[2]
    out = []
    for k, cell in enumerate(unique.tolist()):
        name = h3.int_to_str(cell)
        out.append(
            Hexagon(
                name,
                int(total[k]),
                int(per[2][k]),
                int(per[1][k]),
                tuple((round(a, 6), round(b, 6)) for a, b in h3.cell_to_boundary(name)),
            )
        )
    out.sort(key=lambda h: (-h.flagged, -h.readings, h.cell))
    return out
