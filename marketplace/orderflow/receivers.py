"""What the layers below announce, and the one receiver of each: Oscar's order placed and order status changed, an
offer (stock record) saved, a settled refund, Stripe's word on an operator's connected account, and on True Fans
subscriptions (a paid month, a changed state)."""

from django.db.models.signals import post_save, pre_save
from oscar.apps.order.signals import order_placed, order_status_changed
from oscar.core.loading import get_model

from marketplace.orderflow import paths
from marketplace.payments.signals import (
    account_updated,
    refund_settled,
    subscription_changed,
    subscription_invoice_paid,
)
from marketplace.revenue import connect
from marketplace.supporters import services as supporters

PAID = "Paid"
StockRecord = get_model("partner", "StockRecord")


def on_order_placed(sender, order, **kwargs):
    """Every order, however it is placed, is split into its operators' parts in the same transaction (and credited
    to the campaign that brought it)."""
    paths.order_placed(order)


def on_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status == PAID:
        paths.order_paid(order)


def on_offer_saving(sender, instance, raw=False, **kwargs):
    if not raw:
        paths.offer_saving(instance)


def on_offer_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if not raw:
        paths.offer_saved(instance, created=created, update_fields=update_fields)


def on_refund_settled(sender, refund, **kwargs):
    paths.refund_settled(refund)


def on_account_updated(sender, account, as_of, **kwargs) -> str:
    return connect.apply_account(account_object=account, as_of=as_of)


def on_subscription_invoice_paid(sender, **kwargs) -> str | None:
    """A True Fans month paid by card: recorded and booked once, however often Stripe says so."""
    return supporters.apply_invoice_paid(**kwargs)


def on_subscription_changed(sender, **kwargs) -> str | None:
    return supporters.apply_subscription_changed(**kwargs)


def listen() -> None:
    order_placed.connect(on_order_placed, dispatch_uid="orderflow-order-placed")
    order_status_changed.connect(on_status_changed, dispatch_uid="orderflow-status-changed")
    refund_settled.connect(on_refund_settled, dispatch_uid="orderflow-refund-settled")
    pre_save.connect(on_offer_saving, sender=StockRecord, dispatch_uid="orderflow-offer-saving")
    post_save.connect(on_offer_saved, sender=StockRecord, dispatch_uid="orderflow-offer-saved")
    account_updated.connect(on_account_updated, dispatch_uid="orderflow-account-updated")
    subscription_invoice_paid.connect(on_subscription_invoice_paid, dispatch_uid="orderflow-subscription-paid")
    subscription_changed.connect(on_subscription_changed, dispatch_uid="orderflow-subscription-changed")
