from django.core.management.base import BaseCommand, CommandError

from marketplace.ops import backups


class Command(BaseCommand):
    help = (
        "Back up the database, the media and the digital goods' files (django-dbbackup) into BACKUP_DIR as one set "
        "named by its time, then delete the oldest beyond BACKUP_KEEP / BACKUP_KEEP_MEDIA."
    )

    def handle(self, *args, verbosity=1, **options):
        try:
            made = backups.backup(report=self.stdout.write, verbosity=max(verbosity - 1, 0))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up: restore with BACKUP={made.time} make restore")
