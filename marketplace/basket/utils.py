"""Oscar's basket messages, without the "View basket" and "Checkout now" buttons for a shopper already on the way to
the checkout ("Add and check out"): there "Checkout now" would only load again the page they are on."""

from django.urls import reverse
from oscar.apps.basket import utils


class BasketMessageGenerator(utils.BasketMessageGenerator):
    def apply_messages(self, request, offers_before):
        self.to_checkout = request.POST.get("next", "").startswith(reverse("checkout:index"))
        return super().apply_messages(request, offers_before)

    def get_new_total_messages(self, basket, include_buttons=True):
        return super().get_new_total_messages(basket, include_buttons and not getattr(self, "to_checkout", False))
