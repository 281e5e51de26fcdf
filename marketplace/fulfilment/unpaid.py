"""Orders still waiting for their bank transfer: the shopper is reminded after BANK_TRANSFER_REMIND_AFTER_DAYS, and
the order is cancelled after BANK_TRANSFER_CANCEL_AFTER_DAYS, its stock released for other shoppers. Staff cancel a
pending order the same way from the dashboard. Each step is taken once, however often the task runs."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.checkout.selectors import transfer_email
from marketplace.checkout.services import OFFLINE_SOURCE_CODE
from marketplace.fulfilment.models import OperatorOrder, OperatorOrderEvent
from marketplace.notifications import services as notifications

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
StockRecord = get_model("partner", "StockRecord")
logger = logging.getLogger(__name__)
PENDING, CANCELLED = "Pending", "Cancelled"


def waiting_for_transfer():
    return Order.objects.filter(status=PENDING, sources__source_type__code=OFFLINE_SOURCE_CODE).distinct()


@transaction.atomic
def cancel_pending_order(*, order_id: int, actor=None, reason: str) -> bool:
    """Cancel an order no one has paid: each line's allocated stock goes back on sale, each operator's part is
    cancelled, the shopper is told why. False (and nothing changed) if the order is not pending any more."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status != PENDING:
        return False
    if order.sources.filter(amount_debited__gt=0).exists():
        raise ValidationError(f"Order {order.number} has money received: refund it instead of cancelling it.")
    for line in order.lines.exclude(stockrecord=None).order_by("stockrecord_id"):  # one lock order: no deadlock
        offer = StockRecord.objects.select_for_update().get(pk=line.stockrecord_id)
        offer.cancel_allocation(line.quantity)
    for part in OperatorOrder.objects.select_for_update().filter(order=order, status=OperatorOrder.AWAITING_PAYMENT):
        part.status = OperatorOrder.CANCELLED
        part.save(update_fields=["status"])
        OperatorOrderEvent.objects.create(operator_order=part, actor=actor, status=part.status, note=reason[:255])
    order.set_status(CANCELLED)
    OrderNote.objects.create(order=order, user=actor, note_type="System", message=reason[:2000])
    notifications.send_later(order_id=order.pk, code="ORDER_CANCELLED", key=f"cancelled:{order.pk}")
    logger.info("order %s cancelled unpaid: %s", order.number, reason)
    return True


def remind_and_cancel(*, now: datetime.datetime | None = None) -> dict:
    """The hourly sweep over orders waiting for a bank transfer."""
    now = now or timezone.now()
    cancel_before = now - datetime.timedelta(days=settings.BANK_TRANSFER_CANCEL_AFTER_DAYS)
    remind_before = now - datetime.timedelta(days=settings.BANK_TRANSFER_REMIND_AFTER_DAYS)
    reason = (f"No bank transfer arrived within {settings.BANK_TRANSFER_CANCEL_AFTER_DAYS} days: the order was "
              "cancelled and its items put back on sale.")  # fmt: skip
    overdue = waiting_for_transfer().filter(date_placed__lte=cancel_before).values_list("pk", flat=True)
    cancelled = [order_id for order_id in overdue if cancel_pending_order(order_id=order_id, reason=reason)]
    due = waiting_for_transfer().filter(date_placed__lte=remind_before, date_placed__gt=cancel_before)
    reminded = [
        order_id for order_id in due.exclude(shopper_emails__code="PAYMENT_REMINDER").values_list("pk", flat=True)
        if notifications.send(order_id=order_id, code="PAYMENT_REMINDER", key=f"reminder:{order_id}",
                              **transfer_email(order_id))
    ]  # fmt: skip
    return {"cancelled": cancelled, "reminded": reminded}
