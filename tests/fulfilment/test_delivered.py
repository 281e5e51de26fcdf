"""Shipped means shipped: a parcel is delivered later, when the shopper says it arrived, the operator marks it, or
the days allowed for delivery pass; the order is complete once every part is delivered (issue 21, item 5)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.fulfilment import services
from marketplace.fulfilment.models import LineFulfilment, OperatorOrder
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_order(two_operators, django_capture_on_commit_callbacks):
    """A signed-in shopper's paid order of Berlin's printer and Lyon's mill; Berlin has shipped its part."""
    shopper = factories.UserFactory(email="maker@example.com")
    client = Client()
    client.force_login(shopper)
    order = factories.checkout([two_operators["printer"], two_operators["mill"]], client=client,
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    berlin = OperatorOrder.objects.get(order=order, partner=two_operators["berlin"].partner)
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(part_id=berlin.pk, actor=two_operators["berlin"].operator,
                               status=OperatorOrder.SHIPPED, carrier="DHL", tracking_number="00340434161234567890")
    lyon = OperatorOrder.objects.get(order=order, partner=two_operators["lyon"].partner)
    return {"order": order, "client": client, "berlin": berlin, "lyon": lyon, "operators": two_operators}


def _state(part):
    part.refresh_from_db()
    return part.status, sorted(LineFulfilment.objects.filter(line__order=part.order, line__partner=part.partner)
                               .values_list("state", flat=True))  # fmt: skip


def test_a_shipped_part_is_shipped_not_delivered_on_every_page(shipped_order):
    order, client = shipped_order["order"], shipped_order["client"]
    assert _state(shipped_order["berlin"]) == (OperatorOrder.SHIPPED, [LineFulfilment.SHIPPED])
    order.refresh_from_db()
    assert order.status == "Paid"

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    assert "Shipment: Shipped" in page and "Shipment: Delivered" not in page
    assert 'tracking-id=00340434161234567890" rel="noopener noreferrer" target="_blank" class="tracking-link">' in page
    assert page.count("I received it") == 1  # only the shipped part asks


def test_the_shopper_confirms_delivery_and_the_order_completes_with_its_last_part(
    shipped_order, django_capture_on_commit_callbacks
):
    order, client = shipped_order["order"], shipped_order["client"]
    confirm = reverse("fulfilment:confirm-delivery", kwargs={"pk": shipped_order["berlin"].pk})

    page = client.post(confirm, follow=True)

    assert "marked delivered" in page.content.decode()
    assert _state(shipped_order["berlin"]) == (OperatorOrder.COMPLETE, [LineFulfilment.DONE])
    order.refresh_from_db()
    assert order.status == "Paid"  # Lyon's mill is still to ship
    assert client.post(confirm).status_code == 302  # confirming twice changes nothing
    assert shipped_order["berlin"].events.filter(status=OperatorOrder.COMPLETE).count() == 1

    # Lyon ships and marks its part delivered itself: the whole order is complete
    lyon, operator = shipped_order["lyon"], shipped_order["operators"]["lyon"].operator
    services.change_status(part_id=lyon.pk, actor=operator, status=OperatorOrder.SHIPPED, carrier="UPS",
                           tracking_number="1Z999")  # fmt: skip
    services.change_status(part_id=lyon.pk, actor=operator, status=OperatorOrder.COMPLETE)
    order.refresh_from_db()
    assert order.status == "Complete"
    assert _state(lyon) == (OperatorOrder.COMPLETE, [LineFulfilment.DONE])


def test_nobody_but_the_shopper_confirms_and_only_a_shipped_part(shipped_order):
    berlin, lyon = shipped_order["berlin"], shipped_order["lyon"]
    stranger = Client()
    stranger.force_login(factories.UserFactory(email="stranger@example.com"))
    assert stranger.post(reverse("fulfilment:confirm-delivery", kwargs={"pk": berlin.pk})).status_code == 404
    assert Client().post(reverse("fulfilment:confirm-delivery", kwargs={"pk": berlin.pk})).status_code == 302  # login

    page = shipped_order["client"].post(reverse("fulfilment:confirm-delivery", kwargs={"pk": lyon.pk}), follow=True)
    assert "Only a part that has been shipped" in page.content.decode()
    assert _state(berlin)[0] == OperatorOrder.SHIPPED and _state(lyon)[0] == OperatorOrder.TO_FULFIL


def test_a_part_nobody_marks_is_delivered_after_the_days_allowed(shipped_order, settings):
    settings.DELIVERED_AFTER_DAYS = 14
    berlin = shipped_order["berlin"]
    berlin.refresh_from_db()
    shipped_at = berlin.shipped_at

    assert services.deliver_shipped_parts(now=shipped_at + timedelta(days=13)) == 0
    assert _state(berlin)[0] == OperatorOrder.SHIPPED

    assert services.deliver_shipped_parts(now=shipped_at + timedelta(days=15)) == 1
    assert _state(berlin) == (OperatorOrder.COMPLETE, [LineFulfilment.DONE])
    assert services.deliver_shipped_parts(now=timezone.now() + timedelta(days=30)) == 0  # run twice: nothing more
    assert "14 days after shipping" in berlin.events.get(status=OperatorOrder.COMPLETE).note


def test_a_part_refunded_in_full_cannot_be_shipped(two_operators, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from marketplace.fulfilment import refunds, services

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    part, line = order.operator_orders.get(), order.lines.get()
    operator = two_operators["berlin"].operator
    refunds.request_refund(part_id=part.pk, actor=operator, amounts={line.pk: Decimal("900.00")}, reason="Sold out")
    with pytest.raises(ValidationError, match="Every line of this part was refunded"):
        services.change_status(part_id=part.pk, actor=operator, status="shipped", carrier="UPS", tracking_number="1Z")


def test_staff_status_form_offers_no_complete_and_no_cancelled_once_paid(two_operators,
                                                                         django_capture_on_commit_callbacks):
    from django.test import Client
    from django.urls import reverse

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    staff = Client()
    staff.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    pending = staff.get(url).content.decode().split('id="order_status_form"', 1)[1].split("</form>", 1)[0]
    assert 'value="Cancelled"' in pending and 'value="Complete"' not in pending
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    paid = staff.get(url).content.decode().split('id="order_status_form"', 1)[1].split("</form>", 1)[0]
    assert 'value="Cancelled"' not in paid and 'value="Complete"' not in paid
    refused = staff.post(url, {"order_action": "change_order_status", "new_status": "Complete"}, follow=True)
    assert "An order completes by itself" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == "Paid"


def test_shipping_takes_the_goods_out_of_stock_and_ends_their_allocation(shipped_order, two_operators):
    """Oscar's allocation: a sale holds the units (allocated) until they leave; shipping takes them out of stock.
    Without it, shipped units stayed "allocated to orders not yet shipped" forever, and an operator could never set
    its stock below every unit it had ever sold."""
    printer = two_operators["printer"]
    printer.refresh_from_db()
    assert printer.num_allocated == 0
    assert printer.num_in_stock == 4  # the factory's 5, one shipped
    mill = two_operators["mill"]  # Lyon's part has not shipped: its unit is still held
    mill.refresh_from_db()
    assert (mill.num_in_stock, mill.num_allocated) == (5, 1)
