"""Stock is allocated inside the order's transaction and never beyond what exists."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout.test_checkout import ADDRESS
from tests.factories import product_in_stock

Order = get_model("order", "Order")


def _ready_to_place(client, product, email, quantity=1):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"), follow=True)


def _place(client):
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


@pytest.mark.django_db
def test_the_loser_of_a_race_gets_a_clear_message_and_keeps_the_basket(django_capture_on_commit_callbacks):
    product = product_in_stock(title="CNC circuit mill", stock=3)
    first, second = Client(), Client()
    _ready_to_place(first, product, "first@example.com", quantity=2)
    _ready_to_place(second, product, "second@example.com", quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        assert _place(first).status_code == 302
        lost = second.post(reverse("checkout:preview"), {"action": "place_order"}, follow=True)

    assert "a maximum of 1 can be bought" in lost.content.decode()
    assert Order.objects.count() == 1
    assert "CNC circuit mill" in second.get(reverse("basket:summary")).content.decode()  # basket kept
    stock = product.stockrecords.get()
    assert (stock.num_in_stock, stock.num_allocated) == (3, 2)


@pytest.mark.django_db
def test_allocation_never_goes_beyond_stock():
    from marketplace.partner.models import InsufficientStock

    stock = product_in_stock(title="Open source tablet", stock=3).stockrecords.get()
    stock.allocate(2)
    with pytest.raises(InsufficientStock, match="only 1 of “Open source tablet” left"):
        stock.allocate(2)
    stock.allocate(1)
    with pytest.raises(InsufficientStock, match="has just sold out"):
        stock.allocate(1)
    stock.refresh_from_db()
    assert stock.num_allocated == 3


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_checkouts_for_the_last_five_units(seeded):
    # given 20 shoppers, each with the product in a basket ready to order, and 5 units left
    product = product_in_stock(title="Seed Eco-Home kit", stock=5)
    shoppers = [Client() for _ in range(20)]
    for index, client in enumerate(shoppers):
        _ready_to_place(client, product, f"shopper{index}@example.com")
    start = threading.Barrier(len(shoppers))
    answers = []

    def checkout(client):
        try:
            start.wait()
            response = _place(client)
            answers.append((response.status_code, response.content.decode()))
        finally:
            connection.close()

    # when they all place their order at once, each on its own database connection
    threads = [threading.Thread(target=checkout, args=(client,)) for client in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then exactly five orders exist, fifteen shoppers were told it sold out, and stock is exactly used up
    assert len(answers) == 20
    assert sum(1 for status, _ in answers if status == 302) == 5
    sold_out = [body for status, body in answers if status == 200 and "has just sold out" in body]
    assert len(sold_out) == 15
    assert Order.objects.count() == 5
    stock = product.stockrecords.get()
    assert stock.num_allocated == 5 and stock.net_stock_level == 0
