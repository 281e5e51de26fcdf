import logging

from django.db import OperationalError, transaction
from oscar.apps.checkout import mixins
from oscar.apps.order.exceptions import UnableToPlaceOrder

from marketplace.checkout import services
from marketplace.checkout.tasks import send_order_placed_email_task

logger = logging.getLogger("oscar.checkout")

DEADLOCK_ATTEMPTS = 3


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def place_order(self, **kwargs):
        """Write the order; a deadlock between concurrent checkouts is retried, never shown to the shopper. (Oscar
        allocates stock in stock-record order, so checkouts queue rather than deadlock on stock; this catches the
        rest.)"""
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return super().place_order(**kwargs)
            except OperationalError as error:
                if not services.is_deadlock(error):
                    raise
                logger.warning("Order #%s: deadlock, attempt %d of %d", kwargs.get("order_number"), attempt,
                               DEADLOCK_ATTEMPTS)  # fmt: skip
        raise UnableToPlaceOrder("Many people are buying the same items right now: please place your order again.")

    def send_order_placed_email(self, order):
        # The email goes out from a worker, and only once the order is committed.
        send_order_placed_email_task.delay_on_commit(order_id=order.pk)
