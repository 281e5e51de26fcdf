"""An operator signs in, ships its line of a two-operator order with a tracking number, and sees its ledger balance
change once the order is paid; the shopper sees the tracking number. The operator then refunds part of its line with
a reason and marks its parcel delivered; the shopper sees both."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from marketplace.fulfilment.models import OperatorOrder
from marketplace.revenue import selectors as revenue_selectors
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_operator_ships_its_line_and_sees_its_ledger(journey, two_operators, django_capture_on_commit_callbacks):
    # given a guest's order of Berlin's printer and Lyon's licence, placed but not yet paid
    journey = journey("operator")
    capture = django_capture_on_commit_callbacks
    order = factories.checkout([two_operators["printer"], two_operators["licence"]], capture=capture)
    berlin = two_operators["berlin"]

    operator = journey.person(berlin.operator.email)
    operator.goto("/dashboard/revenue/")
    expect(operator.locator("#ledger-balance")).to_have_text("$0.00")
    journey.screenshot(operator, "01-ledger-before")

    # when the bank transfer arrives
    factories.pay_offline(order, capture=capture)

    # then the operator finds the order among its own and sees only its own part of it
    operator.goto("/dashboard/orders/")
    operator.get_by_role("link", name=order.number).first.click()
    operator.wait_for_url(f"**/dashboard/orders/{order.number}/")
    parts = operator.locator("#dashboard-parts .dashboard-part")
    expect(parts).to_have_count(1)
    expect(parts).to_contain_text("Berlin Fab")
    expect(parts.locator(".part-status")).to_have_text("Paid, being prepared")
    expect(operator.locator("#operator-lines")).not_to_contain_text("CNC mill distribution licence")
    journey.screenshot(operator, "02-order-to-ship", phone=True)

    # and ships it with a tracking number
    form = parts.locator(".part-status-form")
    form.locator("select[name=status]").select_option(label="Shipped")
    form.locator("input[name=carrier]").fill("DHL")
    form.locator("input[name=tracking_number]").fill("JD014600003828")
    form.get_by_role("button", name="Update").click()
    expect(parts.locator(".part-status")).to_have_text("Shipped")
    expect(parts.locator(".card-header")).to_contain_text("DHL JD014600003828")
    journey.screenshot(operator, "03-order-shipped", phone=True)
    part = OperatorOrder.objects.get(order=order, partner=berlin.partner)
    assert (part.status, part.carrier, part.tracking_number) == ("shipped", "DHL", "JD014600003828")

    # and its ledger shows its share of the sale: the printer and its shipping, never Lyon's licence
    operator.goto("/dashboard/revenue/")
    _storefront, account = revenue_selectors.storefront_account(berlin.operator)
    balance = revenue_selectors.balance(account)
    assert Decimal("0") < balance < Decimal("907.50")  # less the campus fund, marketing pool and fees
    expect(operator.locator("#ledger-balance")).to_have_text(f"${balance:,.2f}")
    postings = operator.locator("#ledger-postings tbody")
    expect(postings).to_contain_text(order.number)
    expect(postings).to_contain_text("D3D printer, assembled")
    expect(postings).not_to_contain_text("CNC mill distribution licence")
    journey.screenshot(operator, "04-ledger-after", phone=True)

    # and the shopper's order page shows the tracking number under Berlin's part
    shopper = journey.person()
    shopper.goto(reverse("customer:anon-order", kwargs={"order_number": order.number,
                                                        "hash": order.verification_hash()}))  # fmt: skip
    shopper.fill("input[name=email]", order.email)  # a guest's order page first asks for the order's email
    shopper.press("input[name=email]", "Enter")
    berlin_part = shopper.locator("#order-parts .order-part").filter(has_text="Berlin Fab")
    expect(berlin_part.locator(".part-status")).to_have_text("Shipped")
    expect(berlin_part).to_contain_text("DHL JD014600003828")
    journey.screenshot(shopper, "05-shopper-sees-tracking")

    # when the operator refunds part of the printer with a reason, then marks its parcel delivered
    operator.goto(f"/dashboard/orders/{order.number}/")
    parts = operator.locator("#dashboard-parts .dashboard-part")
    parts.locator("summary", has_text="Refund").click()
    refund = parts.locator(".part-refund-form")
    line = order.lines.get(partner=berlin.partner)
    refund.locator(f"#refund-{line.pk}").fill("100.00")
    refund.get_by_label("Reason (the shopper sees it)").fill("Scratched side panel; kept by the shopper")
    refund.get_by_role("button", name="Refund").click()
    expect(operator.locator(".alert-success")).to_contain_text("Refunded $100.00")
    parts = operator.locator("#dashboard-parts .dashboard-part")
    parts.locator(".part-status-form select[name=status]").select_option(label="Delivered")
    parts.locator(".part-status-form").get_by_role("button", name="Update").click()
    expect(parts.locator(".part-status")).to_have_text("Delivered")
    journey.screenshot(operator, "06-refunded-and-delivered", phone=True)

    # then the shopper sees the refund with its reason and the parcel delivered
    shopper.reload()
    berlin_part = shopper.locator("#order-parts .order-part").filter(has_text="Berlin Fab")
    expect(berlin_part.locator(".part-status")).to_have_text("Delivered")
    expect(berlin_part.locator(".part-refunded")).to_contain_text("−$100.00")
    expect(berlin_part.locator(".part-refunded")).to_contain_text("Scratched side panel; kept by the shopper")
    expect(berlin_part.locator(".line-delivery")).to_contain_text("Shipment: Delivered")
    journey.screenshot(shopper, "07-shopper-sees-refund-and-delivery", phone=True)
