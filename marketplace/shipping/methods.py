from decimal import Decimal

from oscar.apps.shipping.methods import *  # noqa: F403
from oscar.apps.shipping.methods import Base
from oscar.core import prices

from marketplace.shipping.charges import basket_charges


class ByOperator(Base):
    """Each operator ships its own lines and charges its storefront's flat rate once per order."""

    code = "by-operator"
    name = "Shipped by each operator"
    description = "Each storefront ships its own goods; its shipping charge is added once per order."

    def calculate(self, basket):
        total = sum(basket_charges(basket).values(), Decimal("0.00"))
        return prices.Price(currency=basket.currency, excl_tax=total, tax=Decimal("0.00"))
