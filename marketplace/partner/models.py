"""Oscar's partner app, forked: an offer (stock record) obeys its storefront's tier rules wherever it is saved."""

from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    def clean(self):
        super().clean()
        if self.partner_id and self.product_id:
            from tiers import services as tier_services

            tier_services.validate_offer(partner=self.partner, product=self.product)


from oscar.apps.partner.models import *  # noqa: E402
