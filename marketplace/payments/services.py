"""Payments over Oscar's own records (Source, Transaction, PaymentEvent). An order becomes paid only from a
verified source: for the offline method, staff (or the one operator who sold every line) confirming that the bank
transfer arrived."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from oscar.core.loading import get_model

from marketplace.checkout.services import OFFLINE_SOURCE_CODE

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")


def may_confirm_offline_payment(*, user, order) -> bool:
    """Staff, or the operator who sold every line of the order (a shared order's money is staff's to confirm)."""
    if user.is_staff:
        return True
    if not user.is_authenticated:
        return False
    lines = order.lines.all()
    return lines.exists() and not lines.exclude(partner__users=user).exists()


@transaction.atomic
def confirm_offline_payment(*, order_id: int, actor, reference: str = ""):
    """Record that the bank transfer for an order arrived: debit its source, add a 'Paid' payment event and move
    the order to Paid. Confirming again changes nothing."""
    order = Order.objects.select_for_update().get(pk=order_id)
    if not may_confirm_offline_payment(user=actor, order=order):
        raise PermissionDenied("Only staff, or the operator who sold every line, can confirm this payment.")
    source = order.sources.select_for_update().filter(source_type__code=OFFLINE_SOURCE_CODE).first()
    if source is None:
        raise ValidationError("This order was not paid by bank transfer.")
    outstanding = source.amount_allocated - source.amount_debited
    if outstanding <= 0:
        return source  # already confirmed
    if order.status != "Pending":
        raise ValidationError(f"Order {order.number} is {order.status}; only a pending order can be paid.")
    reference = reference.strip()[:128] or f"bank transfer confirmed by {actor.email}"
    source.debit(outstanding, reference=reference)
    event = PaymentEvent.objects.create(
        order=order, amount=outstanding, reference=reference,
        event_type=PaymentEventType.objects.get_or_create(code="paid", defaults={"name": "Paid"})[0],
    )  # fmt: skip
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
    order.set_status("Paid")
    return source
