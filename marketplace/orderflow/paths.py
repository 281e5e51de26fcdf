"""Each event of an order's life and the steps it sets off, in the order they run. Every step runs in the
transaction that recorded the event (so nothing is forgotten when it commits) and hands its slow work to a worker
once it commits; every step may run twice without harm."""

from oscar.core.loading import get_model

from marketplace.campaigns import attribution
from marketplace.campaigns import services as campaigns
from marketplace.fulfilment import services as fulfilment
from marketplace.notifications import services as notifications
from marketplace.revenue import reversals
from marketplace.revenue import services as revenue
from marketplace.stewardship import services as stewardship
from marketplace.webhooks import events as webhooks

PaymentEvent = get_model("order", "PaymentEvent")


def order_placed(order) -> None:
    """An order was written (guest or signed in, in its own transaction): each operator's part opens, then the
    campaign whose link brought the shopper (this request's cookie) is credited with it, once."""
    fulfilment.open_operator_orders(order=order)
    campaigns.attribute_order(order=order, touch=attribution.current_touch())


def order_paid(order) -> None:
    """The money for an order arrived (its 'paid' payment event is recorded): first the shopper hears it, then
    each operator's part moves on and its lines are delivered by a worker (downloads, seats, licences), then the
    payment waits for the ledger's split, and each operator's system hears its part is paid (webhooks). An order
    someone set to Paid by hand, with no payment, sets off nothing."""
    payment = PaymentEvent.objects.filter(order=order, event_type__code="paid").order_by("-pk").first()
    if payment is None:
        return
    notifications.send_later(order_id=order.pk, code="PAYMENT_RECEIVED", key=f"paid:{order.pk}")
    stewardship.quote_paid(order=order)  # a repair's quote on it: its request is paid
    fulfilment.start_paid_order(order=order)
    revenue.allocate_later(payment_event=payment)
    webhooks.part_paid(order=order)


def refund_settled(refund) -> None:
    """Money went back to a shopper: the shopper is told, then the ledger reverses the refund's share, and the
    operator's system hears it (webhooks)."""
    notifications.send_later(order_id=refund.order_id, code="ORDER_REFUNDED", key=f"refund:{refund.pk}", refund=refund)
    reversals.reverse_later(refund_id=refund.pk)
    webhooks.part_refunded(refund=refund)


def offer_saving(offer) -> None:
    webhooks.offer_saving(offer=offer)


def offer_saved(offer, *, created: bool, update_fields=None) -> None:
    """An offer was saved (a sale's allocation at checkout, or a stock edit): if its stock just ran out, the
    operator's system hears it (webhooks)."""
    webhooks.offer_saved(offer=offer, created=created, update_fields=update_fields)
