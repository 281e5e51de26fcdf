from decimal import Decimal

import pytest

from tests import factories


@pytest.fixture
def two_operators():
    """Berlin Fab ships a printer (shipping 7.50); Lyon Fab sells a distribution licence (it holds the mark) and a
    physical mill (shipping 4.00)."""
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    mill_design = factories.design(name="CNC mill", category_name="CNC circuit mills")
    mill = factories.level_product(mill_design, 1, title="CNC mill, assembled")
    licence = factories.level_product(mill_design, 3, title="CNC mill distribution licence")
    for product in (printer, mill, licence):
        product.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin.shipping_charge, lyon.shipping_charge = Decimal("7.50"), Decimal("4.00")
    berlin.save(update_fields=["shipping_charge"])
    lyon.save(update_fields=["shipping_charge"])
    factories.certify(mill_design, holders=[lyon.operator])
    return {
        "berlin": berlin, "lyon": lyon,
        "printer": factories.offer(berlin, printer, price="900.00"),
        "mill": factories.offer(lyon, mill, price="1400.00"),
        "licence": factories.offer(lyon, licence, price="5000.00", stock=None),
    }  # fmt: skip
