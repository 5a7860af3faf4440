"""Where the store lives: `--db URL`, else `CODEWARD_DB`, else SQLite in `$CODEWARD_HOME`.

Every command (check, serve, review, audit) resolves the location the same way, so they all see
the same audit chain and review queue.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from codeward.errors import StoreError
from codeward.home import home

DATABASE_FILE = "codeward.db"


@dataclass(frozen=True, slots=True)
class StoreLocation:
    url: str
    """A SQLAlchemy URL: `sqlite:///…` or `postgresql+psycopg://…`."""

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        if not self.is_sqlite:
            raise StoreError(f"{self.display} is not a SQLite store")
        return Path(self.url.split(":///", 1)[1])

    @property
    def display(self) -> str:
        """The URL without its password, for messages and logs."""
        if "@" not in self.url:
            return self.url
        scheme, rest = self.url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in credentials else self.url


def locate(db: str | None = None, environ: Mapping[str, str] | None = None) -> StoreLocation:
    """The store for `--db` (a URL or a file path), else `CODEWARD_DB`, else `$CODEWARD_HOME/codeward.db`."""
    environ = os.environ if environ is None else environ
    given = db or environ.get("CODEWARD_DB")
    if not given:
        return StoreLocation(f"sqlite:///{home(environ) / DATABASE_FILE}")
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if given.startswith(prefix):
            return StoreLocation("postgresql+psycopg://" + given[len(prefix) :])
    if given.startswith("sqlite:///"):
        return StoreLocation(f"sqlite:///{Path(given[len('sqlite:///') :]).expanduser()}")
    if "://" in given:
        raise StoreError(
            f"unsupported store URL {given.split('://', 1)[0]}://…: use postgresql://… or a SQLite file path"
        )
    return StoreLocation(f"sqlite:///{Path(given).expanduser().absolute()}")
