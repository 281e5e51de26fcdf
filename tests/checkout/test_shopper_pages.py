"""Smaller things a shopper met: re-ordering from an order page, an unknown certificate number, the thank-you page
without Oscar's progress bar, counts in words."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_customer_buys_an_order_again_from_its_page(two_operators, django_capture_on_commit_callbacks):
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="again@example.com"))
    order = factories.checkout([two_operators["printer"], two_operators["mill"]],
                               capture=django_capture_on_commit_callbacks, client=shopper)  # fmt: skip
    page = shopper.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    assert 'id="reorder-all"' in page and page.count('class="btn btn-sm btn-link p-0 ml-1 reorder-line"') == 2

    shopper.post(reverse("customer:order", kwargs={"order_number": order.number}),
                 {"order_id": order.pk, "action": "reorder"})  # fmt: skip
    basket = shopper.get(reverse("basket:summary")).content.decode()
    assert "D3D printer, assembled" in basket and "CNC mill, assembled" in basket


def test_an_unknown_certificate_number_is_said_to_be_unknown(client):
    page = client.get(reverse("certification:certificate", kwargs={"public_id": "OSE-2026-999999"}))
    content = page.content.decode()
    assert page.status_code == 404 and "UNKNOWN: no OSE Certified certificate has the number" in content
    assert reverse("certification:directory") in content


def test_a_certificate_is_found_in_any_letter_case(client):
    certificate = factories.certify(factories.design())
    page = client.get(reverse("certification:certificate", kwargs={"public_id": certificate.public_id.lower()}))
    assert page.status_code == 200 and "VALID now" in page.content.decode()


def test_the_thank_you_page_has_no_progress_bar(client, two_operators, django_capture_on_commit_callbacks):
    client.force_login(factories.UserFactory(email="thanks@example.com"))
    factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks, client=client)
    page = client.get(reverse("checkout:thank-you")).content.decode()
    assert "Confirmation" not in page.split('id="order-parts"')[0].split("</header>")[-1]
    assert "5." not in page.split('id="order-parts"')[0].split("</header>")[-1]


def test_one_design_is_one_design(client):
    factories.design(name="Lone design")
    assert "<strong>1</strong> design</p>" in client.get(reverse("designs:list")).content.decode()


def test_the_order_history_shows_each_orders_status(two_operators, django_capture_on_commit_callbacks):
    shopper = Client()
    shopper.force_login(factories.UserFactory(email="history@example.com"))
    waiting = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks, client=shopper)
    paid = factories.checkout([two_operators["mill"]], capture=django_capture_on_commit_callbacks, client=shopper)
    factories.pay_offline(paid, capture=django_capture_on_commit_callbacks)
    page = shopper.get(reverse("customer:order-list")).content.decode()
    rows = {number: page.split(f">{number}</a>", 1)[1].split("</tr>", 1)[0] for number in (waiting.number, paid.number)}
    assert '<td class="order-status">Pending</td>' in rows[waiting.number]
    assert '<td class="order-status">Paid</td>' in rows[paid.number]
