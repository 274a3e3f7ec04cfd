"""Positions from the GPS receivers field officers plug in, time-aligned to IQ samples.

``open_position_source("gpsd")`` (or ``serial:/dev/ttyACM0``, ``fixed:LAT,LON``, ``track:FILE``)
gives a ``PositionSource``; ``source.position_at(block.time_utc_s)`` gives the contract's
``position`` object or None. Backends import their transports lazily.
"""

from __future__ import annotations

from sensor.geo.align import AlignConfig, AlignedPosition, Aligner
from sensor.geo.fix import Fix, NoFix
from sensor.geo.open import open_position_source
from sensor.geo.source import PositionSource
from sensor.geo.stats import GeoStats

__all__ = [
    "AlignConfig",
    "AlignedPosition",
    "Aligner",
    "Fix",
    "GeoStats",
    "NoFix",
    "PositionSource",
    "open_position_source",
]
