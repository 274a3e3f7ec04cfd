"""Opening a position source from one string, as the CLI and the config file give it.

``gpsd`` · ``gpsd://HOST[:PORT]`` · ``serial:/dev/ttyACM0`` · ``serial:/dev/ttyUSB0@9600`` ·
a bare device path ``/dev/...`` · ``fixed:LAT,LON[,ALT]`` · ``track:FILE`` or a path ending in
``.nmea``/``.gpx`` · ``none``. Backends are imported only when chosen.
"""

from __future__ import annotations

import math
from pathlib import Path

from sensor.errors import ConfigError
from sensor.gps.align import AlignConfig
from sensor.gps.source import PositionSource

SPEC_HELP = "gpsd[://HOST[:PORT]], serial:PORT[@BAUD], fixed:LAT,LON[,ALT], track:FILE, or none"


def open_position_source(spec: str, *, align: AlignConfig | None = None) -> PositionSource | None:
    """The position source ``spec`` names (not started), or None for ``none``."""
    s = spec.strip()
    low = s.lower()
    if low in ("", "none", "off"):
        return None
    if low == "gpsd" or low.startswith(("gpsd://", "gpsd:")):
        from sensor.gps.gpsd import DEFAULT_HOST, DEFAULT_PORT, GpsdSource

        rest = s.split(":", 1)[1].lstrip("/") if ":" in s else ""
        host, port = DEFAULT_HOST, DEFAULT_PORT
        if rest:
            if rest.startswith("["):  # [IPv6]:port
                host, _, tail = rest[1:].partition("]")
                port_s = tail.lstrip(":")
            else:
                host, _, port_s = rest.partition(":")
            if port_s:
                if not port_s.isdigit() or not 0 < int(port_s) < 65536:
                    raise ConfigError(f"GPS {spec!r}: port {port_s!r} is not a TCP port")
                port = int(port_s)
        return GpsdSource(host or DEFAULT_HOST, port, align=align)
    if low.startswith("serial:") or s.startswith("/dev/"):
        from sensor.gps.serial_nmea import SerialNmeaSource

        target = s.split(":", 1)[1] if low.startswith("serial:") else s
        baud = None
        if "@" in target:
            target, _, baud_s = target.rpartition("@")
            if not baud_s.isdigit() or not 300 <= int(baud_s) <= 4_000_000:
                raise ConfigError(f"GPS {spec!r}: baud rate {baud_s!r} is not a number of bits per second")
            baud = int(baud_s)
        if not target:
            raise ConfigError(f"GPS {spec!r}: no serial port given")
        return SerialNmeaSource(target, baud_rate=baud, align=align)
    if low.startswith("fixed:"):
        from sensor.gps.fixed import FixedSource

        parts = [p.strip() for p in s.split(":", 1)[1].split(",")]
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise ConfigError(f"GPS {spec!r}: give fixed:LAT,LON[,ALT] in degrees and metres") from None
        if len(values) not in (2, 3) or not all(math.isfinite(v) for v in values):
            raise ConfigError(f"GPS {spec!r}: give fixed:LAT,LON[,ALT] in degrees and metres")
        return FixedSource(values[0], values[1], values[2] if len(values) == 3 else None)
    if low.startswith("track:") or Path(s).suffix.lower() in (".nmea", ".gpx"):
        from sensor.gps.track import TrackSource

        return TrackSource(s.split(":", 1)[1] if low.startswith("track:") else s, align=align)
    raise ConfigError(f"GPS {spec!r}: not understood; use {SPEC_HELP}")


def open_gps(spec: str, source: object | None = None) -> PositionSource | None:
    """``open_position_source`` started, plus ``sim``: the virtual receiver's own GPS (the route of
    the scene it plays), which needs that receiver as ``source``: a radio that knows where it is
    offers a ``PositionSource`` through ``own_position_source()`` (only the simulator does)."""
    if spec.strip().lower() == "sim":
        own = getattr(source, "own_position_source", None)
        if own is None:
            raise ConfigError("--gps sim is the virtual receiver's GPS: use it with --device sim")
        return own().start()
    gps = open_position_source(spec)
    return None if gps is None else gps.start()
