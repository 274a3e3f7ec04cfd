"""The dashboard's offline basemap: one local PMTiles archive of raster tiles, checked at start and
served in byte ranges (the page's ``pmtiles`` reader fetches the header, the directories and each
tile as an HTTP ``Range`` request; nothing else of the disk is reachable).

PMTiles version 3 header (127 bytes, little-endian; the PMTiles specification, "Header"): magic
``PMTiles`` and version 3 at 0-7; u64 offsets and lengths of the root directory (8, 16), the JSON
metadata (24, 32), the leaf directories (40, 48) and the tile data (56, 64); tile counts (72, 80,
88); ``clustered`` (96), internal compression (97), tile compression (98), tile type (99), min and
max zoom (100, 101), bounds as i32 degrees × 10⁷ (min lon 102, min lat 106, max lon 110, max lat
114), centre zoom (118), centre lon and lat (119, 123).

Only raster archives are accepted (PNG, JPEG, WebP, AVIF tiles): the page draws them with Leaflet
and the pmtiles reader; a vector archive (MVT, as Protomaps' daily builds are) would need a style,
fonts and sprites on the machine too (``docs/basemap.md`` says why and how to make a raster one).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sensor.errors import ConfigError

HEADER_BYTES = 127
MAGIC = b"PMTiles"
TILE_TYPES = {0: "unknown", 1: "mvt", 2: "png", 3: "jpeg", 4: "webp", 5: "avif", 6: "mlt"}  # spec: TileType
RASTER_TYPES = ("png", "jpeg", "webp", "avif")
COMPRESSION_NONE, COMPRESSION_GZIP = 1, 2  # spec: Compression (0 unknown, 3 brotli, 4 zstd)
MAX_METADATA_BYTES = 1 << 20  # the JSON metadata read for the attribution; a bigger one is not read

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class BasemapInfo:
    """What the page needs to know of the archive (``/api/basemap``)."""

    path: Path
    size_bytes: int
    tile_type: str
    min_zoom: int
    max_zoom: int
    bounds_deg: tuple[float, float, float, float]  # west, south, east, north
    center_deg: tuple[float, float]  # lat, lon
    center_zoom: int
    attribution: str | None

    def view(self) -> dict[str, Any]:
        w, s, e, n = self.bounds_deg
        return {
            "url": "/basemap.pmtiles", "name": self.path.name, "size_bytes": self.size_bytes,
            "tile_type": self.tile_type, "min_zoom": self.min_zoom, "max_zoom": self.max_zoom,
            "bounds": {"west": w, "south": s, "east": e, "north": n},
            "center": {"lat": self.center_deg[0], "lon": self.center_deg[1], "zoom": self.center_zoom},
            "attribution": self.attribution,
        }  # fmt: skip


def parse_header(data: bytes) -> dict[str, Any]:
    """The fields of a PMTiles v3 header (``ConfigError`` when ``data`` is not one)."""
    if len(data) < HEADER_BYTES or data[:7] != MAGIC:
        raise ConfigError("not a PMTiles archive (no 'PMTiles' magic at its start)")
    if data[7] != 3:
        raise ConfigError(f"PMTiles version {data[7]} is not supported (version 3 is)")
    offsets = struct.unpack_from("<11Q", data, 8)
    names = ("root_offset", "root_length", "metadata_offset", "metadata_length", "leaf_offset", "leaf_length",
             "data_offset", "data_length", "addressed_tiles", "tile_entries", "tile_contents")  # fmt: skip
    clustered, internal, compression, tile_type, min_zoom, max_zoom = struct.unpack_from("<6B", data, 96)
    min_lon, min_lat, max_lon, max_lat = (v / 1e7 for v in struct.unpack_from("<4i", data, 102))
    center_zoom = data[118]
    center_lon, center_lat = (v / 1e7 for v in struct.unpack_from("<2i", data, 119))
    return {
        **dict(zip(names, offsets)), "clustered": bool(clustered), "internal_compression": internal,
        "tile_compression": compression, "tile_type": TILE_TYPES.get(tile_type, f"type {tile_type}"),
        "min_zoom": min_zoom, "max_zoom": max_zoom, "bounds_deg": (min_lon, min_lat, max_lon, max_lat),
        "center_zoom": center_zoom, "center_deg": (center_lat, center_lon),
    }  # fmt: skip


def _attribution(f: Any, header: dict[str, Any]) -> str | None:
    """The archive's ``attribution`` metadata (text as written; the page shows it as text), if readable."""
    length, compression = header["metadata_length"], header["internal_compression"]
    if not 0 < length <= MAX_METADATA_BYTES or compression not in (COMPRESSION_NONE, COMPRESSION_GZIP):
        return None
    f.seek(header["metadata_offset"])
    raw = f.read(length)
    try:
        text = gzip.decompress(raw) if compression == COMPRESSION_GZIP else raw
        meta = json.loads(text)
    except (OSError, EOFError, ValueError):
        return None
    value = meta.get("attribution") if isinstance(meta, dict) else None
    return value[:500] if isinstance(value, str) and value.strip() else None


def open_basemap(path: str | os.PathLike[str]) -> BasemapInfo:
    """Check that ``path`` is a readable PMTiles v3 archive of raster tiles: one-line ``ConfigError``
    otherwise (at start, before the dashboard serves anything)."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            header = parse_header(f.read(HEADER_BYTES))
            if header["tile_type"] not in RASTER_TYPES:
                raise ConfigError(
                    f"its tiles are {header['tile_type']}, not raster (PNG/JPEG/WebP/AVIF): the dashboard draws "
                    "raster archives (docs/basemap.md says how to make one)"
                )
            if header["data_offset"] + header["data_length"] > size:
                raise ConfigError(f"truncated: the header names {header['data_offset'] + header['data_length']} "
                                  f"bytes, the file has {size}")  # fmt: skip
            attribution = _attribution(f, header)
    except ConfigError as exc:
        raise ConfigError(f"basemap {p}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"basemap {p}: {exc.strerror or exc}") from None
    return BasemapInfo(
        path=p, size_bytes=size, tile_type=header["tile_type"], min_zoom=header["min_zoom"],
        max_zoom=header["max_zoom"], bounds_deg=header["bounds_deg"], center_deg=header["center_deg"],
        center_zoom=header["center_zoom"], attribution=attribution,
    )  # fmt: skip


class RangeNotSatisfiable(Exception):
    """A ``Range`` header the server will not serve (answered 416 with ``Content-Range: bytes */SIZE``)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of one ``Range: bytes=…`` request against a file of ``size``
    bytes (RFC 9110 §14.1.2: ``a-b``, ``a-``, suffix ``-n``; a last byte past the end is clamped),
    or None for the whole file (no header, or a range unit other than bytes: ignored, §14.2).
    ``RangeNotSatisfiable`` for a malformed or unsatisfiable range, and for several ranges (the
    reader never asks for more than one; §15.5.17 allows refusing them)."""
    if header is None:
        return None
    header = header.strip()
    if not header.lower().startswith("bytes="):
        return None
    spec = "bytes=" + header[6:].strip()
    m = _RANGE.fullmatch(spec)
    if m is None:
        raise RangeNotSatisfiable(header)
    first, last = m.groups()
    if first == "":
        if last == "" or int(last) == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - int(last)), size - 1
    a = int(first)
    b = size - 1 if last == "" else min(int(last), size - 1)
    if a >= size or (last != "" and int(last) < a):
        raise RangeNotSatisfiable(header)
    return a, b
