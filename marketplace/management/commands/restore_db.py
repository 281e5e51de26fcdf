from django.core.management.base import BaseCommand, CommandError

from marketplace.ops import backups


class Command(BaseCommand):
    help = (
        "Restore a set made by backup_db: the database's contents replaced, the media and digital goods' files "
        "written back. Stop web, worker and beat first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="'latest', the set's time (2027-01-01-030000) or any of its files")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive",
                            help="do not ask to confirm")  # fmt: skip

    def handle(self, *args, backup, interactive, verbosity=1, **options):
        try:
            found = backups.find(backup)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if interactive:
            files = ", ".join(name for name in (found.database, found.media, found.digital_goods) if name)
            answer = input(f"This replaces everything in the shop's database with {files}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(found, report=self.stdout.write, verbosity=max(verbosity - 1, 0))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored the backup from {found.time}")
