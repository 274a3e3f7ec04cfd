"""A small raster PMTiles archive made in the tests: solid-colour PNG tiles (written here with zlib)
over a few zoom levels around a point."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

TILE_COLOUR = (30, 120, 200)  # what the basemap's pixels are: no other element of the report uses it


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A solid ``size`` × ``size`` RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def tile_xy(lat_deg: float, lon_deg: float, z: int) -> tuple[int, int]:
    n = 2**z
    s = math.sin(math.radians(lat_deg))
    return int((lon_deg + 180) / 360 * n), int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)


def write_archive(
    path: Path,
    lat_deg: float,
    lon_deg: float,
    zooms: range = range(10, 16),
    reach: int = 6,
    tile_type: TileType = TileType.PNG,
) -> Path:
    """Tiles within ``reach`` of the point's tile at each zoom, all of ``TILE_COLOUR``."""
    data = png(TILE_COLOUR)
    entries = []
    for z in zooms:
        cx, cy = tile_xy(lat_deg, lon_deg, z)
        for x in range(cx - reach, cx + reach + 1):
            for y in range(cy - reach, cy + reach + 1):
                entries.append((zxy_to_tileid(z, x, y), data))
    with path.open("wb") as f:
        w = Writer(f)
        for tile_id, blob in sorted(entries):
            w.write_tile(tile_id, blob)
        e7 = 10_000_000
        w.finalize(
            {
                "tile_type": tile_type,
                "tile_compression": Compression.NONE,
                "min_zoom": zooms.start,
                "max_zoom": zooms.stop - 1,
                "min_lon_e7": int((lon_deg - 1) * e7),
                "min_lat_e7": int((lat_deg - 1) * e7),
                "max_lon_e7": int((lon_deg + 1) * e7),
                "max_lat_e7": int((lat_deg + 1) * e7),
                "center_zoom": zooms.start,
                "center_lon_e7": int(lon_deg * e7),
                "center_lat_e7": int(lat_deg * e7),
            },
            {"name": "test basemap"},
        )
    return path
