"""Raster basemap tiles from a local PMTiles archive (the ``pmtiles`` package), for the report's maps.

The tiles are read from the file (memory-mapped: nothing is fetched) and embedded in the page as
``data:`` images, so the report stays one self-contained file. Only raster archives (PNG, JPEG,
WebP tiles) can be drawn without a renderer: a vector archive, or a file that is not PMTiles, is an
``InputError``.
"""

from __future__ import annotations

import gzip
import mmap
from pathlib import Path

from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType

from sensor.errors import InputError

MIME = {TileType.PNG: "image/png", TileType.JPEG: "image/jpeg", TileType.WEBP: "image/webp"}


class Basemap:
    """An open raster PMTiles archive: its zoom range, its tiles."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("rb")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the basemap ({exc.strerror or exc})") from None
        try:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self._reader = Reader(lambda offset, length: self._map[offset : offset + length])
            header = self._reader.header()
        except Exception as exc:  # noqa: BLE001 - pmtiles raises its own and plain errors on a file that is no archive
            self._file.close()
            raise InputError(f"{path}: not a PMTiles archive ({type(exc).__name__})") from None
        mime = MIME.get(header["tile_type"])
        if mime is None:
            self.close()
            raise InputError(
                f"{path}: a {header['tile_type'].name} archive; the report draws raster tiles (PNG, JPEG or WebP)"
            )
        self.mime = mime
        self.min_zoom, self.max_zoom = int(header["min_zoom"]), int(header["max_zoom"])
        self._gzip = header["tile_compression"] == Compression.GZIP

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's image bytes, or None where the archive has none."""
        data = self._reader.get(z, x, y)
        if not data:
            return None
        return gzip.decompress(data) if self._gzip else bytes(data)

    def close(self) -> None:
        if hasattr(self, "_map"):
            self._map.close()
        self._file.close()

    def __enter__(self) -> Basemap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
