"""Backups with django-dbbackup (settings: the Backups block). A backup is a set of three files in the backup storage
(``STORAGES["dbbackup"]``, ``BACKUP_DIR``), named by one time:

    oss-default-database-<time>.psql.bin   the database: pg_dump's custom format (``.sqlite3``: SQLite's backup API)
    oss-media-<time>.tar                   the public media (MEDIA_ROOT): product images and other uploads
    oss-digital-goods-<time>.tar           the files sold as digital goods (PRIVATE_MEDIA_ROOT)

``backup()`` writes a set with dbbackup's own commands, then deletes the oldest beyond ``DBBACKUP_CLEANUP_KEEP``
(databases) and ``DBBACKUP_CLEANUP_KEEP_MEDIA`` (each kind of files). ``restore()`` puts a set back: the database's
contents replaced, every file in the set written over the one of its name (files added since are left)."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import sleep

from dbbackup import settings as dbbackup_settings
from dbbackup import utils
from dbbackup.db.base import get_connector
from dbbackup.db.exceptions import ConnectorError
from dbbackup.management.commands import mediabackup, mediarestore
from dbbackup.storage import StorageError, get_storage
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management import call_command
from django.template.defaultfilters import filesizeformat

DATABASE = "default"
MEDIA = "media"
DIGITAL_GOODS = "digital-goods"


class BackupError(Exception):
    pass


def _not_through_a_pool() -> None:
    """pg_dump and pg_restore set session settings (a restore leaves ``search_path`` empty): through pgbouncer in
    transaction mode they stay on a server connection that the pool then lends to the shop, whose queries no longer
    find its tables. A backup or a restore connects to the primary itself."""
    if getattr(settings, "DATABASE_POOLER", ""):
        raise BackupError(
            f"DATABASE_URL is a transaction pool (DATABASE_POOLER={settings.DATABASE_POOLER}): back up and restore "
            "with DATABASE_URL naming the PostgreSQL primary itself and DATABASE_POOLER empty. Through the pool, "
            "pg_dump's and pg_restore's session settings would stay on server connections the shop then uses."
        )


@dataclass(frozen=True)
class BackupSet:
    time: str
    database: str
    media: str | None
    digital_goods: str | None


def _files(kind: str) -> Storage:
    if kind == DIGITAL_GOODS:  # catalog.models.private_storage: never under MEDIA_URL
        return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
    return storages["default"]


class _FilesBackup(mediabackup.Command):
    """dbbackup's ``mediabackup`` of one kind of files; a folder not made yet (nothing uploaded) gives an empty tar."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def backup_mediafiles(self):
        self.media_storage = _files(self.kind)
        super().backup_mediafiles()

    def _explore_storage(self):
        location = getattr(self.media_storage, "location", None)
        if location is not None and not Path(location).is_dir():
            return iter(())
        return super()._explore_storage()


class _FilesRestore(mediarestore.Command):
    """dbbackup's ``mediarestore`` into one kind of files."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def _restore_backup(self):
        self.media_storage = _files(self.kind)
        super()._restore_backup()


def location() -> str:
    storage = get_storage().storage
    return str(getattr(storage, "location", storage))


def _names() -> list[str]:
    try:
        return get_storage().list_directory()
    except FileNotFoundError:  # no backup made yet
        return []


def _new_time() -> str:
    """Now, in dbbackup's date format; a second backup within the same second waits for the next, so that each set
    has a time of its own."""
    while True:
        now = datetime.now().strftime(dbbackup_settings.DATE_FORMAT)
        if not any(now in name for name in _names()):
            return now
        sleep(0.2)


def backup(*, report=lambda line: None, verbosity: int = 0) -> BackupSet:
    """Write a new set (the database, the media, the digital goods' files), then apply retention. ``report`` gets a
    line for each file written."""
    _not_through_a_pool()
    when = _new_time()
    extension = get_connector(DATABASE).extension
    made = BackupSet(
        time=when,
        database=utils.filename_generate(extension, DATABASE, wildcard=when),
        media=utils.filename_generate("tar", servername=MEDIA, content_type="media", wildcard=when),
        digital_goods=utils.filename_generate("tar", servername=DIGITAL_GOODS, content_type="media", wildcard=when),
    )
    options = {"clean": True, "interactive": False, "verbosity": verbosity}
    storage = get_storage().storage
    try:
        call_command("dbbackup", database=DATABASE, output_filename=made.database, **options)
        report(f"database       {made.database} ({filesizeformat(storage.size(made.database))})")
        for kind, name in ((MEDIA, made.media), (DIGITAL_GOODS, made.digital_goods)):
            call_command(_FilesBackup(kind), servername=kind, output_filename=name, **options)
            report(f"{kind:<14} {name} ({filesizeformat(storage.size(name))})")
    except (ConnectorError, StorageError, OSError) as exc:
        raise BackupError(f"Backup failed: {exc}") from exc
    report(
        f"in {location()}, keeping the newest {dbbackup_settings.CLEANUP_KEEP} database backups and "
        f"{dbbackup_settings.CLEANUP_KEEP_MEDIA} of each kind of files"
    )
    return made


def find(which: str) -> BackupSet:
    """The set named by ``which``: ``latest``, its time (``2027-01-01-030000``) or the name or path of a file in it."""
    storage = get_storage()
    if which == "latest":
        try:
            which = storage.get_latest_backup(content_type="db", database=DATABASE)
        except StorageError:
            raise BackupError(f"No database backup in {location()}.") from None
    when = utils.filename_to_datestring(Path(which).name)
    if not when:
        raise BackupError(f"{which!r} names no backup: give 'latest', a time like 2027-01-01-030000 or a backup file.")

    def one(**filters) -> str | None:
        try:
            matching = [name for name in storage.list_backups(**filters) if when in name]
        except FileNotFoundError:
            matching = []
        return matching[0] if matching else None

    database = one(content_type="db", database=DATABASE)
    if database is None:
        raise BackupError(f"No database backup from {when} in {location()}.")
    return BackupSet(
        time=when,
        database=database,
        media=one(content_type="media", servername=MEDIA),
        digital_goods=one(content_type="media", servername=DIGITAL_GOODS),
    )


def restore(found: BackupSet, *, report=lambda line: None, verbosity: int = 0) -> None:
    """Replace the database's contents with the set's and write its files back. Stop web, worker and beat first."""
    _not_through_a_pool()
    options = {"interactive": False, "verbosity": verbosity}
    try:
        call_command("dbrestore", database=DATABASE, input_filename=found.database, **options)
        report(f"database       {found.database}")
        for kind, name in ((MEDIA, found.media), (DIGITAL_GOODS, found.digital_goods)):
            if name is None:
                report(f"{kind:<14} no backup from {found.time}: files left as they are")
                continue
            call_command(_FilesRestore(kind), input_filename=name, replace=True, **options)
            report(f"{kind:<14} {name}")
    except (ConnectorError, StorageError, OSError) as exc:
        raise BackupError(f"Restore failed: {exc}") from exc
