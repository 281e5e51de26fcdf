"""Recompute every balance from the postings and report drift: unbalanced entries, allocations that do not add up
to their payment, refunds reversed for more than was refunded, payouts beyond a balance. Exit status 1 on drift."""

from django.core.management.base import BaseCommand, CommandError

from marketplace.revenue import verification


class Command(BaseCommand):
    help = "Check the ledger against its own rules; exits with status 1 if anything drifted."

    def handle(self, *args, **options):
        report = verification.verify()
        for line in report.lines():
            self.stdout.write(line)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) in the ledger")
        self.stdout.write(self.style.SUCCESS("The ledger is consistent: every entry balances, zero drift."))
