"""Where the SENSOR is: positions from the GPS receivers field officers plug in, time-aligned to IQ samples.

This package owns the sensor's own position: NMEA 0183 (``nmea``, ``epoch``, ``nmea_write``), one
source per file (``serial_nmea``, ``gpsd``, ``fixed``, ``track`` + ``gpx``; ``sidecar``: the track
file beside a recording) behind ``source``, the
``--gps`` specs (``open``), alignment to sample time (``align``, ``clock``, ``health``, ``utc``),
u-blox set-up (``ubx``, ``ubx_profile``) and the small position geometry others share
(``geodesy``, ``geohash``). ``open_position_source("gpsd")`` (or ``serial:/dev/ttyACM0``,
``fixed:LAT,LON``, ``track:FILE``) gives a ``PositionSource``; ``source.position_at(block.time_utc_s)``
gives the contract's ``position`` object or None. Backends import their transports lazily. It
imports only the foundation modules (errors, schema, resources): never ``sources``, ``sim`` or
``locate`` (a virtual radio that has its own GPS offers it through ``own_position_source()``).
"""

from __future__ import annotations

from sensor import lazy

# module → the names it defines, imported when first asked for: ``from sensor.gps import geohash``
# (the baseline's) imports only that module (bench/README.md, "Fourth round: start-up")
__getattr__, __dir__ = lazy.exports(
    __name__,
    {
        "align": ("AlignConfig", "AlignedPosition", "Aligner"),
        "fix": ("Fix", "NoFix"),
        "open": ("open_position_source",),
        "source": ("PositionSource",),
        "stats": ("GeoStats",),
    },
)

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
