from django.core.management.base import BaseCommand, CommandError

from marketplace.ops import backups


class Command(BaseCommand):
    help = "Dump the database: pg_dump (custom format) for PostgreSQL, SQLite's backup API for the embedded default."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the backup (default: var/backups/<db>-<time>)")

    def handle(self, *args, path=None, **options):
        try:
            written = backups.backup(path=path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(written))
