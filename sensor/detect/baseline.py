"""The area baseline: which cells have been seen where, on which carriers, with which parameters.

An SQLite file (WAL) with one row per (area, identity, ARFCN, BSIC, source). The area is the
geohash cell of the position (precision 5, about 5 km, ``sensor/gps/geohash.py``); lookups take
the position's cell and its eight neighbours. Rows come from drives (``learn``: only cells judged
normal, so a fake station never teaches the baseline to accept it) and from OpenCellID's
``cell_towers.csv`` (``import_opencellid``: GSM rows only; OpenCellID has no ARFCN or BSIC for
GSM, so those rows say a cell exists, not on which carrier). Inside the database an unknown ARFCN
or BSIC is stored as −1 so that the uniqueness constraint holds; every method returns ``None``.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sensor.errors import InputError
from sensor.gps import geohash
from sensor.l3 import keys

AREA_PRECISION = 5
SCHEMA_VERSION = 1
OPENCELLID_COLUMNS = (
    "radio",
    "mcc",
    "net",
    "area",
    "cell",
    "unit",
    "lon",
    "lat",
    "range",
    "samples",
    "changeable",
    "created",
    "updated",
    "averageSignal",
)

_DDL = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS cells(
    area TEXT NOT NULL, mcc TEXT NOT NULL, mnc TEXT NOT NULL, lac INTEGER NOT NULL, cell_id INTEGER NOT NULL,
    arfcn INTEGER NOT NULL, bsic INTEGER NOT NULL, source TEXT NOT NULL,
    n INTEGER NOT NULL DEFAULT 0, first_utc REAL, last_utc REAL, lat_deg REAL, lon_deg REAL, range_m REAL,
    rssi_dbm_max REAL, rssi_dbfs_max REAL, t3212_min_lo INTEGER, t3212_min_hi INTEGER,
    cro_db_lo INTEGER, cro_db_hi INTEGER, params TEXT,
    UNIQUE(area, mcc, mnc, lac, cell_id, arfcn, bsic, source));
CREATE INDEX IF NOT EXISTS cells_identity ON cells(mcc, mnc, lac, cell_id);
CREATE INDEX IF NOT EXISTS cells_area ON cells(area, arfcn);
"""


def _opt(v: int) -> int | None:
    return None if v < 0 else v


class Baseline:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path))
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(_DDL)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"{path}: cannot open the baseline database: {exc}") from None
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            self.db.commit()
        elif int(row[0]) > SCHEMA_VERSION:
            raise InputError(f"{path}: baseline schema {row[0]} is newer than this program's ({SCHEMA_VERSION})")
        self._areas_cache: dict[str, list[str]] = {}

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Baseline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lookups used by the rules ---------------------------------------------------------------
    def _areas(self, position: dict[str, Any] | None) -> list[str] | None:
        if position is None or position.get("lat_deg") is None or position.get("lon_deg") is None:
            return None
        return geohash.with_neighbours(position["lat_deg"], position["lon_deg"], AREA_PRECISION)

    def _rows(self, sql: str, params: tuple[Any, ...], position: dict[str, Any] | None) -> list[tuple[Any, ...]]:
        areas = self._areas(position)
        if areas is None:
            return self.db.execute(sql.format(area="1=1"), params).fetchall()
        cond = f"area IN ({','.join('?' * len(areas))})"
        return self.db.execute(sql.format(area=cond), (*areas, *params)).fetchall()

    def knows(self, ident: tuple[str, str, int, int], position: dict[str, Any] | None) -> bool:
        rows = self._rows(
            "SELECT 1 FROM cells WHERE {area} AND mcc=? AND mnc=? AND lac=? AND cell_id=? LIMIT 1", ident, position
        )
        return bool(rows)

    def has_area(self, position: dict[str, Any] | None) -> bool:
        """True when the baseline knows any cell around this position (None: never)."""
        if self._areas(position) is None:
            return False
        return bool(self._rows("SELECT 1 FROM cells WHERE {area} LIMIT 1", (), position))

    def carriers_of(
        self, ident: tuple[str, str, int, int], position: dict[str, Any] | None
    ) -> set[tuple[int, int | None]]:
        """(ARFCN, BSIC) pairs on which this identity was seen around here (drives only: OpenCellID has none)."""
        rows = self._rows(
            "SELECT DISTINCT arfcn, bsic FROM cells WHERE {area} AND mcc=? AND mnc=? AND lac=? "
            "AND cell_id=? AND arfcn >= 0",
            ident,
            position,
        )
        return {(a, _opt(b)) for a, b in rows}

    def arfcns_near(self, position: dict[str, Any] | None) -> set[int] | None:
        """ARFCNs on which the baseline knows a cell around here; None without a position or data."""
        if self._areas(position) is None:
            return None
        rows = self._rows("SELECT DISTINCT arfcn FROM cells WHERE {area} AND arfcn >= 0", (), position)
        return {a for (a,) in rows} or None

    def max_rssi_dbm(self, ident: tuple[str, str, int, int], position: dict[str, Any] | None) -> float | None:
        if self._areas(position) is None:
            return None
        rows = self._rows(
            "SELECT MAX(rssi_dbm_max) FROM cells WHERE {area} AND mcc=? AND mnc=? AND lac=? AND cell_id=?",
            ident,
            position,
        )
        return rows[0][0] if rows else None

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM cells").fetchone()[0])

    def rows(self, position: dict[str, Any] | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT * FROM cells LIMIT 0")
        names = [d[0] for d in cur.description]
        out = []
        for r in self._rows(
            f"SELECT * FROM cells WHERE {{area}} ORDER BY mcc, mnc, lac, cell_id LIMIT {int(limit)}", (), position
        ):
            d = dict(zip(names, r, strict=True))
            d["arfcn"], d["bsic"] = _opt(d["arfcn"]), _opt(d["bsic"])
            out.append(d)
        return out

    # -- learning ----------------------------------------------------------------------------------
    def learn(self, cell: dict[str, Any], position: dict[str, Any] | None, time_utc_s: float | None = None) -> bool:
        """Add a CONTRACT.md cell object seen at ``position``. Only normal cells with an identity and a
        position are learned; returns whether it was."""
        if cell.get("verdict", "normal") != "normal" or position is None:
            return False
        ident = (cell.get("mcc"), cell.get("mnc"), cell.get("lac"), cell.get("cell_id"))
        if any(v is None for v in ident) or position.get("lat_deg") is None:
            return False
        area = geohash.encode(position["lat_deg"], position["lon_deg"], AREA_PRECISION)
        p = cell.get("params") or {}
        t = time.time() if time_utc_s is None else time_utc_s
        bsic = cell.get("bsic")
        key = (area, *ident, cell["arfcn"], -1 if bsic is None else bsic, "drive")
        self.db.execute(
            "INSERT OR IGNORE INTO cells(area, mcc, mnc, lac, cell_id, arfcn, bsic, source, first_utc, "
            "lat_deg, lon_deg) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (*key, t, position["lat_deg"], position["lon_deg"]),
        )
        self.db.execute(
            "UPDATE cells SET n = n + 1, last_utc = ?, "
            "rssi_dbm_max = MAX(IFNULL(rssi_dbm_max, ?), ?), rssi_dbfs_max = MAX(IFNULL(rssi_dbfs_max, ?), ?), "
            "t3212_min_lo = MIN(IFNULL(t3212_min_lo, ?), ?), t3212_min_hi = MAX(IFNULL(t3212_min_hi, ?), ?), "
            "cro_db_lo = MIN(IFNULL(cro_db_lo, ?), ?), cro_db_hi = MAX(IFNULL(cro_db_hi, ?), ?), params = ? "
            "WHERE area=? AND mcc=? AND mnc=? AND lac=? AND cell_id=? AND arfcn=? AND bsic=? AND source=?",
            (
                t,
                *_twice(cell.get("rssi_dbm")),
                *_twice(cell.get("rssi_dbfs")),
                *_twice(p.get(keys.T3212_MIN)),
                *_twice(p.get(keys.T3212_MIN)),
                *_twice(p.get(keys.CRO_DB)),
                *_twice(p.get(keys.CRO_DB)),
                json.dumps(p),
                *key,
            ),
        )
        self.db.commit()
        return True

    def import_opencellid(self, csv_path: str | Path, *, mcc: str | None = None) -> tuple[int, int]:
        """Import the GSM rows of an OpenCellID ``cell_towers.csv`` (optionally one MCC).
        Returns (rows imported, rows skipped as not GSM, other MCC or malformed)."""
        path = Path(csv_path)
        try:
            f = path.open(newline="", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        with f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header[: len(OPENCELLID_COLUMNS)]) != OPENCELLID_COLUMNS:
                raise InputError(
                    f"{path}: not an OpenCellID cell_towers.csv (expected the header {','.join(OPENCELLID_COLUMNS)})"
                )
            imported = skipped = 0
            batch: list[tuple[Any, ...]] = []
            for row in _gsm_rows(reader, mcc):
                if row is None:
                    skipped += 1
                    continue
                batch.append(row)
                if len(batch) >= 10_000:
                    imported += self._insert_ocid(batch)
                    batch.clear()
            imported += self._insert_ocid(batch)
        self.db.commit()
        return imported, skipped

    def _insert_ocid(self, batch: list[tuple[Any, ...]]) -> int:
        before = self.db.total_changes
        self.db.executemany(
            "INSERT OR IGNORE INTO cells(area, mcc, mnc, lac, cell_id, arfcn, bsic, source, n, "
            "first_utc, last_utc, lat_deg, lon_deg, range_m) VALUES (?,?,?,?,?,-1,-1,'opencellid',?,?,?,?,?,?)",
            batch,
        )
        return self.db.total_changes - before


def _twice(v: Any) -> tuple[Any, Any]:
    return v, v


def _gsm_rows(reader: Iterator[list[str]], mcc: str | None) -> Iterator[tuple[Any, ...] | None]:
    for r in reader:
        try:
            if r[0].strip().upper() != "GSM" or (mcc is not None and r[1].strip() != mcc):
                yield None
                continue
            lat, lon = float(r[7]), float(r[6])
            # OpenCellID's MNC is a number: "1" is MNC 01. Two digits is the common width (three-digit
            # MNCs are used in North America, MCC 310-316, and in India).
            mcc_s, mnc_n = r[1].strip(), int(r[2])
            mnc_s = f"{mnc_n:03d}" if mcc_s.startswith("31") or mcc_s in ("404", "405") else f"{mnc_n:02d}"
            yield (
                geohash.encode(lat, lon, AREA_PRECISION),
                mcc_s,
                mnc_s,
                int(r[3]),
                int(r[4]),
                int(r[9] or 0),
                float(r[11] or 0) or None,
                float(r[12] or 0) or None,
                lat,
                lon,
                float(r[8]) if r[8] else None,
            )
        except (ValueError, IndexError):
            yield None


def default_path() -> Path:
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fbs-sensor" / "baseline.sqlite"
