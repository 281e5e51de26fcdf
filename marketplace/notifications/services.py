"""E-mails to an order's shopper, through Oscar's communication event types: staff edit each one's subject and
text in the dashboard (Content → Emails); the files in ``templates/oscar/communication/emails/`` are the defaults.
Every e-mail is sent once per key, and every link in it is absolute, from ``SITE_URL``."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from marketplace.notifications.models import OrderEmail

logger = logging.getLogger(__name__)
Order = get_model("order", "Order")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
Dispatcher = get_class("communication.utils", "Dispatcher")

# code -> the name staff see in the dashboard's list of e-mails
EVENTS = {
    "ORDER_PLACED": "Order placed",
    "PAYMENT_REMINDER": "Bank transfer not received yet",
    "ORDER_CANCELLED": "Unpaid order cancelled",
    "PAYMENT_RECEIVED": "Payment received",
    "PART_SHIPPED": "Part of an order shipped",
    "PART_DELIVERED": "Part of an order delivered",
    "ORDER_REFUNDED": "Refund made",
    "DOWNLOAD_READY": "Download ready",
    "SEATS_ENROLLED": "Training seats booked",
    "LICENCE_ISSUED": "Distribution licence issued",
}
# e-mails to the shop's people (operators, contributors) rather than to an order's shopper
PEOPLE_EVENTS = {
    "PART_TO_DELIVER": "A paid part to deliver (to its operator)",
    "STOREFRONT_CHANGED": "Storefront approved, suspended or reinstated (to its operator)",
    "MARK_GRANTED": "OSE Certified mark granted (to the contributors of a certification)",
}


def absolute(path: str) -> str:
    """A link for an e-mail: the shop's address as configured (scheme, host and port), then the path."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def order_path(order) -> str:
    """Where the shopper sees the order: their account's order page, or a guest's secret order-status page."""
    if order.user_id:
        return reverse("customer:order", kwargs={"order_number": order.number})
    return reverse("customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()})


def context(order, **extra) -> dict:
    """What every e-mail's template reads (the order, its lines, its page), and what the sender adds."""
    return {
        "order": order, "user": order.user, "lines": order.lines.all(), "status_path": order_path(order),
        "status_url": absolute(order_path(order)), "site_url": settings.SITE_URL.rstrip("/"), **extra,
    }  # fmt: skip


def send(*, order_id: int, code: str, key: str, **extra) -> bool:
    """Send the ``code`` e-mail about an order to its shopper, once for ``key``; True if it went now. ``extra`` is
    added to the template's context."""
    event_type, _ = CommunicationEventType.objects.get_or_create(
        code=code, defaults={"name": EVENTS.get(code, code), "category": CommunicationEventType.ORDER_RELATED}
    )
    with transaction.atomic():
        order = Order.objects.select_for_update(of=("self",)).select_related("user").get(pk=order_id)  # one at a time
        if OrderEmail.objects.filter(key=key).exists():
            return False
        if not order.email:
            logger.warning("order %s has no e-mail address: %s not sent", order.number, code)
            return False
        dispatcher = OrderDispatcher(logger=logger)
        messages = dispatcher.dispatcher.get_messages(code, context(order, **extra))
        dispatcher.dispatch_order_messages(order, messages, code)
        OrderEmail.objects.create(key=key, order=order, code=code)
    return True


def send_later(*, order_id: int, code: str, key: str, **extra) -> None:
    """Send once the current transaction commits, from a worker. ``extra``: what the template reads besides the order
    (model instances are read again by the worker, so the e-mail shows them as they are then)."""
    from marketplace.notifications.context_objects import portable
    from marketplace.notifications.tasks import send_order_email_task

    extra = portable(extra)

    # robust: a broker that is down is logged and the payment, refund or shipment stands (the e-mail is lost; the
    # order page shows the same)
    transaction.on_commit(lambda: send_order_email_task.delay(order_id=order_id, code=code, key=key, **extra),
                          robust=True)


def send_to_people(*, code: str, users, **extra) -> int:
    """The ``code`` e-mail to each of ``users`` who has an address (operators, contributors): through Oscar's
    communications like every e-mail, so staff edit it in the dashboard and it shows in the person's e-mail history.
    The caller sends it once (it records when it did). Returns how many were sent."""
    CommunicationEventType.objects.get_or_create(
        code=code, defaults={"name": PEOPLE_EVENTS.get(code, code), "category": CommunicationEventType.USER_RELATED}
    )
    dispatcher = Dispatcher(logger=logger)
    messages = dispatcher.get_messages(code, {"site_url": settings.SITE_URL.rstrip("/"), **extra})
    sent = 0
    for user in users:
        if user.email:
            dispatcher.dispatch_user_messages(user, messages)
            sent += 1
    return sent
