"""Oscar's basket, forked: the shopper chooses whose offer (stock record) a line comes from."""

from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    def choose_offer(self, stockrecord) -> None:
        """The next ``add_product`` of this offer's product takes this offer instead of the strategy's choice."""
        self._chosen_offer = stockrecord

    def get_stock_info(self, product, options):
        chosen = getattr(self, "_chosen_offer", None)
        if chosen is not None and chosen.product_id == product.pk:
            return self.strategy.fetch_for_product(product, stockrecord=chosen)
        return super().get_stock_info(product, options)

    def all_lines(self):
        """Oscar's, with what pricing each line reads (its product's class, its offer's operator and storefront)
        joined in: the same queries for a basket of many lines as for one."""
        if self.id is not None and self._lines is None:
            self._lines = (
                self.lines.select_related("product__product_class",
                                          "stockrecord__partner__storefront")
                .prefetch_related("attributes", "product__images")
                .order_by(self._meta.pk.name)
            )  # fmt: skip
        return super().all_lines()

    @property
    def num_lines(self):
        # counted from the lines, read once per request (the header shows the basket's total anyway), instead of a
        # COUNT query at each of Oscar's several questions "is the basket empty?"
        return len(self.all_lines())

    def add_product(self, product, quantity=1, options=None):
        try:
            return super().add_product(product, quantity, options)
        finally:
            self._chosen_offer = None


from oscar.apps.basket.models import *  # noqa: E402
