"""Listing pages render in a fixed number of queries, however many products, offers, operators and licences the
page shows: no query per product (stock Oscar makes about six)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rendered(settings):
    settings.PAGE_CACHE_SECONDS = 0  # count what rendering costs; a cached page costs none


def _add_designs(count: int, *, start: int = 0) -> None:
    """Designs at all three levels, each offered by its own certified operator (licences need the mark)."""
    for index in range(start, start + count):
        design = factories.design(name=f"Solar kiln {index}", category_name="Kilns")
        store = factories.storefront(f"Kiln Works {index}", city="Lyon")
        factories.certify(design, holders=[store.operator])
        for level in (1, 2, 3):
            product = factories.level_product(design, level, title=f"Solar kiln {index} level {level}")
            factories.offer(store, product, price="250.00", stock=None if level == 3 else 4)


def _queries(client, path: str) -> int:
    client.get(path)  # warm: site, categories, thumbnails' placeholder
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def _listings():
    from catalog.models import Category

    kilns = Category.objects.get(name="Kilns")
    return {
        "catalogue": reverse("catalogue:index"),
        "category": kilns.get_absolute_url(),
        "search": reverse("search:search") + "?q=kiln",
        "designs": reverse("designs:list"),
        "storefront": reverse("storefronts:detail", kwargs={"slug": "kiln-works-0"}),
    }


def test_listing_queries_do_not_grow_with_the_page_or_the_catalogue(client):
    _add_designs(2)
    few = {name: _queries(client, path) for name, path in _listings().items()}
    _add_designs(10, start=2)  # a full page of 20 products from 12 operators, licences among them
    many = {name: _queries(client, path) for name, path in _listings().items()}
    assert many == few
    assert max(many.values()) <= 15, many
