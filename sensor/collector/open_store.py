"""Open the collector's store from one setting: a PostgreSQL URL or a SQLite file path."""

from __future__ import annotations

import os

from sensor.collector.store import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_from_url(url_or_path: str | os.PathLike[str]) -> Store:
    """``postgresql://…`` (or ``postgres://…``) → ``PostgresStore``; anything else → ``SqliteStore`` on that path."""
    text = os.fspath(url_or_path)
    if isinstance(text, str) and text.lower().startswith(POSTGRES_SCHEMES):
        from sensor.collector.postgres_store import PostgresStore

        return PostgresStore(text)
    from sensor.collector.sqlite_store import SqliteStore

    return SqliteStore(text)
