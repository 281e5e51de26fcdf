"""A small shop for the page cache's tests: a certified design sold by one storefront at two levels."""

import pytest

from tests import factories


@pytest.fixture
def shop():
    design = factories.design(name="CEB press", category_name="Houses")
    store = factories.storefront("Apartment Fab")
    operator = store.operator
    press = factories.level_product(design, 1, title="CEB press kit", partner_name="Staff workshop")
    licence = factories.level_product(design, 3, title="CEB press licence", partner_name="Staff workshop")
    for product in (press, licence):
        product.stockrecords.all().delete()  # only the storefront sells them
    certificate = factories.certify(design, holders=[operator])
    press_offer = factories.offer(store, press, price="1500.00", stock=3)
    licence_offer = factories.offer(store, licence, price="9000.00", stock=None)
    return {"design": design, "store": store, "press": press, "licence": licence, "press_offer": press_offer,
            "licence_offer": licence_offer, "certificate": certificate}  # fmt: skip
