"""Ask Stripe about card orders still awaiting payment and card refunds still pending, and complete what Stripe has
settled but whose webhook never arrived. Safe to run at any time, as often as you like; beat runs it every 15
minutes."""

from django.core.management.base import BaseCommand

from marketplace.payments.reconcile import reconcile_payments


class Command(BaseCommand):
    help = "Complete card payments and refunds that Stripe settled but whose webhook never arrived."

    def handle(self, *args, **options):
        report = reconcile_payments()
        for line in report.lines():
            self.stdout.write(line)
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("Nothing to reconcile: every card payment and refund is in step."))
