"""What payments announce that Oscar has no signal for. The layers above listen (``marketplace.orderflow``)."""

from django.dispatch import Signal

# A refund's money went back to the shopper (sent in the transaction that settled it): ``refund``.
refund_settled = Signal()

# Stripe says how a connected account (an operator's, for payouts) stands (an ``account.updated`` event, applied by a
# worker): ``account`` (Stripe's object) and ``as_of`` (when Stripe created the event). The receiver answers what it
# did, which the stored event keeps as its outcome.
account_updated = Signal()

# A True Fans subscription's month was paid (Stripe's ``invoice.paid`` for an invoice of a subscription, applied by a
# worker): ``subscription_id``, ``invoice_id``, ``amount`` (Decimal), ``currency`` (upper case), ``paid_at``,
# ``period_start``, ``period_end`` (aware datetimes), ``metadata`` (the subscription's, as the invoice keeps it) and
# ``as_of`` (when Stripe created the event). The receiver answers what it did; the stored event keeps it as its
# outcome. With no answer the event stays unapplied and is applied again later (``services.apply_waiting_events``).
subscription_invoice_paid = Signal()

# A subscription's state changed (``customer.subscription.created|updated|deleted``, or ``invoice.payment_failed``,
# which makes it ``past_due``): ``subscription_id``, ``status`` (Stripe's), ``cancel_at`` and ``current_period_end``
# (aware datetimes or None), ``metadata`` and ``as_of`` (when Stripe created the event: events come in any order, so
# a receiver keeps the newest word). Answered and kept as for ``subscription_invoice_paid``.
subscription_changed = Signal()
