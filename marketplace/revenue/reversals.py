"""Refunds in the ledger: a settled refund gives back, in proportion, what its lines (and shipping charge) put into
each account, by the largest remainder so the reversal adds up to the refund exactly."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.money import cents
from marketplace.payments.models import Refund
from marketplace.revenue import calculations
from marketplace.revenue.models import Account, JournalEntry, Posting
from marketplace.revenue.services import allocate_order, book, operator_account, shared_account

Order = get_model("order", "Order")


def reverse_later(*, refund_id: int) -> None:
    """Called in the transaction that settles a refund: a worker reverses its share of the ledger once committed."""

    def enqueue():
        from marketplace.revenue.tasks import reverse_refund_task

        reverse_refund_task.delay(refund_id=refund_id)

    transaction.on_commit(enqueue, robust=True)  # a broker that is down is logged; the revenue sweep reverses it


def unreversed_refund_ids() -> list[int]:
    """Settled refunds with no reversal yet: what the sweep picks up if a task was lost."""
    booked = set(JournalEntry.objects.filter(kind=JournalEntry.REFUND).values_list("reference", flat=True))
    ids = Refund.objects.filter(status=Refund.SUCCEEDED).order_by("pk").values_list("pk", flat=True)
    return [pk for pk in ids if f"refund:{pk}" not in booked]


def reverse_refund(*, refund_id: int) -> JournalEntry | None:
    """Reverse a settled refund's share of the allocation, in proportion: each refunded line's (and shipping
    charge's) postings give back their part of the refund, by the largest remainder, so the reversal adds up to the
    refund exactly. The proportion is of what is left of each posting after earlier refunds, so a line refunded in
    full, in however many parts, gives every account back exactly what it got from it. An operator's balance may go
    negative this way, and only this way."""
    reference = f"refund:{refund_id}"
    if JournalEntry.objects.filter(reference=reference).exists():
        return None
    refund = Refund.objects.select_related("order", "operator_order").get(pk=refund_id)
    if refund.status != Refund.SUCCEEDED:
        raise ValidationError(f"Refund {refund_id} is not settled.")
    allocate_order(order=refund.order)  # a refund's reversal needs the allocation it reverses
    with transaction.atomic():
        # One reversal of an order at a time: each reads what the earlier ones gave back.
        Order.objects.select_for_update().filter(pk=refund.order_id).first()
        return _book_reversal(refund, reference)


def _book_reversal(refund, reference: str) -> JournalEntry | None:
    if JournalEntry.objects.filter(reference=reference).exists():
        return None
    allocated = Posting.objects.filter(entry__order=refund.order, entry__kind=JournalEntry.ALLOCATION).exclude(
        account__kind=Account.CLEARING
    )
    postings = [Posting(account=shared_account(Account.CLEARING), amount=refund.amount)]
    parts = [(allocated.filter(line_id=refund_line.line_id), refund_line.amount) for refund_line in refund.lines.all()]
    if refund.shipping_amount:
        shipping = allocated.filter(line__isnull=True, partner_id=refund.operator_order.partner_id)
        parts.append((shipping, refund.shipping_amount))
    given_back = {
        (row["account_id"], row["line_id"], row["partner_id"]): -cents(row["total"])
        for row in Posting.objects.filter(entry__order=refund.order, entry__kind=JournalEntry.REFUND)
        .exclude(account__kind=Account.CLEARING)
        .values("account_id", "line_id", "partner_id")
        .annotate(total=Sum("amount"))
    }
    for originals, amount in parts:
        originals = list(originals.order_by("pk"))
        if not originals:  # nothing was allocated there (a free line): the operator gives it back
            originals = [Posting(account=operator_account(refund.operator_order.partner_id), amount=Decimal(1),
                                 partner_id=refund.operator_order.partner_id)]  # fmt: skip
        left = _left_after_refunds(originals, given_back)
        # in proportion to what earlier refunds left; to the allocation itself once nothing is left (a discount)
        shares = calculations.apportion(amount, left if any(left) else [original.amount for original in originals])
        for original, back in zip(originals, shares, strict=True):
            postings.append(Posting(account=original.account, amount=-back, line_id=original.line_id,
                                    partner_id=original.partner_id, design_id=original.design_id))  # fmt: skip
    return book(
        reference=reference, kind=JournalEntry.REFUND, amount=refund.amount, postings=postings, order=refund.order,
        memo=f"Order {refund.order.number}: refund {refund.pk} of {refund.amount} {refund.currency}",
        value_date=refund.date_settled or timezone.now(),
    )  # fmt: skip


def _left_after_refunds(originals: list[Posting], given_back: dict) -> list[Decimal]:
    """What is left of each allocation posting once earlier refunds' reversals (``given_back``, by account, line
    and partner) are taken from it; an unsaved stand-in keeps its whole amount."""
    left = []
    for original in originals:
        key = (original.account_id, original.line_id, original.partner_id)
        taken = min(max(given_back.get(key, Decimal(0)), Decimal(0)), original.amount) if original.pk else Decimal(0)
        given_back[key] = given_back.get(key, Decimal(0)) - taken
        left.append(original.amount - taken)
    return left
