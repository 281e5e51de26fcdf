from django.contrib import messages
from oscar.apps.checkout import views

from marketplace.checkout import services

BANK_TRANSFER, CARD = "bank-transfer", "card"


def available_methods() -> list[tuple[str, str]]:
    """Bank transfer always; card only when Stripe is configured (secret, publishable and webhook keys)."""
    from marketplace.payments import stripe_gateway

    methods = [(BANK_TRANSFER, "Bank transfer (no card needed)")]
    if stripe_gateway.is_configured():
        methods.append((CARD, "Card (Stripe)"))
    return methods


class PaymentDetailsView(views.PaymentDetailsView):
    """Choose how to pay; the choice is kept in the checkout session until the order is placed. A card order is
    placed as Pending with its Stripe PaymentIntent; it becomes paid only when Stripe confirms it server side."""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["payment_methods"] = available_methods()
        ctx["chosen_method"] = self.checkout_session.payment_method() or BANK_TRANSFER
        return ctx

    def handle_payment_details_submission(self, request):
        method = request.POST.get("payment_method", BANK_TRANSFER)
        if method not in dict(available_methods()):
            messages.error(request, "Choose one of the payment methods offered.")
            return self.render_payment_details(request)
        self.checkout_session.pay_by(method)
        return self.render_preview(request)

    def handle_payment(self, order_number, total, **kwargs):
        method = self.checkout_session.payment_method() or BANK_TRANSFER
        if method == CARD and CARD in dict(available_methods()):
            from marketplace.payments.services import card_payment_source

            self.add_payment_source(
                card_payment_source(order_number=order_number, amount=total.incl_tax, currency=total.currency)
            )
            return
        self.add_payment_source(
            services.offline_payment_source(order_number=order_number, amount=total.incl_tax, currency=total.currency)
        )


class ThankYouView(views.ThankYouView):
    def get_context_data(self, *args, **kwargs):
        from django.conf import settings

        from marketplace.payments.models import StripeIntent

        ctx = super().get_context_data(*args, **kwargs)
        order = ctx["order"]
        intent = StripeIntent.objects.filter(order_number=order.number).first()
        if intent and order.status == "Pending":
            ctx["stripe_intent"], ctx["stripe_publishable_key"] = intent, settings.STRIPE_PUBLISHABLE_KEY
        return ctx
