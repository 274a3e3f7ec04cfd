"""A small raster PMTiles archive drawn in the tests (a synthetic street grid over an area), and the
PNG encoding and decoding the browser tests need (standard library + numpy: no imaging package).

The tiles are Web Mercator 256 px PNGs: land in ``LAND`` with streets every ``BLOCK_M`` metres of
Mercator plane (``STREET``, edged in ``CASING``), a park (``PARK``) every fourth block, so that a
screenshot of the dashboard over them reads as a map and a pixel of the basemap is told from the
page's blank background."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

import numpy as np

LAND = (247, 224, 168)  # sand: nothing in the page's own palette
STREET = (255, 255, 255)
CASING = (196, 180, 150)
PARK = (190, 222, 170)
BLOCK_M = 120.0
STREET_M = 14.0
EARTH_M = 2 * math.pi * 6378137.0  # the Web Mercator plane's width


def png_rgb(rgb: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of an (h, w, 3) uint8 array (filter 0 on every row)."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit RGB or RGBA non-interlaced PNG (as Chromium's screenshots are) as an (h, w, 3) array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat = 8, b""
    w = h = channels = 0
    while at < len(data):
        (n,) = struct.unpack_from(">I", data, at)
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + n]
        at += 12 + n
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = w * channels
    out = np.zeros((h, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if f == 0:
            cur = line
        elif f == 2:
            cur = (line + prev) & 0xFF
        else:  # 1 sub, 3 average, 4 paeth: left-dependent, byte by byte
            cur = np.zeros(stride, np.int32)
            for i in range(stride):
                left = cur[i - channels] if i >= channels else 0
                up_left = prev[i - channels] if i >= channels else 0
                pred = left if f == 1 else (left + prev[i]) // 2 if f == 3 else _paeth(left, prev[i], up_left)
                cur[i] = (line[i] + pred) & 0xFF
        out[y] = cur
        prev = cur
    return out.reshape(h, w, channels)[:, :, :3]


def tile_xy(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = (lon + 180.0) / 360.0 * n
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int(x), int(y)


def street_tile(z: int, x: int, y: int) -> np.ndarray:
    """The (256, 256, 3) image of tile z/x/y of the street grid."""
    size_m = EARTH_M / 2**z
    px = (np.arange(256) + 0.5) / 256 * size_m
    mx = x * size_m + px  # metres from the plane's west edge
    my = y * size_m + px  # metres from its north edge
    gx, gy = np.meshgrid(mx % BLOCK_M, my % BLOCK_M)
    bx, by = np.meshgrid(mx // BLOCK_M, my // BLOCK_M)
    img = np.empty((256, 256, 3), np.uint8)
    img[:] = LAND
    img[(bx + 2 * by) % 4 == 0] = PARK
    edge = STREET_M + max(2.0, size_m / 256)
    img[(gx < edge) | (gy < edge)] = CASING
    img[(gx < STREET_M) | (gy < STREET_M)] = STREET
    return img


def make_street_archive(
    path: Path,
    center: tuple[float, float],
    half_span_m: float = 1200.0,
    zooms: range = range(13, 18),
    attribution: str = "synthetic street grid (tests)",
) -> int:
    """A raster PMTiles archive of the street grid over a square of ``half_span_m`` around ``center``
    (lat, lon), written with the ``pmtiles`` package; returns the number of tiles."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import write

    lat, lon = center
    dlat = half_span_m / 111_320.0
    dlon = half_span_m / (111_320.0 * math.cos(math.radians(lat)))
    west, south, east, north = lon - dlon, lat - dlat, lon + dlon, lat + dlat
    tiles = []
    for z in zooms:
        x0, y0 = tile_xy(north, west, z)
        x1, y1 = tile_xy(south, east, z)
        tiles += [(zxy_to_tileid(z, x, y), z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    tiles.sort()
    with write(path) as w:
        for tile_id, z, x, y in tiles:
            w.write_tile(tile_id, png_rgb(street_tile(z, x, y)))
        w.finalize(
            {
                "tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                "min_lon_e7": round(west * 1e7), "min_lat_e7": round(south * 1e7),
                "max_lon_e7": round(east * 1e7), "max_lat_e7": round(north * 1e7),
                "center_zoom": zooms[-1] - 1, "center_lon_e7": round(lon * 1e7), "center_lat_e7": round(lat * 1e7),
            },
            {"attribution": attribution, "name": "street grid"},
        )  # fmt: skip
    return len(tiles)
