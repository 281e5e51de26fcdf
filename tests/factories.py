"""Test data builders. Oscar's own factories build our forked Product, partners, stock records and orders."""

from decimal import Decimal

from oscar.test.factories import (  # noqa: F401 - re-exported for tests
    PartnerFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
    create_order,
    create_product,
)

from catalog.models import Category


def product_in_stock(*, title="D3D 3D printer", price="985.00", stock=10, upc=None, category: Category | None = None):
    product = create_product(title=title, upc=upc, price=Decimal(price), num_in_stock=stock)
    if category is not None:
        product.categories.add(category)
    return product
