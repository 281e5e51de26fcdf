"""What payments announce that Oscar has no signal for. The layers above listen (``marketplace.orderflow``)."""

from django.dispatch import Signal

# A refund's money went back to the shopper (sent in the transaction that settled it): ``refund``.
refund_settled = Signal()

# Stripe says how a connected account (an operator's, for payouts) stands (an ``account.updated`` event, applied by a
# worker): ``account`` (Stripe's object) and ``as_of`` (when Stripe created the event). The receiver answers what it
# did, which the stored event keeps as its outcome.
account_updated = Signal()
