"""What an operator's system hears, and what it reads in each event. Called by the order's path
(``marketplace.orderflow``) when a part is paid or a refund settled, and when an offer's stock runs out.

An event is written, with one delivery per active endpoint that chose its type, in the transaction that recorded
what happened (so a rolled-back checkout sends nothing), and its deliveries go to a worker once that commits. A
storefront with no endpoint for the type writes nothing.

Personal data: an event carries what the operator's dashboard already shows it for that part: the order number,
its own lines and totals, and the shipping address only when the part ships goods (the operator needs it to ship,
and its order list and "part to deliver" e-mail show it). Never the shopper's e-mail, phone number or account, nor
the other operators' lines or the order's payment."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.webhooks.models import (
    OFFER_OUT_OF_STOCK,
    PART_PAID,
    PART_REFUNDED,
    TEST,
    Delivery,
    Endpoint,
    Event,
)

ADDRESS_FIELDS = ("title", "first_name", "last_name", "line1", "line2", "line3", "line4", "state", "postcode")


def money(amount) -> str:
    return str(Decimal(amount or 0).quantize(Decimal("0.01")))


def _order(order) -> dict:
    return {"number": order.number, "placed": order.date_placed.isoformat() if order.date_placed else None,
            "currency": order.currency}  # fmt: skip


def _part(part) -> dict:
    return {"id": part.pk, "status": part.status, "needs_shipping": part.needs_shipping}


def _ship_to(part) -> dict | None:
    address = part.order.shipping_address if part.needs_shipping else None
    if address is None:
        return None
    fields = {name: getattr(address, name, "") or "" for name in ADDRESS_FIELDS}
    return {**fields, "country": address.country_id}


def part_data(part) -> dict:
    """A paid part: its lines (SKU, quantity, prices as decimal strings), totals and where to ship."""
    lines = list(part.lines.select_related("stockrecord").order_by("pk"))
    lines_total = sum((line.line_price_incl_tax for line in lines), Decimal("0"))
    return {
        "part": _part(part),
        "order": _order(part.order),
        "lines": [
            {"line_id": line.pk, "sku": line.partner_sku, "offer_id": line.stockrecord_id,
             "product_id": line.product_id, "title": line.title, "quantity": line.quantity,
             "unit_price": money(line.unit_price_incl_tax), "line_price": money(line.line_price_incl_tax)}
            for line in lines
        ],  # fmt: skip
        "totals": {"lines": money(lines_total), "shipping": money(part.shipping_charge),
                   "total": money(lines_total + part.shipping_charge)},  # fmt: skip
        "ship_to": _ship_to(part),
    }


def refund_data(refund) -> dict:
    part = refund.operator_order
    return {
        "refund": {"id": refund.pk, "amount": money(refund.amount), "shipping_amount": money(refund.shipping_amount),
                   "currency": refund.currency, "method": refund.method, "reason": refund.reason,
                   "settled": refund.date_settled.isoformat() if refund.date_settled else None},  # fmt: skip
        "part": _part(part),
        "order": _order(part.order),
        "lines": [
            {"line_id": row.line_id, "sku": row.line.partner_sku, "title": row.line.title, "quantity": row.quantity,
             "amount": money(row.amount)}
            for row in refund.lines.select_related("line").order_by("line_id")
        ],  # fmt: skip
    }


def offer_data(offer) -> dict:
    return {"offer": {"id": offer.pk, "sku": offer.partner_sku, "product_id": offer.product_id,
                      "product": offer.product.get_title(), "num_in_stock": offer.num_in_stock,
                      "num_allocated": offer.num_allocated or 0, "available": 0,
                      "price": money(offer.price), "currency": offer.price_currency}}  # fmt: skip


def _subscribed(storefront_id: int, event_type: str, only: Endpoint | None = None) -> list[Endpoint]:
    if only is not None:
        return [only]
    endpoints = Endpoint.objects.filter(storefront_id=storefront_id, active=True)
    return [endpoint for endpoint in endpoints if event_type in endpoint.events]


def emit(*, storefront_id: int, event_type: str, data, key: str | None = None, only: Endpoint | None = None):
    """Write the event and its deliveries now, send them once committed. ``data`` may be a callable, built only when
    an endpoint listens. Emitted twice with the same ``key``, the second writes nothing."""
    endpoints = _subscribed(storefront_id, event_type, only)
    if not endpoints:
        return None
    if key is not None and Event.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: losing a race for the key never breaks the caller's transaction
            event = Event.objects.create(storefront_id=storefront_id, type=event_type, key=key,
                                         data=data() if callable(data) else data)  # fmt: skip
            now = timezone.now()
            Delivery.objects.bulk_create(
                Delivery(event=event, endpoint=endpoint, next_attempt_at=now) for endpoint in endpoints
            )
    except IntegrityError:
        return None
    ids = list(event.deliveries.values_list("pk", flat=True))
    from marketplace.webhooks.tasks import deliver_task

    def enqueue():
        for delivery_id in ids:
            deliver_task.delay(delivery_id=delivery_id)

    transaction.on_commit(enqueue, robust=True)  # a broker that is down is logged; the sweep sends them
    return event


# --- what the order's path calls ----------------------------------------------------------------------------------


def part_paid(*, order) -> None:
    """Each operator part of a paid order that has left 'awaiting payment': once per part."""
    from marketplace.fulfilment.models import OperatorOrder

    parts = OperatorOrder.objects.filter(order=order).exclude(
        status__in=(OperatorOrder.AWAITING_PAYMENT, OperatorOrder.CANCELLED)
    ).select_related("order", "partner__storefront")  # fmt: skip
    for part in parts:
        storefront = getattr(part.partner, "storefront", None)
        if storefront is not None:
            emit(storefront_id=storefront.pk, event_type=PART_PAID, key=f"{PART_PAID}:{part.pk}",
                 data=lambda part=part: part_data(part))  # fmt: skip


def part_refunded(*, refund) -> None:
    part = refund.operator_order
    storefront = getattr(part.partner, "storefront", None)
    if storefront is not None:
        emit(storefront_id=storefront.pk, event_type=PART_REFUNDED, key=f"{PART_REFUNDED}:{refund.pk}",
             data=lambda: refund_data(refund))  # fmt: skip


def _available(num_in_stock, num_allocated) -> int | None:
    return None if num_in_stock is None else num_in_stock - (num_allocated or 0)


def offer_saving(*, offer) -> None:
    """Before an offer is saved: what it had left as read from the database (None when it was not read, or has no
    stock to count), for ``offer_saved`` to compare with."""
    loaded = getattr(offer, "_loaded_values", None) or {}
    offer._stock_left_before = _available(loaded.get("num_in_stock"), loaded.get("num_allocated"))


def offer_saved(*, offer, created: bool, update_fields=None) -> None:
    """An offer's stock ran out: it had some to sell before this save (a sale's allocation, or the operator's or
    staff's stock edit) and none after. Asks the database nothing unless that happened."""
    now_left = _available(offer.num_in_stock, offer.num_allocated)
    if created or now_left is None or now_left > 0 or not offer.partner_id:
        return
    before_left = offer.__dict__.pop("_stock_left_before", None)
    if update_fields == frozenset({"num_allocated"}):  # an allocation succeeds only with stock left before it
        before_left = 1
    if before_left is None or before_left <= 0:
        return
    from marketplace.storefronts.models import Storefront

    storefront_id = Storefront.objects.filter(partner_id=offer.partner_id).values_list("pk", flat=True).first()
    if storefront_id is not None:
        emit(storefront_id=storefront_id, event_type=OFFER_OUT_OF_STOCK, data=lambda: offer_data(offer))


def test_event(*, endpoint: Endpoint):
    """A test event to one endpoint, whatever types it chose."""
    return emit(storefront_id=endpoint.storefront_id, event_type=TEST, only=endpoint,
                data={"message": "A test event from the Open Source Store: your endpoint is reachable and verifies "
                                 "signatures.", "endpoint_url": endpoint.url})  # fmt: skip
