"""Refunds: staff, or the operator for its own part of an order, give back whole lines or part of their amount
(and the part's shipping charge). A card refund goes through Stripe and is settled only by what Stripe says (its
answer to our call, a webhook, or a retrieve); a bank-transfer refund is settled by the person who sent the money.
A settled refund is recorded against its lines (Oscar's 'refunded' payment event) and reaches the ledger."""

import logging
import random
import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from marketplace.fulfilment.models import OperatorOrder
from marketplace.fulfilment.services import may_manage
from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.services import STRIPE_SOURCE_CODE
from marketplace.revenue.selectors import cents

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

money_log = logging.getLogger("marketplace.money")

CENT = Decimal("0.01")
REASON_MAX = Refund._meta.get_field("reason").max_length
OPEN = (Refund.PENDING, Refund.SUCCEEDED)  # refunds that hold money back from further refunds
RETRY_ATTEMPTS = 4
RETRYABLE_PGCODES = ("40P01", "40001")  # PostgreSQL's deadlock detected, serialization failure


def refundable_by_line(part: OperatorOrder) -> dict[int, Decimal]:
    """What is left to refund on each of the part's lines."""
    taken = dict(
        RefundLine.objects.filter(line__in=part.lines, refund__status__in=OPEN)
        .values_list("line")
        .annotate(total=Sum("amount"))
    )
    return {line.pk: line.line_price_incl_tax - cents(taken.get(line.pk)) for line in part.lines}


def refundable_shipping(part: OperatorOrder) -> Decimal:
    return part.shipping_charge - cents(
        part.refunds.filter(status__in=OPEN).aggregate(total=Sum("shipping_amount"))["total"]
    )


def request_refund(
    *, part_id: int, actor, amounts: dict[int, Decimal], shipping_amount: Decimal = Decimal("0"), reason: str
) -> Refund:
    """Refund ``amounts`` (order line id → amount) of one operator's part. Never more than was paid for a line,
    never more than the payment; a bank-transfer refund is settled at once, a card refund when Stripe confirms.
    A refund the database chose as a deadlock's (or a serialization failure's) victim is run again; one still
    losing after that is refused with a message, never an error page."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _request_refund(part_id=part_id, actor=actor, amounts=amounts,
                                       shipping_amount=shipping_amount, reason=reason)  # fmt: skip
        except OperationalError as error:
            if getattr(error.__cause__, "pgcode", None) not in RETRYABLE_PGCODES:
                raise
            money_log.warning("refund of part %s lost a lock race, attempt %d of %d", part_id, attempt, RETRY_ATTEMPTS,
                              extra={"event": "refund_retried", "part": part_id, "attempt": attempt})  # fmt: skip
            time.sleep(random.uniform(0, 0.05 * attempt))  # the rivals spread out instead of colliding again
    raise ValidationError("Other refunds of this order are being recorded right now: please refund again.")


def _request_refund(*, part_id, actor, amounts, shipping_amount, reason) -> Refund:
    # Rows are locked in one order by every writer of an order's money (the order, then its part, then its source),
    # and the part alone (``of``): locking its partner too would queue behind the ledger's postings for it.
    order_id = OperatorOrder.objects.filter(pk=part_id).values_list("order_id", flat=True).first()
    order = Order.objects.select_for_update().filter(pk=order_id).first()  # one refund of an order at a time
    part = OperatorOrder.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=part_id).first()
    if order is None or part is None:
        raise ValidationError("That order has no such part.")
    if not may_manage(user=actor, part=part):
        raise PermissionDenied("Only staff, or the operator who sold these lines, can refund them.")
    source = order.sources.filter(amount_debited__gt=0).select_related("source_type").first()
    if source is None:
        raise ValidationError("Only a paid order can be refunded.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why you refund: the shopper sees it.")
    if "\x00" in reason:
        raise ValidationError("The reason cannot hold a NUL character.")  # the database refuses to store one
    if len(reason) > REASON_MAX:
        raise ValidationError(f"Keep the reason under {REASON_MAX} characters (it has {len(reason)}): the shopper "
                              "reads it on the order page and in the e-mail.")  # fmt: skip
    left = refundable_by_line(part)
    wanted = {int(line_id): Decimal(amount).quantize(CENT) for line_id, amount in amounts.items() if amount}
    shipping_amount = Decimal(shipping_amount or 0).quantize(CENT)
    for line_id, amount in wanted.items():
        if line_id not in left:
            raise ValidationError("A refund can only hold lines of this operator's part of the order.")
        if amount < 0:
            raise ValidationError("Refund amounts cannot be negative.")
        if amount > left[line_id]:
            raise ValidationError(f"At most {currency(left[line_id], order.currency)} is left to refund on that line.")
    if shipping_amount < 0 or shipping_amount > refundable_shipping(part):
        left_shipping = currency(refundable_shipping(part), order.currency)
        raise ValidationError(f"At most {left_shipping} of the shipping charge is left to refund.")
    total = sum(wanted.values(), Decimal("0")) + shipping_amount
    if total <= 0:
        raise ValidationError("Choose what to refund: a line, part of its amount, or the shipping charge.")
    in_flight = cents(order.refunds.filter(status=Refund.PENDING).aggregate(total=Sum("amount"))["total"])
    if total > source.amount_debited - source.amount_refunded - in_flight:
        raise ValidationError("That is more than is left of the payment.")

    method = Refund.STRIPE if source.source_type.code == STRIPE_SOURCE_CODE else Refund.OFFLINE
    refund = Refund.objects.create(
        order=order, operator_order=part, method=method, amount=total, shipping_amount=shipping_amount,
        currency=source.currency, reason=reason[:255], requested_by=actor,
    )  # fmt: skip
    lines = Line.objects.in_bulk(wanted)
    RefundLine.objects.bulk_create(
        RefundLine(
            refund=refund,
            line=lines[line_id],
            amount=amount,
            quantity=lines[line_id].quantity if amount == left[line_id] else 0,
        )  # fmt: skip
        for line_id, amount in wanted.items()
        if amount
    )
    if method == Refund.OFFLINE:
        _settle(refund, reference=f"bank transfer refund by {actor.email}")
    else:
        from marketplace.payments.tasks import submit_stripe_refund_task

        transaction.on_commit(lambda: submit_stripe_refund_task.delay(refund_id=refund.pk))
    return refund


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
    from marketplace.notifications import services as notifications

    notifications.send_later(order_id=order.pk, code="ORDER_REFUNDED", key=f"refund:{refund.pk}", refund_id=refund.pk)
    money_log.info(
        "refund order=%s amount=%s %s refund=%s", order.number, refund.amount, refund.currency, refund.pk,
        extra=_fields(refund),
    )  # fmt: skip

    def enqueue():
        from marketplace.revenue.tasks import reverse_refund_task

        reverse_refund_task.delay(refund_id=refund.pk)

    transaction.on_commit(enqueue, robust=True)  # a broker that is down is logged; the revenue sweep reverses it


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
