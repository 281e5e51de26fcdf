"""Checks of the ledger against its own rules, read from the postings (what ``verify_ledger`` runs)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from oscar.core.loading import get_model

from marketplace.money import cents
from marketplace.revenue.models import Account, JournalEntry, Payout, Posting

PaymentEvent = get_model("order", "PaymentEvent")


@dataclass
class Report:
    entries: int = 0
    accounts: int = 0
    total: Decimal = Decimal("0.00")
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = [f"{self.entries} journal entries, {self.accounts} accounts, postings sum to {self.total}"]
        return head + [f"PROBLEM: {problem}" for problem in self.problems]


def verify() -> Report:
    report = Report(entries=JournalEntry.objects.count(), accounts=Account.objects.count())
    report.total = cents(Posting.objects.aggregate(total=Sum("amount"))["total"])
    if report.total != 0:
        report.problems.append(f"all postings sum to {report.total}, not 0")
    for entry in JournalEntry.objects.annotate(total=Sum("postings__amount")).iterator():
        if cents(entry.total) != 0:
            report.problems.append(f"entry {entry.reference} sums to {cents(entry.total)}")
        clearing = cents(entry.postings.filter(account__kind=Account.CLEARING).aggregate(t=Sum("amount"))["t"])
        if entry.kind == JournalEntry.ALLOCATION and -clearing != entry.amount:
            report.problems.append(f"allocation {entry.reference} moves {-clearing}, its payment is {entry.amount}")
    paid = {f"payment:{pk}": amount for pk, amount in
            PaymentEvent.objects.filter(event_type__code="paid").values_list("pk", "amount")}  # fmt: skip
    for reference, amount in JournalEntry.objects.filter(kind=JournalEntry.ALLOCATION).values_list(
        "reference", "amount"
    ):
        if reference.startswith("support:"):
            continue  # a supporter's month, checked by the supporters' app against its months
        if reference not in paid:
            report.problems.append(f"allocation {reference} has no captured payment")
        elif paid[reference] != amount:
            report.problems.append(f"allocation {reference} books {amount}, the payment was {paid[reference]}")
    for account in Account.objects.filter(kind__in=(Account.OPERATOR, Account.CONTRIBUTOR)):
        earned = cents(account.postings.filter(entry__kind=JournalEntry.ALLOCATION).aggregate(t=Sum("amount"))["t"])
        paid_out = cents(Payout.objects.filter(account=account).aggregate(t=Sum("amount"))["t"])
        if paid_out > earned:
            report.problems.append(f"{account.name}: paid out {paid_out}, more than it ever earned ({earned})")
    bad_refunds = JournalEntry.objects.filter(kind=JournalEntry.REFUND).filter(~Q(reference__startswith="refund:"))
    for entry in bad_refunds:
        report.problems.append(f"refund entry {entry.reference} has no refund")
    return report
