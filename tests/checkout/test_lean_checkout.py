"""What the leaner checkout (issue 24) must still do though it asks the database less: an operator's low-stock alert
opens when a sale crosses the threshold, the payment method's type is found again after staff change it, and a
type made in a checkout that failed is not remembered."""

import pytest
from django.db import transaction
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.checkout import services
from tests import factories
from tests.checkout.test_guest_checkout import GUEST

Order = get_model("order", "Order")
SourceType = get_model("payment", "SourceType")
StockAlert = get_model("partner", "StockAlert")


def _buy(client, product, quantity=1, email="guest@example.com"):
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    placed = client.post(reverse("checkout:guest"), {**GUEST, "email": email})
    assert placed.status_code == 302 and "thank-you" in placed["Location"], placed.content.decode()[-600:]


@pytest.mark.django_db
def test_a_sale_that_takes_the_stock_below_its_threshold_opens_one_alert_for_the_operator(client):
    product = factories.product_in_stock(stock=10)
    offer = product.stockrecords.get()
    offer.low_stock_threshold = 5
    offer.save()

    _buy(client, product, quantity=4)  # 6 left: above the threshold
    assert not StockAlert.objects.exists()

    _buy(client, product, quantity=2)  # 4 left
    alert = StockAlert.objects.get()
    assert alert.stockrecord == offer and alert.status == StockAlert.OPEN and alert.threshold == 5

    _buy(client, product)  # 3 left: the alert is open already
    assert StockAlert.objects.count() == 1
    assert product.stockrecords.get().net_stock_level == 3


@pytest.mark.django_db
def test_stock_coming_back_still_closes_the_alert(client):
    product = factories.product_in_stock(stock=3)
    offer = product.stockrecords.get()
    offer.low_stock_threshold = 5
    offer.save()
    _buy(client, product)
    assert StockAlert.objects.get().status == StockAlert.OPEN

    offer.refresh_from_db()
    offer.num_in_stock = 20
    offer.save()  # the operator restocks

    assert StockAlert.objects.get().status == StockAlert.CLOSED


@pytest.mark.django_db(transaction=True)
def test_orders_are_placed_after_staff_remove_the_payment_type(client, seeded):
    product = factories.product_in_stock(stock=5)
    _buy(client, product, email="first@example.com")
    Order.objects.get().sources.all().delete()
    SourceType.objects.filter(code=services.OFFLINE_SOURCE_CODE).delete()

    _buy(client, product, email="second@example.com")

    second = Order.objects.get(guest_email="second@example.com")
    assert second.sources.get().source_type.name == "Bank transfer"


@pytest.mark.django_db(transaction=True)
def test_a_payment_type_made_in_a_checkout_that_failed_is_not_remembered(client, seeded):
    SourceType.objects.filter(code=services.OFFLINE_SOURCE_CODE).delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.payment_source_type(code=services.OFFLINE_SOURCE_CODE, name=services.OFFLINE_SOURCE_NAME)
        raise RuntimeError("the order failed")  # its transaction rolls back, with the type it made

    _buy(client, factories.product_in_stock(stock=5))

    assert Order.objects.get().sources.get().source_type.code == services.OFFLINE_SOURCE_CODE
