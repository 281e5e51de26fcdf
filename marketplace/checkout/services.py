"""Checkout's writes: the offline payment method, one order per submitted basket, and the order-placed email."""

import logging
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from oscar.core.loading import get_class, get_model

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")
CommunicationEventType = get_model("communication", "CommunicationEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

logger = logging.getLogger(__name__)

OFFLINE_SOURCE_NAME = "Bank transfer"
OFFLINE_SOURCE_CODE = "bank-transfer"
SOURCE_TYPE_KEY = "payment:source-type"


def payment_source_type(*, code: str, name: str) -> SourceType:
    """The kind of payment (bank transfer, card) an order's source records, created the first time it is used. Kept
    in the cache once committed (a row made in a transaction that rolls back is never remembered), so placing an
    order does not ask for it; forgotten when staff edit or delete one (``forget_payment_source_types``)."""
    key = f"{SOURCE_TYPE_KEY}:{code}"
    known = cache.get(key)
    if known is not None:
        source_type = SourceType(pk=known[0], name=known[1], code=code)
        source_type._state.adding = False  # a stored row
        return source_type
    source_type, _ = SourceType.objects.get_or_create(code=code, defaults={"name": name})
    transaction.on_commit(lambda: cache.set(key, (source_type.pk, source_type.name), 24 * 3600))
    return source_type


def forget_payment_source_types(sender, instance, **kwargs) -> None:
    cache.delete(f"{SOURCE_TYPE_KEY}:{instance.code}")


def offline_payment_source(*, order_number: str, amount: Decimal, currency: str) -> Source:
    """An unsaved payment source for an offline (bank transfer) payment: allocated now, debited when confirmed."""
    source_type = payment_source_type(code=OFFLINE_SOURCE_CODE, name=OFFLINE_SOURCE_NAME)
    return Source(source_type=source_type, currency=currency, amount_allocated=amount, reference=order_number)


def order_already_placed(*, basket_id: int) -> Order | None:
    """The same checkout submitted twice is placed once. Call inside the submission's transaction: it locks the
    basket's row until that transaction ends, so a second submission of the basket waits for the first and then
    finds its order (Oscar's order number comes from the basket id, so it could not be placed again anyway)."""
    # the basket's status as it is once the lock is held (a submission that placed its order submitted it too)
    status = Basket.objects.select_for_update().filter(pk=basket_id).values_list("status", flat=True).first()
    if status != Basket.SUBMITTED:
        return None
    return Order.objects.filter(basket_id=basket_id).first()


def is_deadlock(error: Exception) -> bool:
    """PostgreSQL chose this transaction as a deadlock's victim (SQLSTATE 40P01): safe to run it again."""
    return getattr(error.__cause__, "pgcode", None) == "40P01"


def send_order_placed_email(*, order_id: int) -> bool:
    """Tell the shopper their order was placed (with the bank details when it waits for a transfer); once."""
    from marketplace.checkout.selectors import transfer_email
    from marketplace.notifications import services as notifications

    code, key = OrderDispatcher.ORDER_PLACED_EVENT_CODE, f"placed:{order_id}"
    return notifications.send(order_id=order_id, code=code, key=key, **transfer_email(order_id))


def place_offline_order(*, offers, shopper=None, address: dict, number: str = "", email: str = "", status="Pending"):
    """Place an order of ``offers`` ((offer, quantity) pairs) as checkout places it: the shopper's chosen offers,
    each operator's shipping, Oscar's OrderCreator, a bank-transfer source awaiting payment. For the demo shop and
    tests; shoppers go through the checkout views."""
    from oscar.apps.checkout.calculators import OrderTotalCalculator

    from marketplace.basket.models import Basket
    from marketplace.partner.strategy import Default
    from marketplace.shipping.methods import ByOperator

    OrderCreator = get_class("order.utils", "OrderCreator")
    ShippingAddress = get_model("order", "ShippingAddress")
    basket = Basket.objects.create(owner=shopper)
    basket.strategy = Default()
    for offer, quantity in offers:
        basket.choose_offer(offer)
        basket.add_product(offer.product, quantity)
    method = ByOperator()
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    number = number or get_class("order.utils", "OrderNumberGenerator")().order_number(basket)
    order = OrderCreator().place_order(
        basket=basket, total=total, shipping_method=method, shipping_charge=charge, user=shopper,
        shipping_address=ShippingAddress.objects.create(**address), order_number=number, status=status,
        guest_email=email if shopper is None else "",
    )  # fmt: skip
    source = offline_payment_source(order_number=number, amount=total.incl_tax, currency=total.currency)
    source.order = order
    source.save()
    basket.submit()
    return order
