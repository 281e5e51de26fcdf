"""Who sells what in a basket: its lines grouped by operator, each group with the shipping that operator charges."""

from dataclasses import dataclass, field
from decimal import Decimal

from django import template

from marketplace.shipping.charges import ZERO, basket_charges

register = template.Library()


@dataclass
class Seller:
    partner: object
    shipping: Decimal
    lines: list = field(default_factory=list)

    @property
    def storefront(self):
        return getattr(self.partner, "storefront", None)  # a partner of the shop's own staff has none

    @property
    def total(self) -> Decimal:
        return sum((line.line_price_incl_tax_incl_discounts or ZERO for line in self.lines), ZERO) + self.shipping


@register.simple_tag
def basket_sellers(basket) -> list[Seller]:
    """``{% basket_sellers basket as sellers %}``: one group per operator, in the order the shopper added them."""
    charges = basket_charges(basket)
    sellers: dict[int, Seller] = {}
    for line in basket.all_lines():
        if not line.stockrecord_id:
            continue
        partner = line.stockrecord.partner
        seller = sellers.setdefault(partner.pk, Seller(partner=partner, shipping=charges.get(partner.pk, ZERO)))
        seller.lines.append(line)
    return list(sellers.values())
