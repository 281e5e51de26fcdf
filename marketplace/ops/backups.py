"""Database backups. PostgreSQL: pg_dump's custom format, restored with pg_restore (the client tools must be on
PATH). The embedded SQLite database: SQLite's online backup API, a consistent copy even while the shop runs.
Media files are on their own volume (``MEDIA_ROOT``): back that up with the storage it lives on."""

import os
import sqlite3
import subprocess
from pathlib import Path

import environ
from django.conf import settings
from django.db import connections
from django.utils import timezone

POSTGRESQL = "django.db.backends.postgresql"
SQLITE = "django.db.backends.sqlite3"


class BackupError(Exception):
    pass


def default_path() -> Path:
    db = connections["default"].settings_dict
    suffix = "dump" if db["ENGINE"] == POSTGRESQL else "sqlite3"
    return Path(settings.VAR_DIR) / "backups" / f"{Path(str(db['NAME'])).stem}-{timezone.now():%Y%m%d-%H%M%S}.{suffix}"


def backup(*, path: Path | None = None) -> Path:
    """Dump the shop's database to ``path`` (by default a time-stamped file in var/backups/)."""
    connection = connections["default"]
    path = Path(path or default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = connection.settings_dict["ENGINE"]
    if engine == POSTGRESQL:
        _run(["pg_dump", "--format=custom", "--file", str(path)], connection.settings_dict)
    elif engine == SQLITE:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"No backup method for {engine}.")
    return path


def restore(*, path: Path, database_url: str = "") -> None:
    """Load a backup into ``database_url`` (by default the shop's own database), replacing what is there. Stop the
    web processes and workers first when restoring over the live database."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    target = environ.Env.db_url_config(database_url) if database_url else connections["default"].settings_dict
    if target["ENGINE"] == POSTGRESQL:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", "--dbname", target["NAME"], str(path)], target)  # fmt: skip
    elif target["ENGINE"] == SQLITE:
        source = sqlite3.connect(path)
        if database_url:
            destination = sqlite3.connect(target["NAME"])
        else:
            connections["default"].ensure_connection()
            destination = connections["default"].connection
        try:
            source.backup(destination)
        finally:
            source.close()
            if database_url:
                destination.close()
    else:
        raise BackupError(f"No restore method for {target['ENGINE']}.")


def _run(command: list[str], db: dict) -> None:
    """Run a PostgreSQL client tool against ``db``, passing the password through the environment, not argv."""
    libpq = {"PGDATABASE": db["NAME"], "PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or ""),
             "PGUSER": db.get("USER") or "", "PGPASSWORD": db.get("PASSWORD") or ""}  # fmt: skip
    env = {**os.environ, **{key: value for key, value in libpq.items() if value}}
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools).") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")
