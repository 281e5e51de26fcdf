"""A product is available while any live offer has stock: one operator selling out leaves the product on sale from
the others, on its page, in the catalogue and in search alike; a product no one offers is not listed as buyable."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def power_cube():
    """Garage Works sold out at the lower price; Factor e Farm has four left at a higher one."""
    design = factories.design(name="Power Cube", category_name="Power units")
    cube = factories.level_product(design, 1, title="Power Cube 28 HP", price="4800.00", stock=4)
    garage = factories.storefront("Garage Works", city="Berlin")
    factories.offer(garage, cube, price="4500.00", stock=0)
    return cube


def test_a_product_stays_on_sale_when_its_cheapest_offer_sells_out(client, power_cube):
    page = client.get(power_cube.get_absolute_url()).content.decode()
    header = page.split('id="operator-offers"')[0]
    assert "Only 4 left" in header and "Unavailable" not in header and "Notify me" not in header
    assert "$4,800.00" in header  # the offer a shopper can buy, not the sold-out one


@pytest.mark.parametrize("listing", ["catalogue:index", "search:search"])
def test_listings_agree_with_the_product_page(client, power_cube, listing):
    page = client.get(reverse(listing), {"q": "Power Cube"} if listing == "search:search" else {}).content.decode()
    card = page.split("Power Cube 28 HP", 1)[1].split("</article>", 1)[0]
    assert "$4,800.00" in card and "Unavailable" not in card and "Sold out" not in card


def test_a_product_no_one_offers_is_not_listed(client):
    design = factories.design(name="Tractor", category_name="Tractors")
    offered = factories.level_product(design, 1, title="LifeTrac tractor")
    unoffered = factories.level_product(design, 3, title="LifeTrac licence")
    unoffered.stockrecords.all().delete()
    for listing, params in (("catalogue:index", {}), ("search:search", {"q": "LifeTrac"})):
        page = client.get(reverse(listing), params).content.decode()
        assert offered.title in page and unoffered.title not in page


def test_from_price_is_the_cheapest_one_can_buy(client, power_cube):
    summary = client.get(power_cube.get_absolute_url()).content.decode().split('id="offer-summary"', 1)[1]
    assert "from $4,800.00 · 2 operators" in summary.split("</p>", 1)[0]  # not Garage's sold-out $4,500
