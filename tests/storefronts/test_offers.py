"""Several operators offer the same product; shoppers see every live offer, nearest first, and choose one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.storefronts.geo import locate
from marketplace.storefronts.selectors import live_offers
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def printer():
    design = factories.design(name="D3D printer")
    product = factories.level_product(design, 1, title="D3D printer, assembled")
    product.stockrecords.all().delete()
    stores = {
        city: factories.storefront(f"{city} Fab", city=city)
        for city in ("Berlin", "Lyon", "Nairobi", "Kansas City", "Portland")
    }
    for index, store in enumerate(stores.values()):
        factories.offer(store, product, price=f"{900 + index * 10}.00")
    return design, product


def _operators(html: str) -> list[str]:
    import re

    return re.findall(r'class="operator">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("near", "expected"),
    [
        ("Berlin", ["Berlin Fab", "Lyon Fab", "Nairobi Fab", "Kansas City Fab", "Portland Fab"]),
        ("Paris", ["Lyon Fab", "Berlin Fab", "Nairobi Fab", "Kansas City Fab", "Portland Fab"]),
        ("Seattle", ["Portland Fab", "Kansas City Fab", "Berlin Fab", "Lyon Fab", "Nairobi Fab"]),
        ("Mombasa", ["Nairobi Fab", "Lyon Fab", "Berlin Fab", "Kansas City Fab", "Portland Fab"]),
        ("39.9, -94.4", ["Kansas City Fab", "Portland Fab", "Lyon Fab", "Berlin Fab", "Nairobi Fab"]),
    ],
)
def test_offers_are_listed_nearest_first(client, printer, near, expected):
    design, product = printer
    assert _operators(client.get(product.get_absolute_url(), {"near": near}).content.decode()) == expected
    level_1 = client.get(design.get_absolute_url(), {"near": near}).content.decode().split("level-1")[1]
    assert _operators(level_1.split("level-2")[0]) == expected


def test_without_a_location_offers_are_cheapest_first(client, printer):
    _, product = printer
    assert _operators(client.get(product.get_absolute_url()).content.decode())[0] == "Berlin Fab"  # 900.00


def test_an_unknown_place_is_a_clear_error_and_the_offers_still_show(client, printer):
    _, product = printer
    html = client.get(product.get_absolute_url(), {"near": "Xyzzyville"}).content.decode()
    assert "We could not find “Xyzzyville”" in html
    assert len(_operators(html)) == 5


def test_distance_is_computed_in_the_database_query(printer):
    with CaptureQueriesContext(connection) as queries:
        offers = list(live_offers(origin=locate("Berlin")).filter(product=printer[1]))
    assert len(queries) == 1
    assert "ASIN" in queries[0]["sql"].upper() or "asin" in queries[0]["sql"]
    assert round(offers[1].distance_km) in range(960, 990)  # Berlin to Lyon is about 976 km


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_offer_lists_stay_within_a_fixed_query_budget(client, printer, settings):
    settings.PAGE_CACHE_SECONDS = 0  # rendered pages (a cached one costs no query at all)
    design, product = printer
    client.get(design.get_absolute_url())
    client.get(product.get_absolute_url())  # the recently-viewed cookie is set from now on
    before = (_count(client, design.get_absolute_url(), {"near": "Berlin"}),
              _count(client, product.get_absolute_url(), {"near": "Berlin"}))  # fmt: skip
    for index in range(10):
        store = factories.storefront(f"Extra {index}", city="Maysville")
        factories.offer(store, product, price="999.00")
    after = (_count(client, design.get_absolute_url(), {"near": "Berlin"}),
             _count(client, product.get_absolute_url(), {"near": "Berlin"}))  # fmt: skip
    assert after == before


def test_the_shopper_chooses_whose_offer_goes_in_the_basket(client, printer):
    _, product = printer
    lyon = product.stockrecords.get(partner__name="Lyon Fab")
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "offer": lyon.pk})
    html = client.get(reverse("basket:summary")).content.decode()
    assert "$910.00" in html  # Lyon's price, not the cheapest (Berlin, $900.00)


def test_choosing_an_offer_of_another_product_or_a_suspended_store_is_refused(client, printer):
    _, product = printer
    other = factories.level_product(factories.design(name="CNC mill"), 1)
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "offer": other.stockrecords.get().pk},
        follow=True,
    )  # fmt: skip
    assert "This offer is no longer available; choose another operator." in response.content.decode()
