"""An operator's system receives its storefront's events, signed: a real HTTP server on 127.0.0.1 checks each
request with ``signing.verify`` and the endpoint's secret. The events come from the shop's real paths: a paid order,
a refund from the dashboard, and a sale that takes an offer's last unit."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment.models import OperatorOrder
from marketplace.webhooks import signing
from marketplace.webhooks.models import Delivery, Event
from tests import factories

pytestmark = pytest.mark.django_db


def _received(receiver, endpoint, event_type):
    """The requests of one type the receiver got, each verified with the endpoint's secret, as JSON documents."""
    documents = []
    for request in receiver.requests:
        headers = request["headers"]
        if headers["OSS-Event-Type"] != event_type:
            continue
        assert signing.verify(request["body"], headers["OSS-Signature"], endpoint.secret)
        assert not signing.verify(request["body"], headers["OSS-Signature"], "whsec_someone-else")
        document = json.loads(request["body"])
        assert headers["OSS-Event"] == document["id"] and headers["OSS-Delivery"].startswith("dlv_")
        documents.append(document)
    return documents


@pytest.fixture
def printer(store):
    product = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    product.stockrecords.all().delete()
    store.shipping_charge = Decimal("7.50")
    store.save(update_fields=["shipping_charge"])
    return factories.offer(store, product, price="900.00", stock=3)


@pytest.fixture
def other_store_offer():
    other = factories.storefront("Berlin Fab", city="Berlin")
    product = factories.level_product(factories.design(name="CNC mill", category_name="CNC circuit mills"), 1,
                                      title="CNC mill")  # fmt: skip
    product.stockrecords.all().delete()
    return factories.offer(other, product, price="1400.00", stock=3)


def test_a_paid_order_reaches_the_operator_s_system_signed_with_its_lines_and_no_shopper_e_mail(
    endpoint, receiver, printer, other_store_offer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    order = factories.checkout([printer, other_store_offer], capture=capture, email="ada@example.com")
    assert _received(receiver, endpoint, "part.paid") == []  # placed, not paid: nothing yet

    factories.pay_offline(order, capture=capture)

    [paid] = _received(receiver, endpoint, "part.paid")
    part = OperatorOrder.objects.get(order=order, partner=printer.partner)
    assert paid["type"] == "part.paid" and paid["storefront"] == "apartment-fab"
    data = paid["data"]
    assert data["part"]["id"] == part.pk and data["order"]["number"] == order.number
    assert [(line["sku"], line["quantity"], line["unit_price"], line["line_price"]) for line in data["lines"]] == [
        (printer.partner_sku, 1, "900.00", "900.00")  # its own line only: Berlin's mill is not in it
    ]
    assert data["totals"] == {"lines": "900.00", "shipping": "7.50", "total": "907.50"}
    assert data["ship_to"]["line1"] == "1 Workshop Lane" and data["ship_to"]["country"] == "US"
    assert "ada@example.com" not in receiver.requests[-1]["body"].decode()
    assert Delivery.objects.get(event__type="part.paid").status == Delivery.DELIVERED

    # Paid again (the path runs twice): the same part is never announced twice.
    from marketplace.orderflow import paths

    with capture(execute=True):
        paths.order_paid(order)
    assert len(_received(receiver, endpoint, "part.paid")) == 1


def test_a_refund_from_the_dashboard_reaches_the_operator_s_system(
    endpoint, receiver, printer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    order = factories.pay_offline(factories.checkout([printer], capture=capture), capture=capture)
    part = OperatorOrder.objects.get(order=order)
    line = order.lines.get()
    operator = Client()
    operator.force_login(endpoint.storefront.operator)

    with capture(execute=True):
        operator.post(reverse("fulfilment:refund-part", kwargs={"pk": part.pk}),
                      {f"amount_{line.pk}": "100.00", "reason": "Scratched frame"})  # fmt: skip

    [refunded] = _received(receiver, endpoint, "part.refunded")
    assert refunded["data"]["refund"]["amount"] == "100.00"
    assert refunded["data"]["refund"]["reason"] == "Scratched frame"
    assert refunded["data"]["part"]["id"] == part.pk and refunded["data"]["order"]["number"] == order.number
    assert refunded["data"]["lines"] == [{"line_id": line.pk, "sku": printer.partner_sku, "title": line.title,
                                          "quantity": 0, "amount": "100.00"}]  # fmt: skip


def test_the_sale_of_an_offer_s_last_unit_says_it_is_out_of_stock_once(
    endpoint, receiver, printer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    factories.checkout([printer], capture=capture, quantities={printer.pk: 2})
    assert _received(receiver, endpoint, "offer.out_of_stock") == []  # one left

    factories.checkout([printer], capture=capture)

    [empty] = _received(receiver, endpoint, "offer.out_of_stock")
    assert empty["data"]["offer"] == {
        "id": printer.pk, "sku": printer.partner_sku, "product_id": printer.product_id,
        "product": "D3D printer, assembled",
        "num_in_stock": 3, "num_allocated": 3, "available": 0, "price": "900.00", "currency": "USD",
    }  # fmt: skip


def test_an_operator_s_stock_edit_to_zero_says_so_and_a_restock_does_not(
    endpoint, receiver, printer, django_capture_on_commit_callbacks
):
    operator = Client()
    operator.force_login(endpoint.storefront.operator)
    url = reverse("storefronts:offer-update", kwargs={"pk": printer.pk})
    prefix = f"offer-{printer.pk}"

    def edit(stock):
        with django_capture_on_commit_callbacks(execute=True):
            operator.post(url, {f"{prefix}-price": "900.00", f"{prefix}-num_in_stock": stock,
                                f"{prefix}-sku": printer.partner_sku})  # fmt: skip

    edit(8)
    edit(0)
    edit(0)  # still none: it did not run out again
    assert [event["data"]["offer"]["num_in_stock"] for event in _received(receiver, endpoint, "offer.out_of_stock")] \
        == [0]


def test_a_storefront_with_no_endpoint_for_a_type_writes_no_event(
    store, receiver, printer, django_capture_on_commit_callbacks
):
    from marketplace.webhooks import services

    services.register_endpoint(storefront=store, url=receiver.url, events=["part.refunded"])
    capture = django_capture_on_commit_callbacks
    factories.pay_offline(factories.checkout([printer], capture=capture), capture=capture)
    assert not Event.objects.exists() and receiver.requests == []
