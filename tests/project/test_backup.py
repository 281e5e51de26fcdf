"""Backups as an operator runs them (`make backup` / `make restore`: `manage.py backup_db` / `restore_db`, on
django-dbbackup): a change made after a backup is gone once it is restored, the media and the digital goods' files
come back, and only the newest BACKUP_KEEP backups stay. Each command runs in its own process against a database the
test owns: a file copy of the migrated test database on SQLite, the test database itself on PostgreSQL."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SITE = "SELECT name FROM django_site ORDER BY id"


@pytest.fixture
def shop(transactional_db, tmp_path):
    """A committed shop database for the commands' processes (they see only what is committed), its folders, and a
    way to run SQL in it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "shop.sqlite3"
        target = sqlite3.connect(path)  # the migrated (in-memory) test database, copied to a file a process can open
        try:
            connection.ensure_connection()
            connection.connection.backup(target)
        finally:
            target.close()
        url, connect = f"sqlite:///{path}", lambda: sqlite3.connect(path)
    else:
        db = connection.settings_dict
        server = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
        if db["PASSWORD"]:
            server["password"] = db["PASSWORD"]
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        url = f"postgres://{auth}@{server['host']}:{server['port']}/{db['NAME']}"

        def connect():
            return psycopg2.connect(dbname=db["NAME"], **server)

    def sql(*statements):
        database = connect()
        try:
            cursor = database.cursor()
            for statement in statements:
                cursor.execute(statement)
            rows = cursor.fetchall() if cursor.description else None
            database.commit()
            return rows
        finally:
            database.close()

    inherited = {name: value for name, value in os.environ.items() if not name.startswith("BACKUP_")}
    env = {
        **inherited, "DEBUG": "true", "DATABASE_URL": url, "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(tmp_path / "media"), "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }  # fmt: skip

    def manage(*args, stdin="", **extra_env):
        connection.close()  # pg_restore drops the tables: no session of ours may hold them
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env={**env, **extra_env}, input=stdin,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    return {"sql": sql, "manage": manage, "tmp": tmp_path, "backups": tmp_path / "backups"}


def _ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.services
def test_a_restored_postgresql_backup_takes_the_shop_back_to_when_it_was_made(shop):
    _round_trip(shop, "postgresql")


def test_a_restored_sqlite_backup_takes_the_shop_back_to_when_it_was_made(shop):
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's backup (this run uses PostgreSQL: see the test above)")
    _round_trip(shop, "sqlite")


def _round_trip(shop, engine):
    # given a shop with its name, a product picture and a digital good's file
    shop["sql"]("UPDATE django_site SET name = 'Open Source Store' WHERE id = 1")
    picture = shop["tmp"] / "media" / "images" / "printer.jpg"
    manual = shop["tmp"] / "private" / "digital" / "printer-manual.pdf"
    for path, content in ((picture, b"\xff\xd8 the printer"), (manual, b"%PDF the manual")):
        path.parent.mkdir(parents=True)
        path.write_bytes(content)

    # when it is backed up, then changed: renamed, a second site added, the picture replaced, the manual lost
    out = _ok(shop["manage"]("backup_db"))
    when = re.search(r"BACKUP=(\S+) make restore", out).group(1)
    names = sorted(name.name for name in shop["backups"].iterdir())
    suffix = ".psql.bin" if engine == "postgresql" else ".sqlite3"
    assert names == sorted([
        f"oss-default-database-{when}{suffix}", f"oss-default-database-{when}{suffix}.metadata",
        f"oss-digital-goods-{when}.tar", f"oss-media-{when}.tar",
    ])  # fmt: skip
    if engine == "postgresql":
        assert (shop["backups"] / f"oss-default-database-{when}{suffix}").read_bytes().startswith(b"PGDMP")
    shop["sql"](
        "UPDATE django_site SET name = 'Renamed by mistake' WHERE id = 1",
        "INSERT INTO django_site (id, domain, name) VALUES (2, 'later.example', 'Added later')",
    )
    picture.write_bytes(b"a different picture")
    manual.unlink()

    # then an operator who answers anything but yes keeps the shop as it is
    refused = shop["manage"]("restore_db", when, stdin="no\n")
    assert refused.returncode != 0 and "Restore cancelled" in refused.stderr
    assert shop["sql"](SITE) == [("Renamed by mistake",), ("Added later",)]

    # and restoring the backup takes the database and both kinds of files back to when it was made
    _ok(shop["manage"]("restore_db", when, "--no-input"))
    assert shop["sql"](SITE) == [("Open Source Store",)]
    assert picture.read_bytes() == b"\xff\xd8 the printer"
    assert manual.read_bytes() == b"%PDF the manual"


def test_only_the_newest_backups_are_kept(shop):
    # given a shop that keeps two backups
    times = []
    for _ in range(3):
        # when it is backed up three times
        out = _ok(shop["manage"]("backup_db", BACKUP_KEEP="2"))
        times.append(re.search(r"BACKUP=(\S+) make restore", out).group(1))

    # then each kind (database, media, digital goods) holds the newest two, and restoring "latest" means the newest
    assert len(set(times)) == 3 and times == sorted(times)
    left = [name.name for name in shop["backups"].iterdir() if not name.name.endswith(".metadata")]
    for kind in ("default-database", "media", "digital-goods"):
        kept = sorted(name for name in left if name.startswith(f"oss-{kind}-"))
        assert [re.search(r"\d{4}-\d{2}-\d{2}-\d{6}", name).group() for name in kept] == times[1:], kept
    refused = shop["manage"]("restore_db", "latest", stdin="no\n")
    assert f"oss-default-database-{times[2]}" in refused.stdout


def test_restoring_names_what_it_cannot_find():
    with pytest.raises(Exception, match="names no backup"):
        call_command("restore_db", "yesterday", "--no-input")
