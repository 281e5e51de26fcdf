"""Oscar's basket views, with the add-to-basket view reading its product in one query."""

from django.views.generic import FormView
from oscar.apps.basket import views

from catalog import selectors


class BasketAddView(views.BasketAddView):
    def post(self, request, *args, **kwargs):
        self.product = selectors.product_to_add(pk=kwargs["pk"])
        return FormView.post(self, request, *args, **kwargs)  # Oscar's post only loads the product, without joins
