"""One basket, three operators: one order whose lines keep their operators; each operator sees only its own."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests import factories
from tests.checkout.test_checkout import ADDRESS

Order = get_model("order", "Order")
pytestmark = pytest.mark.django_db


@pytest.fixture
def three_operators():
    printer = factories.level_product(factories.design(name="D3D printer"), 1, title="D3D printer, assembled")
    mill = factories.level_product(factories.design(name="CNC mill", category_name="CNC circuit mills"), 1,
                                   title="CNC mill, assembled")  # fmt: skip
    for product in (printer, mill):
        product.stockrecords.all().delete()
    stores = [factories.storefront(name, city=city) for name, city in
              (("Berlin Fab", "Berlin"), ("Lyon Fab", "Lyon"), ("Nairobi Fab", "Nairobi"))]  # fmt: skip
    offers = {
        "berlin-printer": factories.offer(stores[0], printer, price="900.00"),
        "lyon-printer": factories.offer(stores[1], printer, price="910.00"),
        "nairobi-mill": factories.offer(stores[2], mill, price="1400.00"),
    }
    return stores, offers


def test_a_basket_from_three_operators_checks_out_into_one_order(
    client, three_operators, django_capture_on_commit_callbacks
):
    stores, offers = three_operators
    for offer in offers.values():
        response = client.post(
            reverse("basket:add", kwargs={"pk": offer.product_id}), {"quantity": 1, "offer": offer.pk}
        )
        assert response.status_code == 302
    client.post(reverse("checkout:index"), {"username": "buyer@example.com", "options": "anonymous"})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"), follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert placed.status_code == 302

    order = Order.objects.get()
    assert sorted((line.partner.name, str(line.line_price_incl_tax)) for line in order.lines.all()) == [
        ("Berlin Fab", "900.00"), ("Lyon Fab", "910.00"), ("Nairobi Fab", "1400.00"),
    ]  # fmt: skip
    assert {line.stockrecord_id for line in order.lines.all()} == {offer.pk for offer in offers.values()}
    for offer in offers.values():
        offer.refresh_from_db()
        assert offer.num_allocated == 1


def _order_with_three_operators(three_operators):
    from oscar.test.factories import create_order

    stores, offers = three_operators
    order = create_order(user=factories.UserFactory(email="buyer@example.com"))
    order.lines.all().delete()
    for offer in offers.values():
        order.lines.create(
            partner=offer.partner, partner_name=offer.partner.name, partner_sku=offer.partner_sku,
            stockrecord=offer, product=offer.product, title=offer.product.title, quantity=1, num_allocated=1,
            line_price_incl_tax=offer.price, line_price_excl_tax=offer.price,
            line_price_before_discounts_incl_tax=offer.price, line_price_before_discounts_excl_tax=offer.price,
        )  # fmt: skip
    return order


def test_each_operator_dashboard_shows_only_its_own_lines(client, three_operators):
    stores, offers = three_operators
    order = _order_with_three_operators(three_operators)
    for store, own, others in (
        (stores[0], "Berlin Fab", ("Lyon Fab", "Nairobi Fab")),
        (stores[2], "Nairobi Fab", ("Berlin Fab", "Lyon Fab")),
    ):
        client.force_login(store.operator)
        assert str(order.number) in client.get(reverse("dashboard:order-list")).content.decode()
        html = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
        lines_tab = html.split('id="lines"')[1].split('id="shipping"')[0] if 'id="shipping"' in html else html
        assert own in lines_tab
        for name in others:
            assert name not in lines_tab


def test_an_operator_takes_no_oscar_line_action_on_any_line(client, three_operators):
    stores, offers = three_operators
    order = _order_with_three_operators(three_operators)
    own = order.lines.get(partner=stores[0].partner)
    theirs = order.lines.get(partner=stores[1].partner)
    client.force_login(stores[0].operator)
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})
    shipped = {"line_action": "create_shipping_event", "shipping_event_type": "shipped", "reference": "TRACK-X"}

    # another operator's line is none of its lines to choose
    refused = client.post(url, {**shipped, "selected_line": [theirs.pk], f"selected_line_qty_{theirs.pk}": 1},
                          follow=True)  # fmt: skip
    assert "Choose the lines to act on" in refused.content.decode()
    # Oscar's line events bypass its part (totals, stock, payments): refused, saying which form to use
    own_event = client.post(url, {**shipped, "selected_line": [own.pk], f"selected_line_qty_{own.pk}": 1})
    assert own_event.status_code == 403 and "Your part of this order" in own_event.content.decode()
    assert not order.shipping_events.exists()
    # (its part's own form ships it with a tracking number: tests/fulfilment/test_operator_parts.py)


def test_operators_see_their_own_lines_total_never_the_orders_total(client, three_operators):
    stores, offers = three_operators
    order = _order_with_three_operators(three_operators)
    order.total_incl_tax = order.total_excl_tax = Decimal("3210.00")
    order.save()
    client.force_login(stores[0].operator)  # Berlin sold one line at 900.00

    listing = client.get(reverse("dashboard:order-list")).content.decode()
    detail = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    for html in (listing, detail):
        assert "$900.00" in html
        assert "3,210.00" not in html and "1,400.00" not in html and "910.00" not in html
    data = {"action": "download_selected_orders", "selected_order": [order.pk]}
    download = client.post(reverse("dashboard:order-list"), data, follow=True)
    assert "Order downloads are for staff" in download.content.decode()
    assert download["Content-Type"].startswith("text/html")


def test_staff_still_see_the_whole_order(client, three_operators):
    order = _order_with_three_operators(three_operators)
    order.total_incl_tax = Decimal("3210.00")
    order.save()
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()
    assert "3,210.00" in html and "Lyon Fab" in html and "Nairobi Fab" in html


def test_an_operators_order_page_offers_only_what_it_may_do(client, three_operators):
    stores, offers = three_operators
    order = _order_with_three_operators(three_operators)
    client.force_login(stores[0].operator)

    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number})).content.decode()

    # no form that would be refused: notes, order statuses, Oscar's line actions; no empty whole-order tabs
    for absent in ('value="save_note"', 'value="change_order_status"', 'name="line_action"', 'href="#notes"',
                   'href="#payment"', 'href="#discounts"'):
        assert absent not in page, absent
    assert "Order contents" in page
