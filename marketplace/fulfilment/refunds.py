"""Refunds of an operator's part of an order: staff, or the operator for its own part, give back whole lines or
part of their amount (and the part's shipping charge); never more than was paid for a line, nor more than is left of
the payment. The money itself goes back through ``marketplace.payments.refunds``."""

import logging
import random
import time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Sum
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from marketplace.fulfilment.models import OperatorOrder
from marketplace.fulfilment.services import may_manage
from marketplace.money import CENT, cents
from marketplace.payments import refunds as payment_refunds
from marketplace.payments.models import Refund, RefundLine
from marketplace.payments.refunds import OPEN, REASON_MAX
from marketplace.payments.services import STRIPE_SOURCE_CODE

Order = get_model("order", "Order")
Line = get_model("order", "Line")

money_log = logging.getLogger("marketplace.money")

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
    payment_refunds.start(refund, actor=actor)
    return refund
