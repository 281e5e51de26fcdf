"""Refunds as money: a card refund goes through Stripe and is settled only by what Stripe says (its answer to our
call, a webhook, or a retrieve); a bank-transfer refund is settled by the person who sent the money. A settled
refund is recorded against its lines (Oscar's 'refunded' payment event) and announced (``signals.refund_settled``):
the shopper is told and the ledger reverses it. Who may refund what of an operator's part is
``marketplace.fulfilment.refunds``."""

import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.services import STRIPE_SOURCE_CODE
from marketplace.payments.signals import refund_settled

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

money_log = logging.getLogger("marketplace.money")

REASON_MAX = Refund._meta.get_field("reason").max_length
OPEN = (Refund.PENDING, Refund.SUCCEEDED)  # refunds that hold money back from further refunds


def start(refund: Refund, *, actor) -> None:
    """A refund just recorded: a bank-transfer refund is settled at once (the person who sends the money back
    recorded it); a card refund goes to Stripe once committed, and is settled when Stripe confirms."""
    if refund.method == Refund.OFFLINE:
        _settle(refund, reference=f"bank transfer refund by {actor.email}")
    else:
        from marketplace.payments.tasks import submit_stripe_refund_task

        transaction.on_commit(lambda: submit_stripe_refund_task.delay(refund_id=refund.pk))


def submit_stripe_refund(*, refund_id: int) -> str:
    """Ask Stripe to refund, once: the key is our refund's id, stored before the call."""
    from marketplace.payments import stripe_gateway

    refund = Refund.objects.select_related("order").get(pk=refund_id)
    if refund.stripe_refund_id or refund.status != Refund.PENDING:
        return "already submitted"
    source = refund.order.sources.get(source_type__code=STRIPE_SOURCE_CODE)
    answer = stripe_gateway.create_refund(
        intent_id=source.reference, amount=refund.amount, refund_id=refund.pk, idempotency_key=refund.idempotency_key
    )
    Refund.objects.filter(pk=refund.pk, stripe_refund_id="").update(stripe_refund_id=answer["id"])
    return apply_stripe_refund(refund_object=answer)


@transaction.atomic
def apply_stripe_refund(*, refund_object: dict) -> str:
    """Settle or fail our refund by Stripe's refund object (from our call's answer, a webhook or a retrieve)."""
    ours = (refund_object.get("metadata") or {}).get("refund_id")
    refunds = Refund.objects.values_list("pk", "order_id")
    found = refunds.filter(stripe_refund_id=refund_object["id"]).first() if refund_object.get("id") else None
    if found is None and ours and str(ours).isdigit():
        found = refunds.filter(pk=int(ours)).first()
    if found is None:
        return "no refund of ours"
    Order.objects.select_for_update().filter(pk=found[1]).first()  # the order first, as every writer of its money
    refund = Refund.objects.select_for_update().select_related("order").get(pk=found[0])
    if not refund.stripe_refund_id:
        refund.stripe_refund_id = refund_object["id"]
        refund.save(update_fields=["stripe_refund_id"])
    status = refund_object.get("status")
    if refund.status != Refund.PENDING:
        return f"already {refund.status}"
    if status == "succeeded":
        if Decimal(refund_object["amount"]) / 100 != refund.amount:
            return "amount mismatch"
        _settle(refund, reference=refund_object["id"])
        return "refunded"
    if status in ("failed", "canceled"):
        refund.status, refund.failure = Refund.FAILED, (refund_object.get("failure_reason") or status)[:255]
        refund.date_settled = timezone.now()
        refund.save(update_fields=["status", "failure", "date_settled"])
        money_log.warning(
            "refund failed order=%s amount=%s %s refund=%s", refund.order.number, refund.amount, refund.currency,
            refund.pk, extra={**_fields(refund), "event": "refund_failed", "failure": refund.failure},
        )  # fmt: skip
        return "refund failed"
    return f"refund {status}"


def _settle(refund: Refund, *, reference: str) -> None:
    """Record the money as given back (refund row locked): Oscar's source and a 'refunded' payment event over the
    refunded lines; the ledger reverses its allocation in a task."""
    order = refund.order
    source = order.sources.select_for_update().filter(amount_debited__gt=0).first()
    source.refund(refund.amount, reference=reference[:128])
    event = PaymentEvent.objects.create(
        order=order, amount=refund.amount, reference=reference[:128],
        event_type=PaymentEventType.objects.get_or_create(code="refunded", defaults={"name": "Refunded"})[0],
    )  # fmt: skip
    for refund_line in refund.lines.select_related("line"):
        PaymentEventQuantity.objects.create(event=event, line=refund_line.line, quantity=refund_line.quantity)
    refund.status, refund.date_settled = Refund.SUCCEEDED, timezone.now()
    refund.save(update_fields=["status", "date_settled"])
    money_log.info(
        "refund order=%s amount=%s %s refund=%s", order.number, refund.amount, refund.currency, refund.pk,
        extra=_fields(refund),
    )  # fmt: skip
    refund_settled.send(sender=Refund, refund=refund)  # the shopper is told, the ledger reverses it (orderflow)


def _fields(refund: Refund) -> dict:
    """A refund's structured log fields (the money logger's JSON keys)."""
    return {
        "event": "refund", "order": refund.order.number, "amount": str(refund.amount), "currency": refund.currency,
        "method": refund.method, "refund": refund.pk,
    }  # fmt: skip


def refunded_per_line(line_ids) -> dict[int, Decimal]:
    """What refunds (settled, or sent and holding the money back) give back of each line: one query."""
    rows = (RefundLine.objects.filter(line_id__in=list(line_ids), refund__status__in=OPEN)
            .values("line_id").annotate(total=Sum("amount")).values_list("line_id", "total"))  # fmt: skip
    return dict(rows)


def refunded_in_full(line) -> bool:
    """A line whose whole price went back to the shopper (its download stops working)."""
    return refunded_per_line([line.pk]).get(line.pk, Decimal("0")) >= line.line_price_incl_tax
