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


def test_the_basket_page_costs_the_same_queries_for_one_line_as_for_six_from_six_operators(client):
    # given a shopper's basket with one line, then with six lines from six operators
    from catalog.models import Product

    _add_designs(6)
    products = list(Product.objects.filter(level=1).order_by("pk"))

    def add(product):
        offer = product.stockrecords.filter(partner__storefront__isnull=False).first()
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "offer": offer.pk})
        assert response.status_code == 302

    add(products[0])
    one = _queries(client, reverse("basket:summary"))
    for product in products[1:]:
        add(product)
    six = _queries(client, reverse("basket:summary"))

    # then the page shows all six and took no query more per line
    page = client.get(reverse("basket:summary")).content.decode()
    assert all(product.title in page for product in products)
    assert six == one, (one, six)


def test_a_rendered_listing_counts_its_products_once_until_the_catalogue_changes(client):
    # given a signed-in shopper (rendered pages) on the catalogue
    from django.contrib.auth import get_user_model

    _add_designs(2)
    client.force_login(get_user_model().objects.create_user("maker", "maker@example.com", "x" * 12))
    path = reverse("catalogue:index")
    client.get(path)

    # when the page is rendered again, the paginator's count comes from the cache
    with CaptureQueriesContext(connection) as queries:
        first = client.get(path).content.decode()
    counts = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert not [sql for sql in counts if 'FROM "catalogue_product"' in sql], counts
    assert "<strong>6</strong> results" in first

    # and a new design's products are counted at once, as is a new category in the side column
    from catalog.models import Category

    _add_designs(1, start=2)
    Category.add_root(name="Greenhouses", slug="greenhouses", is_public=True)
    page = client.get(path).content.decode()
    assert "<strong>9</strong> results" in page and "Greenhouses" in page
