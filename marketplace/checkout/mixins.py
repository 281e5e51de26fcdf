import logging

from django.db import OperationalError, transaction
from django.db.models import F
from oscar.apps.checkout import mixins
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.core.loading import get_model

from marketplace.checkout import services
from marketplace.checkout.tasks import send_order_placed_email_task

ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")

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

    def update_address_book(self, user, addr):
        """Oscar's: the shipping address is counted in the shopper's address book (a new one is added). An address
        chosen from the book, read already with its country (``session.CheckoutSessionMixin``), is counted in one
        UPDATE instead of being looked up by its hash and written whole."""
        entry = getattr(self, "address_book_entry", None)
        from_book = (entry is not None and entry.user_id == user.pk and isinstance(addr, ShippingAddress)
                     and self.checkout_session.shipping_user_address_id() == entry.pk
                     and not self.checkout_session.new_shipping_address_fields())  # fmt: skip
        if not from_book:
            return super().update_address_book(user, addr)
        UserAddress._default_manager.filter(pk=entry.pk, user=user).update(
            num_orders_as_shipping_address=F("num_orders_as_shipping_address") + 1
        )

    def send_order_placed_email(self, order):
        # The email goes out from a worker, and only once the order is committed.
        send_order_placed_email_task.delay_on_commit(order_id=order.pk)
