"""Which offer a shopper gets: only live offers (from active storefronts), the cheapest unless they chose one."""

from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import availability, strategy

from marketplace import internals
from marketplace.partner.models import stock_label
from marketplace.storefronts.rules import offer_is_live


class StockShown(availability.StockRequired):
    """Oscar's, saying how many are left only when few are (so a sale that leaves plenty changes no page)."""

    @property
    def message(self) -> str:
        return stock_label(self.num_available) or _("Unavailable")


class BoughtOnce(availability.Available):
    """A product the shop put in the basket itself (an operator's quote for a repair, marketplace/stewardship): one,
    never more, whatever the basket's quantity box says."""

    def is_purchase_permitted(self, quantity):
        if quantity > 1:
            return False, _("A quote is bought once: its quantity is 1.")
        return True, ""


def _offers(product):
    if internals.is_prefetched(product, "stockrecords"):
        return product.stockrecords.all()
    return product.stockrecords.select_related("partner__storefront")  # one query, not two per offer


def _sold_out(offer, product) -> bool:
    return product.get_product_class().track_stock and (offer.net_stock_level or 0) < 1


class LiveOffers:
    def select_stockrecord(self, product):
        """The cheapest live offer that has stock; the cheapest live one only when every one is sold out (so the
        product is available while any operator has some)."""
        live = [offer for offer in _offers(product) if offer_is_live(offer)]
        return min(live, default=None, key=lambda offer: (
            _sold_out(offer, product), offer.price is None, offer.price or 0, offer.pk))  # fmt: skip

    def fetch_for_line(self, line, stockrecord=None):
        # A basket line keeps the offer the shopper chose (Oscar's default re-selects one per product).
        stockrecord = stockrecord or line.stockrecord
        if stockrecord is not None and stockrecord.product_id == line.product_id:
            stockrecord.product = line.product  # the line's product, loaded already: no query per line
        return self.fetch_for_product(line.product, stockrecord=stockrecord)

    def availability_policy(self, product, stockrecord):
        if stockrecord is not None and not offer_is_live(stockrecord):
            return availability.Unavailable()
        if stockrecord is not None and not product.is_public:
            return BoughtOnce()
        policy = super().availability_policy(product, stockrecord)
        if type(policy) is availability.StockRequired:
            return StockShown(policy.num_available)
        return policy


class Default(LiveOffers, strategy.UseFirstStockRecord, strategy.StockRequired, strategy.NoTax, strategy.Structured):
    """US-style prices without tax, stock required, offers from active storefronts only."""


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)
