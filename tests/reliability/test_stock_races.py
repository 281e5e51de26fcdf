"""Checkout under concurrency against real PostgreSQL: the last units are sold once, baskets of several hot products
never deadlock at a shopper, and the same checkout posted many times at once places one order.

Shoppers are released together by a barrier, each thread on its own database connection. PostgreSQL here allows
about 100 connections, so, as a real server's worker pool does, at most ``IN_FLIGHT`` requests work on the database
at once (a semaphore around each request) and each thread closes its connection when its request ends.
"""

import random
import threading
import time
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.signing import Signer
from django.db import OperationalError, connection
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from oscar.apps.partner.abstract_models import AbstractStockRecord
from oscar.core.loading import get_class, get_model

from marketplace.partner.models import StockRecord
from tests.checkout.test_stock import _ready_to_place
from tests.factories import product_in_stock

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Selector = get_class("partner.strategy", "Selector")

IN_FLIGHT = 40
PLACE = {"action": "place_order"}


def _shoppers(template: Client, products_per_shopper):
    """One ready-to-order guest per entry of ``products_per_shopper`` (a list of products, in basket order): a copy
    of ``template``'s checkout session (address, shipping, payment method) and a basket of its own."""
    template_data = SessionStore(session_key=template.cookies[settings.SESSION_COOKIE_NAME].value).load()
    shoppers = []
    for products in products_per_shopper:
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        for product in products:
            basket.add_product(product, 1)
        session = SessionStore()
        session.update(template_data)
        session.create()
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        client.cookies[settings.OSCAR_BASKET_COOKIE_OPEN] = Signer().sign(basket.pk)
        shoppers.append(client)
    return shoppers


def _release_together(clients, *, seed=0, data=PLACE):
    """POST place_order from every client at once; returns the responses in client order."""
    start, gate, jitter = threading.Barrier(len(clients)), threading.Semaphore(IN_FLIGHT), random.Random(seed)
    delays = [jitter.uniform(0, 0.005) for _ in clients]
    answers = [None] * len(clients)

    def checkout(index, client):
        start.wait()
        time.sleep(delays[index])
        with gate:
            try:
                answers[index] = client.post(reverse("checkout:preview"), data)
            except Exception as error:  # a 500 in a real server
                answers[index] = error
            finally:
                connection.close()

    threads = [threading.Thread(target=checkout, args=(index, client)) for index, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def _messages(response) -> list[str]:
    cookie = response.cookies.get("messages")
    return [str(message) for message in CookieStorage(HttpRequest())._decode(cookie.value)] if cookie else []


def _outcome(response) -> str:
    """What the shopper saw: ``order``, ``sold out`` (the preview's error, or the basket page's warning), or else
    the response itself, for the assertion message."""
    if isinstance(response, Exception) or response.status_code >= 500:
        return f"server error: {response!r}"
    if response.status_code == 302 and response.url == reverse("checkout:thank-you"):
        return "order"
    body = response.content.decode() if response.status_code == 200 else ""
    if "has just sold out" in body or "left: lower the quantity" in body:
        return "sold out"
    to_basket = response.status_code == 302 and response.url == reverse("basket:summary")
    if to_basket and any("no longer available to buy" in message for message in _messages(response)):
        return "sold out"
    return f"{response.status_code} {getattr(response, 'url', '')} {body[-300:]!r} {_messages(response)}"


def _template_shopper(product, method="bank-transfer"):
    client = Client()
    _ready_to_place(client, product, "shopper@example.com")
    client.post(reverse("checkout:preview"), {"payment_method": method})
    return client


def _last_units(seed, *, shoppers=200, units=10):
    product = product_in_stock(title="Open source tractor kit", stock=units)
    clients = _shoppers(_template_shopper(product), [[product]] * shoppers)
    outcomes = Counter(_outcome(answer) for answer in _release_together(clients, seed=seed))
    return product.stockrecords.get(), outcomes


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_hundred_shoppers_for_the_last_ten_units(seeded, seed):
    # when 200 shoppers order the last 10 units at once
    stock, outcomes = _last_units(seed)

    # then exactly ten orders exist, 190 shoppers were told it sold out, and stock is exactly used up, never beyond
    assert outcomes == {"order": 10, "sold out": 190}, outcomes
    assert Order.objects.count() == 10
    assert (stock.num_in_stock, stock.num_allocated) == (10, 10)
    # order numbers come from basket ids and the database holds them unique (Oscar's Order.number)
    numbers = list(Order.objects.values_list("number", "basket_id"))
    assert all(number == str(100000 + basket_id) for number, basket_id in numbers)
    assert Order._meta.get_field("number").unique


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_race_test_catches_an_unlocked_allocation(seeded, monkeypatch):
    """A test of the test: with Oscar's own allocate (an unconditional ``num_allocated + n``), the same race
    oversells."""
    monkeypatch.setattr(StockRecord, "allocate", AbstractStockRecord.allocate)

    stock, outcomes = _last_units(seed=1)

    assert outcomes["order"] > 10, outcomes
    assert stock.num_allocated > stock.num_in_stock == 10


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_baskets_of_several_hot_products_in_random_order_neither_oversell_nor_deadlock(seeded):
    # given four products with a few units each, and 120 shoppers each with two to four of them in random order
    products = [product_in_stock(title=f"Hot part {index}", stock=15) for index in range(4)]
    pick = random.Random(7)
    baskets = [pick.sample(products, pick.randint(2, 4)) for _ in range(120)]
    clients = _shoppers(_template_shopper(products[0]), baskets)

    # when they all order at once
    outcomes = Counter(_outcome(answer) for answer in _release_together(clients, seed=7))

    # then every shopper got an order or a sold-out answer (no deadlock, no error), and no product is oversold
    assert set(outcomes) <= {"order", "sold out"}, outcomes
    assert outcomes["order"] == Order.objects.count() >= 15
    for product in products:
        stock = product.stockrecords.get()
        sold = sum(line.quantity for line in stock.line_set.all())
        assert sold == stock.num_allocated <= stock.num_in_stock == 15


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_same_card_checkout_posted_fifty_times_places_one_order(seeded, stripe_settings):
    from marketplace.payments.models import StripeIntent

    # given one guest at the card checkout's preview
    product = product_in_stock(title="CEB press", stock=10)
    shopper = _template_shopper(product, method="card")

    # when the same session and basket post place_order fifty times at once
    copies = []
    for _ in range(50):
        copy = Client()
        for key, morsel in shopper.cookies.items():
            copy.cookies[key] = morsel.value
        copies.append(copy)
    outcomes = Counter(_outcome(answer) for answer in _release_together(copies, seed=5))

    # then one order with one PaymentIntent, and every submission lands on that order's thank-you page
    assert outcomes == {"order": 50}, outcomes
    order = Order.objects.get()
    assert StripeIntent.objects.filter(order_number=order.number).count() == StripeIntent.objects.count() == 1
    assert order.sources.get().reference == StripeIntent.objects.get().intent_id
    assert Basket.objects.get().status == Basket.SUBMITTED  # no losing submission thawed the ordered basket
    assert product.stockrecords.get().num_allocated == 1
    thank_you = shopper.get(reverse("checkout:thank-you"))
    assert thank_you.status_code == 200 and order.number in thank_you.content.decode()


@pytest.mark.django_db
def test_a_deadlocked_placement_is_retried(django_capture_on_commit_callbacks, monkeypatch):
    from oscar.apps.order.utils import OrderCreator

    class DeadlockDetected(Exception):
        pgcode = "40P01"

    place, calls = OrderCreator.place_order, []

    def deadlock_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from DeadlockDetected()
        return place(self, *args, **kwargs)

    monkeypatch.setattr(OrderCreator, "place_order", deadlock_once)
    product = product_in_stock(title="Solar turbine", stock=2)
    shopper = _template_shopper(product)

    with django_capture_on_commit_callbacks(execute=True):
        placed = shopper.post(reverse("checkout:preview"), PLACE)

    assert _outcome(placed) == "order" and len(calls) == 2
    assert Order.objects.count() == 1 and product.stockrecords.get().num_allocated == 1
    assert Decimal(Order.objects.get().total_incl_tax) > 0
