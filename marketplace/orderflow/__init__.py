"""The order's path, in order: what happens, layer after layer, when an order is paid or a refund is settled; and
the one place that hears what the layers below announce.

Payments, fulfilment and revenue each do their own part and know nothing of the layers above them. A payment
recorded by ``payments`` moves the order to Paid (Oscar's ``Order.set_status``, which sends Oscar's
``order_status_changed``); a refund settled by ``payments`` says so with ``payments.signals.refund_settled``; Stripe's
word on an operator's connected account arrives as ``payments.signals.account_updated``. This package alone listens
(``receivers``) and calls each layer in turn (``paths``), so the order of the steps is written once, here, and nothing
below imports upward."""
