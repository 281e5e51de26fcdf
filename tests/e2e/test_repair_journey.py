"""A repair, from the label to the unit's page: the owner of a printer opens its unit page by the address its label's
QR code carries, asks for a repair; the request goes to Berlin Fab (the nearest holder of the design's mark), whose
operator accepts and quotes; the owner pays the quote through the basket and checkout by bank transfer, the shop
confirms the transfer, the operator closes the repair with what was done, and the unit's page lists it."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.lifecycle import selectors as lifecycle
from marketplace.payments.services import confirm_offline_payment
from marketplace.stewardship.models import ServiceRequest
from tests import factories
from tests.checkout.test_checkout import ADDRESS
from tests.stewardship.conftest import make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_owner_asks_for_a_repair_pays_the_quote_and_the_unit_page_lists_it(
    journey, two_operators, django_capture_on_commit_callbacks
):
    # given a shopper who owns a printer Berlin Fab made, and Berlin Fab holds the printer's mark
    journey = journey("repair")
    berlin = two_operators["berlin"]
    design = two_operators["printer"].product.design
    factories.certify(design, holders=[berlin.operator])
    owner = factories.UserFactory(email="ada@example.com")
    unit = make_unit(owner=owner, design=design, maker=berlin)

    # when the owner opens the unit's page at the label's address, and asks for a repair
    shopper = journey.person(owner.email)
    shopper.goto(lifecycle.unit_path(unit.serial))
    expect(shopper.locator("#unit-serial")).to_have_text(unit.serial)
    expect(shopper.locator("#unit-state")).to_have_text("In service")
    shopper.locator("#ask-form label[for=id_kind_0]").click()  # Repair
    expect(shopper.get_by_label("Repair")).to_be_checked()
    shopper.get_by_label("What is wrong, or what you would like").fill("The Y axis stutters on long moves.")
    shopper.get_by_label("Where the unit is").fill("Potsdam, DE")
    journey.screenshot(shopper, "01-unit-page-owner", phone=True)
    shopper.locator("#ask-submit").click()

    # then they see where it went and why
    expect(shopper.locator("#routing")).to_contain_text("Berlin Fab")
    expect(shopper.locator("#routing")).to_contain_text("nearest holder of the OSE Certified mark")
    journey.screenshot(shopper, "02-request-routed", phone=True)
    request = ServiceRequest.objects.get()

    # when Berlin Fab's operator accepts it and quotes
    operator = journey.person(berlin.operator.email)
    operator.goto("/dashboard/stewardship/requests/")
    operator.locator("#live-requests").get_by_role("link", name="Repair").click()
    operator.locator("#accept").click()
    expect(operator.locator("#request-status")).to_contain_text("Accepted")
    operator.get_by_label("Amount").fill("80.00")
    operator.get_by_label("What it covers").fill("A new Y belt and idler, fitted and tested.")
    journey.screenshot(operator, "03-operator-quote", phone=True)
    operator.locator("#send-quote").click()
    expect(operator.locator("#quote-shown")).to_contain_text("80.00")

    # and the owner pays it through the basket and the checkout, by bank transfer
    shopper.reload()
    expect(shopper.locator("#quote")).to_contain_text("A new Y belt and idler")
    shopper.locator("#pay-quote").click()
    shopper.wait_for_url(re.compile(r"/basket/$"))
    shopper.get_by_role("link", name="Proceed to checkout").click()
    shopper.wait_for_url(re.compile(r"/checkout/$"))
    for field in ("first_name", "last_name", "line1", "line4", "postcode"):
        if shopper.locator(f"#id_{field}").count():
            shopper.fill(f"#id_{field}", ADDRESS[field])
    if shopper.locator("#id_country").count():
        shopper.select_option("#id_country", ADDRESS["country"])
    shopper.get_by_label("Bank transfer").check()
    journey.screenshot(shopper, "04-checkout", phone=True)
    shopper.locator("#place-order").click()
    shopper.wait_for_url(re.compile(r"/checkout/thank-you/"))
    order = owner.orders.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        confirm_offline_payment(order_id=order.pk, actor=factories.UserFactory(is_staff=True), reference="SEPA 42")
    request.refresh_from_db()
    assert request.paid_order == order

    # when the operator closes it with what was done
    operator.reload()
    expect(operator.locator("#request-status")).to_contain_text("quote paid")
    operator.get_by_label("What was done").fill("Replaced the Y belt and idler; squared the frame.")
    operator.locator("#close").click()
    expect(operator.locator("#outcome")).to_contain_text("Replaced the Y belt")

    # then the unit's public page lists the repair, by Berlin Fab, and the unit is in service again
    visitor = journey.person()
    visitor.goto(lifecycle.unit_path(unit.serial))
    expect(visitor.locator("#service-history")).to_contain_text("Replaced the Y belt and idler")
    expect(visitor.locator("#service-history")).to_contain_text("Berlin Fab")
    expect(visitor.locator("#unit-state")).to_have_text("In service")
    expect(visitor.locator("body")).not_to_contain_text(owner.email)
    journey.screenshot(visitor, "05-unit-page-repaired", phone=True)
