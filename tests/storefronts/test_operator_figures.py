"""Operators who share orders see only their own money: the dashboard home, the order list and the order page
count an operator's own lines and its own part's shipping, never the whole order; staff see the whole orders."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.templatetags.currency_filters import currency

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_orders(two_operators, django_capture_on_commit_callbacks):
    """Order 1: Berlin's printer with Lyon's mill and licence; order 2: Lyon's licence alone."""
    shop = two_operators
    shared = factories.checkout([shop["printer"], shop["mill"], shop["licence"]],
                                capture=django_capture_on_commit_callbacks)  # fmt: skip
    lyon_only = factories.checkout([shop["licence"]], capture=django_capture_on_commit_callbacks, email="b@example.com")
    return shop, shared, lyon_only


# Each operator's own money: its lines and its part's shipping (Berlin 900.00 + 7.50; Lyon 1400.00 + 5000.00 + 4.00)
OWN = {"berlin": {1: Decimal("907.50")}, "lyon": {1: Decimal("6404.00"), 2: Decimal("5000.00")}}


def _own(name, shared, lyon_only):
    return {order: OWN[name][n] for n, order in ((1, shared), (2, lyon_only)) if n in OWN[name]}


def _money(amount, order):
    return currency(amount, order.currency)


@pytest.mark.parametrize("name", ["berlin", "lyon"])
def test_an_operators_dashboard_home_counts_only_its_own_money(client, shared_orders, name):
    shop, shared, lyon_only = shared_orders
    own = _own(name, shared, lyon_only)
    client.force_login(shop[name].operator)

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 200
    revenue = sum(own.values())
    ctx = response.context
    assert ctx["total_orders_last_day"] == ctx["total_orders"] == len(own)
    assert ctx["total_revenue_last_day"] == ctx["total_revenue"] == revenue
    assert ctx["average_order_costs"] == revenue / len(own)
    assert {ctx[name].as_tuple().exponent for name in ("total_revenue", "average_order_costs")} == {-2}  # cents
    assert ctx["total_lines"] == ctx["total_lines_last_day"] == (1 if name == "berlin" else 3)
    chart = ctx["hourly_report_dict"]["order_total_hourly"]
    assert sum(hour["total_incl_tax"] for hour in chart) == revenue
    page = response.content.decode()
    assert _money(revenue, shared) in page
    assert _money(shared.total_incl_tax, shared) not in page  # the shared order's whole total, nor all revenue
    assert _money(shared.total_incl_tax + lyon_only.total_incl_tax, shared) not in page


def test_staff_dashboard_home_counts_whole_orders(client, shared_orders):
    shop, shared, lyon_only = shared_orders
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))

    ctx = client.get(reverse("dashboard:index")).context

    whole = shared.total_incl_tax + lyon_only.total_incl_tax
    assert shared.total_incl_tax == Decimal("7311.50")  # every operator's lines and shipping
    assert ctx["total_orders"] == 2 and ctx["total_revenue"] == ctx["total_revenue_last_day"] == whole
    assert ctx["average_order_costs"] == whole / 2
    assert sum(hour["total_incl_tax"] for hour in ctx["hourly_report_dict"]["order_total_hourly"]) == whole


@pytest.mark.parametrize("name", ["berlin", "lyon"])
def test_an_operators_order_list_and_order_pages_show_only_its_own_money(client, shared_orders, name):
    shop, shared, lyon_only = shared_orders
    own = _own(name, shared, lyon_only)
    client.force_login(shop[name].operator)

    listing = client.get(reverse("dashboard:order-list"))

    assert {order.number: order.operator_total for order in listing.context["orders"]} == {
        order.number: total for order, total in own.items()
    }
    page = listing.content.decode()
    for order, total in own.items():
        assert _money(total, order) in page
    assert _money(shared.total_incl_tax, shared) not in page  # (Lyon's own order is wholly its own)
    for order, total in own.items():
        detail = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))
        assert detail.status_code == 200
        assert detail.context["operator_total"] == total
        page = detail.content.decode()
        assert _money(total, order) in page
        if order == shared:
            assert _money(order.total_incl_tax, order) not in page
            assert _money(order.total_excl_tax, order) not in page


def test_staff_order_list_shows_whole_orders(client, shared_orders):
    shop, shared, lyon_only = shared_orders
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("dashboard:order-list")).content.decode()

    for order in (shared, lyon_only):
        assert _money(order.total_incl_tax, order) in page


@pytest.mark.parametrize("url", ["dashboard:reports-index", "dashboard:order-stats"])
def test_an_operator_is_refused_the_shops_reports_and_statistics_on_the_shops_page(client, shared_orders, url):
    shop, shared, lyon_only = shared_orders
    client.force_login(shop["berlin"].operator)

    response = client.get(reverse(url), {"report_type": "order_report"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this page" in page
    assert _money(shared.total_incl_tax, shared) not in page
