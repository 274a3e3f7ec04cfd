"""Writing IQ blocks to a SigMF recording, beside the reader in ``sigmf.py``.

The metadata is written when the recording starts and rewritten atomically every few seconds
and on close, so a recording stopped at any moment (Ctrl-C, a crash, a power cut) is valid:
readers take the sample count from the data file's size. A change of centre frequency or a
gap in the source's sample counter starts a new capture segment (``core:global_index`` keeps
the device's sample counter); lost samples are also marked with an annotation.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sensor import __version__
from sensor.errors import InputError
from sensor.model import IQBlock
from sensor.sources.convert import from_complex64, parse_datatype
from sensor.sources.sigmf import DATA_EXT, META_EXT

SIGMF_VERSION = "1.2.0"
META_REFRESH_S = 5.0


def utc_iso(t_s: float) -> str:
    """POSIX seconds as SigMF's ``core:datetime`` (ISO-8601 UTC with microseconds and Z)."""
    return datetime.fromtimestamp(t_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def geolocation(lat_deg: float, lon_deg: float, alt_m: float | None = None) -> dict[str, Any]:
    """A GeoJSON point as SigMF's ``core:geolocation`` wants it (longitude first)."""
    coords = [float(lon_deg), float(lat_deg)] + ([float(alt_m)] if alt_m is not None else [])
    return {"type": "Point", "coordinates": coords}


class SigMFWriter:
    """Append ``IQBlock``s to ``BASE.sigmf-data`` and keep ``BASE.sigmf-meta`` valid."""

    def __init__(
        self,
        base: str | Path,
        *,
        datatype: str,
        sample_rate_hz: float,
        hw: str | None = None,
        description: str | None = None,
        extra_global: dict[str, Any] | None = None,
        overwrite: bool = False,
    ) -> None:
        base = Path(base)
        if base.suffix in (META_EXT, DATA_EXT):
            base = base.with_suffix("")
        self.data_path = base.with_name(base.name + DATA_EXT)
        self.meta_path = base.with_name(base.name + META_EXT)
        self.datatype = parse_datatype(datatype)
        if not self.datatype.complex:
            raise InputError(f"cannot record to real-valued datatype {datatype}")
        if not overwrite and (self.data_path.exists() or self.meta_path.exists()):
            raise InputError(f"{self.data_path}: a recording of that name exists already (choose another --out)")
        self.sample_rate_hz = float(sample_rate_hz)
        self._global: dict[str, Any] = {
            "core:datatype": self.datatype.name,
            "core:sample_rate": self.sample_rate_hz,
            "core:version": SIGMF_VERSION,
            "core:num_channels": 1,
            "core:recorder": f"fbs-sensor {__version__}",
            "core:extensions": [{"name": "fbs", "version": "1.0.0", "optional": True}],
        }
        if hw:
            self._global["core:hw"] = hw
        if description:
            self._global["core:description"] = description
        self._global.update(extra_global or {})
        self._captures: list[dict[str, Any]] = []
        self._annotations: list[dict[str, Any]] = []
        self._hash = hashlib.sha512()
        self._n = 0
        self._last_end: int | None = None
        self._last_center: float | None = None
        self._last_meta_s = 0.0
        try:
            self.data_path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.data_path, "wb")  # noqa: SIM115 - written block by block, closed by close()
        except OSError as exc:
            raise InputError(f"{self.data_path}: cannot write: {exc.strerror}") from None

    @property
    def n_samples(self) -> int:
        return self._n

    def set_global(self, key: str, value: Any) -> None:
        """Set a global field (e.g. ``core:geolocation`` once a position is known)."""
        self._global[key] = value

    def write(self, block: IQBlock) -> None:
        if block.sample_rate_hz != self.sample_rate_hz:
            raise InputError(
                f"block at {block.sample_rate_hz} Hz does not match the recording's {self.sample_rate_hz} Hz"
            )
        gap = self._last_end is not None and (block.first_sample != self._last_end or block.dropped_before != 0)
        if self._last_end is None or gap or block.center_hz != self._last_center:
            capture: dict[str, Any] = {
                "core:sample_start": self._n,
                "core:global_index": block.first_sample,
                "core:frequency": block.center_hz,
            }
            if block.time_utc_s is not None:
                capture["core:datetime"] = utc_iso(block.time_utc_s)
            if block.gain_db is not None:
                capture["fbs:gain_db"] = block.gain_db
            self._captures.append(capture)
        if gap:
            lost = block.dropped_before
            self._annotations.append(
                {
                    "core:sample_start": self._n,
                    "core:comment": "samples lost before this point"
                    + (f": {lost}" if lost else " (amount unknown)" if lost is None else " (receiver retuned)"),
                    "fbs:dropped_samples": lost,
                }
            )
        raw = from_complex64(block.samples, self.datatype).tobytes()
        try:
            self._fh.write(raw)
        except OSError as exc:
            raise InputError(f"{self.data_path}: write failed: {exc.strerror}") from None
        self._hash.update(raw)
        self._n += len(block)
        self._last_end = block.end_sample
        self._last_center = block.center_hz
        now = time.monotonic()
        if now - self._last_meta_s >= META_REFRESH_S:
            self._fh.flush()
            self._write_meta(final=False)
            self._last_meta_s = now

    def close(self) -> None:
        """Flush the data and write the final metadata (with ``core:sha512``)."""
        if self._fh.closed:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._write_meta(final=True)

    def __enter__(self) -> SigMFWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write_meta(self, *, final: bool) -> None:
        glob = dict(self._global)
        if final:
            glob["core:sha512"] = self._hash.hexdigest()
        captures = self._captures or [{"core:sample_start": 0, "core:frequency": 0.0}]
        meta = {"global": glob, "captures": captures, "annotations": self._annotations}
        tmp = self.meta_path.with_name(self.meta_path.name + ".tmp")
        try:
            tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
            os.replace(tmp, self.meta_path)
        except OSError as exc:
            raise InputError(f"{self.meta_path}: cannot write metadata: {exc.strerror}") from None
