"""Oscar's analytics counters (the dashboard's reports) are rebuilt from the orders and baskets by a beat task, not
written inside shoppers' requests."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.ops.tasks import refresh_analytics_task
from tests.factories import UserFactory, checkout, product_in_stock

ProductRecord = get_model("analytics", "ProductRecord")
UserRecord = get_model("analytics", "UserRecord")

pytestmark = pytest.mark.django_db


def test_adding_to_a_basket_and_ordering_write_no_counter_in_the_shoppers_request(django_capture_on_commit_callbacks):
    product = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)

    checkout([product.stockrecords.get()], capture=django_capture_on_commit_callbacks)

    assert not ProductRecord.objects.exists()
    assert not UserRecord.objects.exists()


def test_the_refresh_counts_what_the_orders_and_baskets_hold_and_running_it_twice_changes_nothing(
    django_capture_on_commit_callbacks,
):
    seeds = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=20)
    press = product_in_stock(title="Compressed earth brick press", price="1500.00", stock=5)
    never_bought = product_in_stock(title="Open source tablet", price="300.00", stock=5)
    ada = UserFactory(email="ada@example.com")
    signed_in = Client()
    signed_in.force_login(ada)
    seeds_offer, press_offer = seeds.stockrecords.get(), press.stockrecords.get()
    checkout([seeds_offer, press_offer], capture=django_capture_on_commit_callbacks, client=signed_in,
             quantities={seeds_offer.pk: 3})  # fmt: skip
    checkout([seeds_offer], capture=django_capture_on_commit_callbacks, quantities={seeds_offer.pk: 2})  # a guest
    Client().post(reverse("basket:add", kwargs={"pk": press.pk}), {"quantity": 1})  # in a basket, not bought

    refresh_analytics_task()
    first = _counters()
    refresh_analytics_task()

    assert _counters() == first
    products, users = first
    assert products == {
        seeds.pk: (5, 2),  # 3 + 2 bought; in two baskets
        press.pk: (1, 2),  # 1 bought; in two baskets
    }
    assert never_bought.pk not in products
    assert users == {ada.pk: (1, 2, 4, 2, Decimal("1555.50"))}


def _counters():
    products = {record.product_id: (record.num_purchases, record.num_basket_additions)
                for record in ProductRecord.objects.all()}  # fmt: skip
    users = {record.user_id: (record.num_orders, record.num_order_lines, record.num_order_items,
                              record.num_basket_additions, record.total_spent)
             for record in UserRecord.objects.all()}  # fmt: skip
    return products, users
