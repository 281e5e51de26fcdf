from oscar.apps.checkout import mixins

from marketplace.checkout.tasks import send_order_placed_email_task


class OrderPlacementMixin(mixins.OrderPlacementMixin):
    def send_order_placed_email(self, order):
        # The email goes out from a worker, and only once the order is committed.
        send_order_placed_email_task.delay_on_commit(order_id=order.pk)
