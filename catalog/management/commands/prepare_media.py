from django.core.management.base import BaseCommand

from catalog.images import place_missing_image


class Command(BaseCommand):
    help = (
        "Put in MEDIA_ROOT what pages serve from it before anyone uploads anything: a copy of Oscar's missing-image "
        "placeholder. Run it at every start, before the first request (safe to run again, and by several at once)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Missing-image placeholder in place: {place_missing_image()}")
