from django.core.management.base import BaseCommand, CommandError

from marketplace.ops import backups


class Command(BaseCommand):
    help = "Restore a backup made by backup_db, replacing the database's contents. Stop web and workers first."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument("--database-url", default="", help="restore into this database instead of the shop's")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="do not ask to confirm")

    def handle(self, *args, path, database_url, interactive, **options):
        if interactive:
            where = database_url or "the shop's database"
            answer = input(f"This replaces everything in {where} with {path}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(path=path, database_url=database_url)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path}")
