"""Oscar's partner app, forked: an offer (stock record) obeys its storefront's tier rules wherever it is saved,
and stock is never allocated beyond what exists."""

from django.db.models import F
from django.db.models.functions import Coalesce
from oscar.apps.order.exceptions import UnableToPlaceOrder
from oscar.apps.partner.abstract_models import AbstractStockRecord


class InsufficientStock(UnableToPlaceOrder):
    """Raised inside the order's transaction; Oscar's checkout rolls the order back, keeps the basket and shows
    this message."""


class StockRecord(AbstractStockRecord):
    def allocate(self, quantity):
        """Allocate only what is in stock, in one conditional UPDATE: the database row lock it takes makes
        concurrent checkouts queue, so the last units can never be sold twice (Oscar's own allocate does not
        check)."""
        if not self.can_track_allocations:
            return
        self.pre_save_signal()
        allocated = Coalesce(F("num_allocated"), 0)
        updated = self.__class__.objects.filter(pk=self.pk, num_in_stock__gte=allocated + quantity).update(
            num_allocated=allocated + quantity
        )
        self.refresh_from_db(fields=["num_in_stock", "num_allocated"])
        if not updated:
            left = max(self.net_stock_level, 0)
            title = self.product.get_title()
            if left:
                raise InsufficientStock(f"Sorry, only {left} of “{title}” left: lower the quantity in your basket.")
            raise InsufficientStock(f"Sorry, “{title}” has just sold out. Your basket is kept.")
        self.post_save_signal()

    def clean(self):
        super().clean()
        if self.partner_id and self.product_id:
            from tiers import services as tier_services

            tier_services.validate_offer(partner=self.partner, product=self.product)


from oscar.apps.partner.models import *  # noqa: E402
