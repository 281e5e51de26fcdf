from django.core.management import call_command
from django.core.management.base import BaseCommand

from marketplace.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo shop (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        call_command("prepare_media", stdout=self.stdout)  # the demo's media folder starts empty
        load_demo(report=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(f"Demo shop ready. Demo logins (password: {DEMO_PASSWORD}):"))
        for role, email, _ in DEMO_USERS:
            self.stdout.write(f"  {role:<10} {email}")
