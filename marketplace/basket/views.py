"""Oscar's basket views, with the add-to-basket view reading its product (and the offer the form names) in one
query."""

from oscar.apps.basket import views

from catalog import selectors
from marketplace import internals


class BasketAddView(views.BasketAddView):
    def post(self, request, *args, **kwargs):
        self.offer = selectors.offer_to_add(product_pk=kwargs["pk"], offer_pk=request.POST.get("offer"))
        if self.offer is not None:
            self.product = self.offer.product
        else:
            self.product = selectors.product_to_add(pk=kwargs["pk"])
        # Oscar's post would load the product again, without joins: the form is posted past it
        return internals.post_add_to_basket_form(self, request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "offer": self.offer}
