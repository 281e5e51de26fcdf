"""Guest and signed-in checkout with the offline payment method, end to end through the test client."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import UserFactory, product_in_stock

Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")

pytestmark = pytest.mark.django_db

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Maker",
    "line1": "1 Workshop Lane",
    "line4": "Maysville",
    "postcode": "64469",
    "country": "US",
    "phone_number": "",
}


def _checkout(client, product, *, guest_email=None, quantity=1):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    if guest_email:
        response = client.post(reverse("checkout:index"), {"username": guest_email, "options": "anonymous"})
        assert response.status_code == 302, response.content.decode()
    response = client.post(reverse("checkout:shipping-address"), ADDRESS)
    assert response.status_code == 302, response.content.decode()
    page = client.get(reverse("checkout:shipping-method"), follow=True)  # one method: chosen for the shopper
    assert "Pay by bank transfer" in page.content.decode()
    return client.post(reverse("checkout:preview"), {"action": "place_order"})


def test_guest_buys_a_product_with_offline_payment(client, django_capture_on_commit_callbacks):
    # given a product with 5 in stock
    product = product_in_stock(title="Seed potatoes, 10 kg", price="18.50", stock=5)

    # when a guest checks out two of them
    with django_capture_on_commit_callbacks(execute=True):
        response = _checkout(client, product, guest_email="guest@example.com", quantity=2)

    # then an order exists, paid offline, the stock is taken and the shopper was emailed once
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.guest_email == "guest@example.com"
    assert order.status == "Pending"
    assert order.total_incl_tax == Decimal("37.00")
    source = order.sources.get()
    assert source.source_type.name == "Bank transfer"
    assert source.amount_allocated == Decimal("37.00")
    stockrecord = product.stockrecords.get()
    assert stockrecord.net_stock_level == 3
    assert [m.to for m in mail.outbox] == [["guest@example.com"]]
    assert order.number in mail.outbox[0].body
    assert CommunicationEvent.objects.filter(order=order, event_type__code="ORDER_PLACED").count() == 1

    thank_you = client.get(response["Location"])
    assert thank_you.status_code == 200
    assert order.number in thank_you.content.decode()


def test_signed_in_customer_checks_out_and_sees_order_in_account(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="maker@example.com")
    client.force_login(user)
    product = product_in_stock(title="CNC circuit mill", price="1450.00", stock=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = _checkout(client, product)

    assert response.status_code == 302
    order = Order.objects.get(user=user)
    assert len(mail.outbox) == 1
    history = client.get(reverse("customer:order-list")).content.decode()
    assert order.number in history


def test_checkout_refuses_more_than_is_in_stock(client):
    product = product_in_stock(title="Open source tablet", stock=1)
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 3}, follow=True)
    assert "a maximum of 1 can be bought" in response.content.decode()
    assert not Order.objects.exists()


def test_order_placed_email_task_is_idempotent(client, django_capture_on_commit_callbacks):
    from marketplace.checkout.tasks import send_order_placed_email_task

    product = product_in_stock(stock=3)
    with django_capture_on_commit_callbacks(execute=True):
        _checkout(client, product, guest_email="twice@example.com")
    order = Order.objects.get()

    send_order_placed_email_task.delay(order_id=order.pk)  # a retry or a duplicate delivery

    assert len(mail.outbox) == 1
    assert CommunicationEvent.objects.filter(order=order).count() == 1
