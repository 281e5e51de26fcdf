"""The basket's prices: the first add to basket reads little, later lines are read back whole, and the site's offers
(read from the cache) apply, change and end exactly when the shop says."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_offer

from tests.factories import product_in_stock

ConditionalOffer = get_model("offer", "ConditionalOffer")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def _add(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302, response.content.decode()


def _basket_page(client) -> str:
    return client.get(reverse("basket:summary")).content.decode()


def test_a_guests_first_add_to_basket_asks_the_database_little():
    product = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)
    offer = product.stockrecords.get()
    Client().get(reverse("basket:summary"))  # an earlier shopper's basket read the site's offers (none), kept
    client = Client()

    with CaptureQueriesContext(connection) as queries:  # the product page's "Add" button: this offer, two of it
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2, "offer": offer.pk})

    # the offer with its product, the new basket, its line: nothing read back that was just written
    assert response.status_code == 302
    assert len(queries) == 3, "\n".join(q["sql"] for q in queries.captured_queries)
    line = Basket.objects.get().lines.get()
    assert (line.product, line.quantity, line.price_incl_tax) == (product, 2, Decimal("18.50"))
    assert "$37.00" in _basket_page(client)


def test_a_second_product_joins_the_lines_already_in_the_basket():
    seeds = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)
    press = product_in_stock(title="Compressed earth brick press", price="1500.00", stock=2)
    client = Client()
    _add(client, seeds)
    _add(client, press)
    _add(client, seeds)  # the same product again: its line's quantity grows

    page = _basket_page(client)
    assert "Seed potatoes, 10 kg" in page and "Compressed earth brick press" in page
    assert "$1,537.00" in page
    lines = Basket.objects.get().lines.order_by("pk")
    assert [(line.product, line.quantity) for line in lines] == [(seeds, 2), (press, 1)]


def test_a_new_site_offer_prices_every_basket_at_once_and_stops_when_suspended():
    product = product_in_stock(title="Seed potatoes, 10 kg", price="20.00", stock=5)
    client = Client()
    _add(client, product)
    assert "$20.00" in _basket_page(client)  # no offer yet, and that answer is cached

    offer = create_offer(name="Planting season")  # 20% off everything

    page = _basket_page(client)
    assert "Planting season" in page
    assert "$16.00" in page
    offer.status = ConditionalOffer.SUSPENDED
    offer.save()
    page = _basket_page(client)
    assert "Planting season" not in page
    assert "$16.00" not in page


def test_a_cached_offer_ends_on_time():
    product = product_in_stock(title="Seed potatoes, 10 kg", price="20.00", stock=5)
    end = timezone.now() + timedelta(hours=1)
    create_offer(name="Planting season", end=end)
    client = Client()
    _add(client, product)
    assert "Planting season" in _basket_page(client)  # read once, kept for a minute

    with mock.patch("django.utils.timezone.now", return_value=end + timedelta(seconds=1)):
        page = _basket_page(client)
    assert "Planting season" not in page
    assert "$16.00" not in page


def test_the_site_offers_are_read_from_the_database_while_the_cache_is_down(settings):
    from marketplace.offer.applicator import Applicator

    create_offer(name="Planting season")
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }}  # fmt: skip

    assert [offer.name for offer in Applicator().get_site_offers()] == ["Planting season"]


def test_a_guests_basket_moves_to_the_shopper_at_sign_in_and_takes_more_of_the_same():
    from tests.factories import UserFactory

    seeds = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=20)
    ada = UserFactory(email="ada@example.com")  # no basket of her own yet
    client = Client()
    _add(client, seeds, quantity=2)  # as a guest

    client.force_login(ada)
    _add(client, seeds)  # the first request signed in opens her basket, merges the guest's, then adds one more

    basket = Basket.objects.get(owner=ada, status=Basket.OPEN)
    assert [(line.product, line.quantity) for line in basket.lines.all()] == [(seeds, 3)]
    assert "$55.50" in _basket_page(client)


@pytest.mark.parametrize("name_the_offer", [False, True])
def test_a_product_that_is_not_public_cannot_be_put_in_a_basket_by_its_id(name_the_offer):
    """A product hidden from the shop (a draft, an operator's one-off quote for a repair) is sold only where the shop
    puts it in a basket itself: posting its id to the add-to-basket form finds nothing."""
    product = product_in_stock(title="Quote: new bearings", price="80.00", stock=1)
    product.is_public = False
    product.save()
    client = Client()
    data = {"quantity": 1, **({"offer": product.stockrecords.get().pk} if name_the_offer else {})}
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), data)
    assert response.status_code == 404
    assert "Quote: new bearings" not in _basket_page(client)
