"""What the layers below announce, and the one receiver of each: Oscar's order placed and order status changed, a
settled refund, and Stripe's word on an operator's connected account."""

from oscar.apps.order.signals import order_placed, order_status_changed

from marketplace.fulfilment import services as fulfilment
from marketplace.orderflow import paths
from marketplace.payments.signals import account_updated, refund_settled
from marketplace.revenue import connect

PAID = "Paid"


def on_order_placed(sender, order, **kwargs):
    """Every order, however it is placed, is split into its operators' parts in the same transaction."""
    fulfilment.open_operator_orders(order=order)


def on_status_changed(sender, order, old_status, new_status, **kwargs):
    if new_status == PAID:
        paths.order_paid(order)


def on_refund_settled(sender, refund, **kwargs):
    paths.refund_settled(refund)


def on_account_updated(sender, account, as_of, **kwargs) -> str:
    return connect.apply_account(account_object=account, as_of=as_of)


def listen() -> None:
    order_placed.connect(on_order_placed, dispatch_uid="orderflow-order-placed")
    order_status_changed.connect(on_status_changed, dispatch_uid="orderflow-status-changed")
    refund_settled.connect(on_refund_settled, dispatch_uid="orderflow-refund-settled")
    account_updated.connect(on_account_updated, dispatch_uid="orderflow-account-updated")
