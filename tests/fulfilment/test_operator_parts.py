"""Each operator's lines in an order form its part: its own shipping charge and status, changed only by that
operator; the shopper sees the order grouped by operator."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from marketplace.fulfilment.models import LineFulfilment, OperatorOrder
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_operator_charges_its_own_shipping_once(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout(
        [two_operators["printer"], two_operators["licence"]], capture=django_capture_on_commit_callbacks
    )
    parts = {part.partner.name: part for part in OperatorOrder.objects.filter(order=order)}
    # Berlin ships a printer; Lyon's licence ships nothing, so Lyon charges no shipping.
    assert parts["Berlin Fab"].shipping_charge == Decimal("7.50") and parts["Berlin Fab"].needs_shipping
    assert parts["Lyon Fab"].shipping_charge == Decimal("0.00") and not parts["Lyon Fab"].needs_shipping
    assert order.shipping_incl_tax == Decimal("7.50")
    assert order.total_incl_tax == Decimal("5907.50")
    assert {part.status for part in parts.values()} == {OperatorOrder.AWAITING_PAYMENT}


def test_two_physical_parts_add_both_charges(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert order.shipping_incl_tax == Decimal("11.50")
    assert sorted(OperatorOrder.objects.filter(order=order).values_list("shipping_charge", flat=True)) == [
        Decimal("4.00"), Decimal("7.50"),
    ]  # fmt: skip


def test_a_paid_order_starts_fulfilment_and_allocation(two_operators, django_capture_on_commit_callbacks):
    from marketplace.revenue.models import JournalEntry

    order = factories.checkout([two_operators["printer"], two_operators["licence"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    assert not LineFulfilment.objects.filter(line__order=order).exists()  # nothing before payment
    mail.outbox.clear()
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)

    parts = {part.partner.name: part.status for part in OperatorOrder.objects.filter(order=order)}
    # Berlin has a printer to ship; Lyon's licence is delivered at once, so its part is complete.
    assert parts == {"Berlin Fab": OperatorOrder.TO_FULFIL, "Lyon Fab": OperatorOrder.COMPLETE}
    states = {f.line.partner_name: (f.kind, f.state) for f in LineFulfilment.objects.filter(line__order=order)}
    assert states == {
        "Berlin Fab": (LineFulfilment.SHIPMENT, LineFulfilment.AWAITING_SHIPMENT),
        "Lyon Fab": (LineFulfilment.LICENCE, LineFulfilment.DONE),
    }
    assert JournalEntry.objects.filter(order=order, kind=JournalEntry.ALLOCATION).count() == 1
    subjects = sorted(message.subject for message in mail.outbox)
    assert sum("is paid: your part" in subject for subject in subjects) == 2  # each operator told once
    to_berlin = [two_operators["berlin"].operator.email]
    [berlin] = [m for m in mail.outbox if "is paid: your part" in m.subject and m.to == to_berlin]
    assert "1 × " in berlin.body and "Ship to:" in berlin.body  # what to send, and where
    assert f"/dashboard/orders/{order.number}/" in berlin.body  # the order's page, to ship it from
    assert any(subject.startswith("Your distribution licence OSE-L-") for subject in subjects)


def test_the_shopper_sees_the_order_grouped_by_operator(two_operators, django_capture_on_commit_callbacks):
    shopper = factories.UserFactory(email="ada@example.com")
    client = Client()
    client.force_login(shopper)
    order = factories.checkout([two_operators["printer"], two_operators["licence"]],
                               capture=django_capture_on_commit_callbacks, client=client)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    berlin = page.index("Berlin Fab")
    lyon = page.index("Lyon Fab")
    assert page.index("D3D printer, assembled") > berlin and "Paid, being prepared" in page
    assert "CNC mill distribution licence" in page[lyon:] and "Nothing to ship" in page[lyon:]
    assert "OSE-L-" in page  # the licence number links to its public page


def test_a_guest_sees_its_order_grouped_by_operator(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"], two_operators["licence"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    guest = Client()  # the guest's status page asks for the order's email first
    asked = guest.get(reverse("customer:anon-order", kwargs={"order_number": order.number,
                                                             "hash": order.verification_hash()}))  # fmt: skip
    shown = guest.post(asked["Location"], {"email": order.email}, follow=True).content.decode()
    assert "Berlin Fab" in shown and "Lyon Fab" in shown and "Paid, being prepared" in shown


def test_an_operator_ships_its_own_part_only(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks)  # fmt: skip
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    berlin_part = OperatorOrder.objects.get(order=order, partner=two_operators["berlin"].partner)
    lyon_part = OperatorOrder.objects.get(order=order, partner=two_operators["lyon"].partner)
    client = Client()
    client.force_login(two_operators["berlin"].operator)
    url = reverse("fulfilment:part-status", kwargs={"pk": berlin_part.pk})

    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert f'id="dashboard-part-{berlin_part.pk}"' in page and f'id="dashboard-part-{lyon_part.pk}"' not in page

    no_tracking = client.post(url, {"status": "shipped"}, follow=True).content.decode()
    assert "Give the carrier and the tracking number" in no_tracking
    assert OperatorOrder.objects.get(pk=berlin_part.pk).status == OperatorOrder.TO_FULFIL

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "shipped", "carrier": "DHL", "tracking_number": "JD0123"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"status": "shipped", "carrier": "DHL", "tracking_number": "JD0123"})  # a double click
    berlin_part.refresh_from_db()
    assert (berlin_part.status, berlin_part.tracking_number) == (OperatorOrder.SHIPPED, "JD0123")
    assert [m.subject for m in mail.outbox] == [f"Order {order.number}: Berlin Fab shipped your goods"]
    assert "JD0123" in mail.outbox[0].body
    # shipped, not delivered: the parcel is on its way (test_delivered.py says when it arrives)
    assert LineFulfilment.objects.get(line__order=order, line__partner_name="Berlin Fab").state == (
        LineFulfilment.SHIPPED
    )
    assert LineFulfilment.objects.get(line__order=order, line__partner_name="Lyon Fab").state == (
        LineFulfilment.AWAITING_SHIPMENT
    )

    other = client.post(reverse("fulfilment:part-status", kwargs={"pk": lyon_part.pk}), {"status": "complete"})
    assert other.status_code == 404
    assert OperatorOrder.objects.get(pk=lyon_part.pk).status == OperatorOrder.TO_FULFIL
    backwards = client.post(url, {"status": "to_fulfil"}, follow=True).content.decode()
    assert "cannot become" in backwards


def test_operators_cannot_move_an_unpaid_part(two_operators, django_capture_on_commit_callbacks):
    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    part = OperatorOrder.objects.get(order=order)
    client = Client()
    client.force_login(two_operators["berlin"].operator)
    page = client.post(reverse("fulfilment:part-status", kwargs={"pk": part.pk}),
                       {"status": "shipped", "carrier": "DHL", "tracking_number": "1"}, follow=True)  # fmt: skip
    assert "cannot become" in page.content.decode()
    assert OperatorOrder.objects.get(pk=part.pk).status == OperatorOrder.AWAITING_PAYMENT
