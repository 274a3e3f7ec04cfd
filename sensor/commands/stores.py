"""What the commands that read a collector database share: the ``--db PATH|URL`` option and opening
it (an existing SQLite file, never created; or a PostgreSQL URL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from sensor.collector.store import Store


def existing_db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--db PATH|URL`` (the command's ``db_path`` argument)."""
    return click.option(
        "--db", "db_path", required=True, metavar="PATH|URL",
        help="The collector's SQLite database (must exist), or postgresql://USER@HOST/DB.",
    )(f)  # fmt: skip


def open_to_read(db_path: str) -> Store:
    """The store of ``--db``: a PostgreSQL URL, or an existing SQLite database (``InputError`` when missing)."""
    from sensor.collector.open_store import POSTGRES_SCHEMES, open_existing, store_from_url

    return store_from_url(db_path) if db_path.lower().startswith(POSTGRES_SCHEMES) else open_existing(db_path)
