"""A parent product is listed while one of its variants is offered, and only then; a catalogue without parents asks
no more than the one EXISTS (PostgreSQL plans the OR of the two as hashed subplans over every offer)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.test.factories import create_product

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rendered(settings):
    settings.PAGE_CACHE_SECONDS = 0


def _listing(client) -> str:
    response = client.get(reverse("catalogue:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_parent_is_listed_through_its_offered_variant_and_not_without_one(client):
    factories.product_in_stock(title="Seed potatoes, 10 kg")
    tee = create_product(title="Workshop tee", structure="parent")
    small = create_product(title="Workshop tee, small", structure="child", parent=tee)
    assert "Workshop tee" not in _listing(client)  # no variant offered yet
    offer = factories.add_offer(small, price="15.00")
    assert "Workshop tee" in _listing(client) and "Seed potatoes" in _listing(client)
    offer.delete()
    assert "Workshop tee" not in _listing(client)


def _listing_sql(client) -> str:
    _listing(client)
    with CaptureQueriesContext(connection) as queries:
        _listing(client)
    return next(query["sql"] for query in queries if query["sql"].startswith('SELECT "catalogue_product"."id"')
                and "ORDER BY" in query["sql"])  # fmt: skip


def test_a_catalogue_without_parents_asks_only_whether_the_product_itself_is_offered(client):
    factories.product_in_stock(title="Seed potatoes, 10 kg")
    variant_clause = re.compile(r'"parent_id" = \("catalogue_product"\."id"\)')
    assert not variant_clause.search(_listing_sql(client))
    create_product(title="Workshop tee", structure="parent")
    assert variant_clause.search(_listing_sql(client))  # a parent in the catalogue: its variants are asked too
