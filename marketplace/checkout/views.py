from oscar.apps.checkout import views

from marketplace.checkout import services


class PaymentDetailsView(views.PaymentDetailsView):
    """Offline payment (bank transfer): no card details; the order waits in 'Pending' until paid."""

    def handle_payment(self, order_number, total, **kwargs):
        self.add_payment_source(
            services.offline_payment_source(order_number=order_number, amount=total.incl_tax, currency=total.currency)
        )
