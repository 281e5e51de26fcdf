"""The offline method: an order becomes paid only when staff, or the one operator who sold every line, confirm
that the bank transfer arrived; confirming twice changes nothing."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests import factories
from tests.checkout.test_checkout import ADDRESS

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


def _place_order(offers, capture) -> "Order":
    shopper = Client()
    for offer in offers:
        shopper.post(reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk})
    shopper.post(reverse("checkout:index"), {"username": "buyer@example.com", "options": "anonymous"})
    shopper.post(reverse("checkout:shipping-address"), ADDRESS)
    shopper.get(reverse("checkout:shipping-method"), follow=True)
    with capture(execute=True):
        assert shopper.post(reverse("checkout:preview"), {"action": "place_order"}).status_code == 302
    return Order.objects.latest("pk")


@pytest.fixture
def operators():
    printer = factories.level_product(factories.design(name="D3D printer"), 1)
    mill = factories.level_product(factories.design(name="CNC mill", category_name="CNC circuit mills"), 1)
    for product in (printer, mill):
        product.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    return {
        "berlin": berlin, "lyon": lyon,
        "berlin-printer": factories.offer(berlin, printer, price="900.00"),
        "lyon-mill": factories.offer(lyon, mill, price="1400.00"),
    }  # fmt: skip


def _confirm(client, order, reference="SEPA 4711"):
    url = reverse("payments:confirm-offline", kwargs={"number": order.number})
    return client.post(url, {"reference": reference}, follow=True)


def test_staff_confirm_the_transfer_and_the_order_is_paid_once(client, operators, django_capture_on_commit_callbacks):
    order = _place_order([operators["berlin-printer"], operators["lyon-mill"]], django_capture_on_commit_callbacks)
    assert order.status == "Pending"
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert "Confirm payment received" in page

    assert "confirmed: the order is paid" in _confirm(client, order).content.decode()
    _confirm(client, order)  # a second click, or a retry

    order.refresh_from_db()
    source = order.sources.get()
    assert order.status == "Paid"
    assert source.amount_debited == Decimal("2300.00")
    assert source.transactions.count() == 1 and order.payment_events.count() == 1
    assert order.payment_events.get().reference == "SEPA 4711"


def test_the_operator_who_sold_every_line_may_confirm(client, operators, django_capture_on_commit_callbacks):
    order = _place_order([operators["berlin-printer"]], django_capture_on_commit_callbacks)
    client.force_login(operators["berlin"].operator)
    _confirm(client, order)
    order.refresh_from_db()
    assert order.status == "Paid"


def test_an_operator_cannot_confirm_a_shared_order(client, operators, django_capture_on_commit_callbacks):
    order = _place_order([operators["berlin-printer"], operators["lyon-mill"]], django_capture_on_commit_callbacks)
    client.force_login(operators["berlin"].operator)
    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert "Confirm payment received" not in page
    url = reverse("payments:confirm-offline", kwargs={"number": order.number})
    assert client.post(url, {"reference": "fake"}).status_code == 403
    order.refresh_from_db()
    assert order.status == "Pending" and order.sources.get().amount_debited == 0


def test_shoppers_and_visitors_cannot_mark_their_order_paid(client, operators, django_capture_on_commit_callbacks):
    order = _place_order([operators["berlin-printer"]], django_capture_on_commit_callbacks)
    url = reverse("payments:confirm-offline", kwargs={"number": order.number})
    assert client.post(url).status_code == 302  # to sign in
    client.force_login(factories.UserFactory(email="buyer@example.com"))
    assert client.post(url).status_code == 404  # not the shopper's to see on the dashboard
    order.refresh_from_db()
    assert order.status == "Pending"
