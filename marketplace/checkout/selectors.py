"""Reads for checkout pages."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from oscar.core.loading import get_model

from marketplace import internals

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Source = get_model("payment", "Source")
UserAddress = get_model("address", "UserAddress")
Surcharge = get_model("order", "Surcharge")
OrderDiscount = get_model("order", "OrderDiscount")


def saved_shipping_addresses(user) -> list:
    """A signed-in shopper's saved addresses in countries the shop ships to, with their countries, the one to choose
    for them first: their default shipping address, else the one they ship to most, else the newest."""
    return list(
        UserAddress._default_manager.filter(user=user, country__is_shipping_country=True)
        .select_related("country")
        .order_by("-is_default_for_shipping", "-num_orders_as_shipping_address", "-date_created", "-pk")
    )


def placed_order(**lookup):
    """The order the thank-you page shows, with what it reads: its addresses with their countries, its payments
    with their types, its surcharges and discounts (read by category on the page: checkout_tags.discounts_of; its
    lines come by operator part, fulfilment.selectors.parts_for_order). Surcharges and discounts are asked for only
    when the order has some (most have none). None if there is no such order."""
    order = (
        Order._default_manager.select_related("shipping_address__country", "billing_address__country", "user")
        .prefetch_related(Prefetch("sources", queryset=Source.objects.select_related("source_type")))
        .annotate(has_surcharges=Exists(Surcharge.objects.filter(order=OuterRef("pk"))),
                  has_discounts=Exists(OrderDiscount.objects.filter(order=OuterRef("pk"))))
        .filter(**lookup)
        .first()
    )  # fmt: skip
    if order is not None:
        for relation, present in (("surcharges", order.has_surcharges), ("discounts", order.has_discounts)):
            if present:
                prefetch_related_objects([order], relation)
            else:
                internals.keep_prefetched(order, relation, internals.prefilled(getattr(order, relation).all(), []))
    return order


def card_payment_to_complete(order):
    """The Stripe PaymentIntent a card order placed just now still waits on (the thank-you page's card form), or
    None: for a bank transfer, or an order no longer pending, nothing is asked."""
    from marketplace.payments.models import StripeIntent
    from marketplace.payments.services import STRIPE_SOURCE_CODE

    if order.status != "Pending":
        return None
    if not any(source.source_type.code == STRIPE_SOURCE_CODE for source in order.sources.all()):
        return None
    return StripeIntent.objects.filter(order_number=order.number).first()


def bank_transfer_to_make(order) -> dict | None:
    """Where and how a shopper who chose bank transfer pays, while the order waits for the money: the shop's account
    (``BANK_TRANSFER_*`` settings), the order's total, and its number as the transfer's reference (staff match the
    payment by it). None for any other order. Reads the order's sources as prefetched (no query on the thank-you
    page)."""
    from marketplace.checkout.services import OFFLINE_SOURCE_CODE

    if order.status != "Pending" or not any(s.source_type.code == OFFLINE_SOURCE_CODE for s in order.sources.all()):
        return None
    return {
        "holder": settings.BANK_TRANSFER_HOLDER, "iban": settings.BANK_TRANSFER_IBAN, "bic": settings.BANK_TRANSFER_BIC,
        "amount": order.total_incl_tax, "currency": order.currency, "reference": order.number,
        # unpaid by then, it is cancelled (fulfilment.unpaid); a reminder goes out after BANK_TRANSFER_REMIND_AFTER_DAYS
        "deadline": order.date_placed + datetime.timedelta(days=settings.BANK_TRANSFER_CANCEL_AFTER_DAYS),
        "remind_after_days": settings.BANK_TRANSFER_REMIND_AFTER_DAYS,
    }  # fmt: skip


def transfer_email(order_id: int) -> dict:
    """What the order-placed e-mail and the reminder show of the bank transfer still to make (nothing once paid)."""
    order = Order.objects.prefetch_related("sources__source_type").get(pk=order_id)
    return {"bank_transfer": bank_transfer_to_make(order), "deadline": payment_deadline(order)}


def payment_deadline(order):
    """When an order waiting for its bank transfer is cancelled if the money has not arrived; None for others."""
    transfer = bank_transfer_to_make(order)
    return transfer["deadline"] if transfer else None
