"""Open the collector's store from one setting: a PostgreSQL URL or a SQLite file path; or an
existing SQLite database to read (``fbs-sensor export``, ``locate``)."""

from __future__ import annotations

import os
from pathlib import Path

from sensor.collector.store import Store
from sensor.errors import InputError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_from_url(url_or_path: str | os.PathLike[str]) -> Store:
    """``postgresql://…`` (or ``postgres://…``) → ``PostgresStore``; anything else → ``SqliteStore`` on that path."""
    text = os.fspath(url_or_path)
    if isinstance(text, str) and text.lower().startswith(POSTGRES_SCHEMES):
        from sensor.collector.postgres_store import PostgresStore

        return PostgresStore(text)
    from sensor.collector.sqlite_store import SqliteStore

    return SqliteStore(text)


def open_existing(db_path: str) -> Store:
    """An existing collector database (never created here): ``InputError`` when missing or unreadable."""
    from sensor.collector.sqlite_store import SqliteStore

    path = Path(db_path)
    if not path.is_file():
        raise InputError(f"{db_path}: no such database" + (" (it is a directory)" if path.is_dir() else ""))
    if not os.access(path, os.R_OK):
        raise InputError(f"{db_path}: cannot read the database (permission denied)")
    return SqliteStore(path)
