"""A shopper finds a design by search, compares two operators' offers nearest first, buys a level 1 product from one
operator and a level 3 licence from another in one basket, pays (bank transfer, or card against localstripe), and
sees the order grouped by operator."""

import json
import re
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import Page, expect

from tests import factories
from tests.checkout.test_checkout import ADDRESS

# The live server sees only committed rows; serialized rollback restores the data migrations' rows (tiers,
# product classes) after each journey flushes the database.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
Order = get_model("order", "Order")


@pytest.fixture
def mill_offers():
    """The CNC mill: Lyon Fab (a mark holder) and Berlin Fab both sell it assembled, Lyon cheaper; only Lyon sells
    its distribution licence."""
    design = factories.design(name="CNC circuit mill", category_name="CNC circuit mills")
    mill = factories.level_product(design, 1, title="CNC circuit mill, assembled")
    licence = factories.level_product(design, 3, title="CNC circuit mill distribution licence")
    for product in (mill, licence):
        product.stockrecords.all().delete()
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin.shipping_charge = Decimal("7.50")
    berlin.save(update_fields=["shipping_charge"])
    factories.certify(design, holders=[lyon.operator])
    return {
        "design": design,
        "berlin_mill": factories.offer(berlin, mill, price="1450.00"),
        "lyon_mill": factories.offer(lyon, mill, price="1400.00"),
        "lyon_licence": factories.offer(lyon, licence, price="5000.00", stock=None),
    }


def _operators(page: Page, level: int):
    return expect(page.locator(f"#levels .level-{level} .offer .operator"))


def _find_compare_and_fill_basket(journey, page: Page, offers) -> None:
    # given a shopper near Berlin, searching
    page.goto("/search/?q=mill")
    expect(page.locator("#design-results")).to_contain_text("CNC circuit mill")
    journey.screenshot(page, "01-search")

    page.locator("#design-results").get_by_role("link", name="CNC circuit mill").click()
    page.wait_for_url(f"**/designs/{offers['design'].slug}/")
    _operators(page, 1).to_have_text(["Lyon Fab", "Berlin Fab"])  # cheapest first until the shopper says where

    page.fill("#near-form input[name=near]", "Berlin")
    page.locator("#near-form").get_by_role("button", name="Sort").click()
    page.wait_for_url(re.compile(r"near=Berlin"))
    _operators(page, 1).to_have_text(["Berlin Fab", "Lyon Fab"])  # nearest first
    expect(page.locator("#levels .level-1 .offer .distance")).to_have_text(["0 km", re.compile(r"^\d{3,4} km$")])
    journey.screenshot(page, "02-design-nearest-first", phone=True)

    # when it puts Berlin's mill and Lyon's licence in the basket
    for offer in (offers["berlin_mill"], offers["lyon_licence"]):
        page.goto(f"/designs/{offers['design'].slug}/?near=Berlin")
        page.locator(f"form:has(input[name=offer][value='{offer.pk}']) button").click()
        expect(page.locator(".alert-success").first).to_be_visible()
    page.goto("/basket/")
    expect(page.locator("#basket_formset")).to_contain_text("CNC circuit mill, assembled")
    expect(page.locator("#basket_formset")).to_contain_text("CNC circuit mill distribution licence")
    sellers = page.locator("#sellers .seller")  # who sells what, each with its shipping
    expect(sellers.filter(has_text="Berlin Fab")).to_contain_text("CNC circuit mill, assembled")
    expect(sellers.filter(has_text="Berlin Fab").locator(".seller-shipping")).to_contain_text("$7.50")
    expect(sellers.filter(has_text="Lyon Fab")).to_contain_text("CNC circuit mill distribution licence")
    journey.screenshot(page, "03-basket", phone=True)


def _check_out(journey, page: Page, method_label: str) -> None:
    # a signed-in shopper checks out on one page: with no saved address yet, the address form is open on it
    page.get_by_role("link", name="Proceed to checkout").click()
    page.wait_for_url(re.compile(r"/checkout/$"))
    expect(page.locator("#sellers .seller")).to_have_count(2)
    for field in ("first_name", "last_name", "line1", "line4", "postcode"):
        page.fill(f"#id_{field}", ADDRESS[field])
    page.select_option("#id_country", ADDRESS["country"])
    page.get_by_label(method_label).check()
    expect(page.locator("#confirmation-to")).to_contain_text("ada@example.com")
    journey.screenshot(page, "04-one-page-checkout", phone=True)
    page.locator("#place-order").click()
    page.wait_for_url(re.compile(r"/checkout/thank-you/"))


def _assert_grouped_by_operator(page: Page, *, paid_status: str) -> None:
    parts = page.locator("#order-parts .order-part")
    expect(parts).to_have_count(2)
    berlin, lyon = parts.filter(has_text="Berlin Fab"), parts.filter(has_text="Lyon Fab")
    expect(berlin).to_contain_text("CNC circuit mill, assembled")
    expect(berlin.locator(".part-status")).to_have_text(paid_status)
    expect(lyon).to_contain_text("CNC circuit mill distribution licence")
    expect(lyon).not_to_contain_text("CNC circuit mill, assembled")
    expect(lyon).to_contain_text("Nothing to ship")
    expect(lyon).to_contain_text(re.compile(r"OSE-L-"))  # the licence was issued once the order was paid


def test_a_shopper_buys_from_two_operators_and_pays_by_bank_transfer(journey, mill_offers, live_server, settings):
    from django.core import mail

    settings.SITE_URL = live_server.url  # the e-mails' links lead to this shop
    journey = journey("shopper-bank-transfer")
    factories.UserFactory(email="ada@example.com")
    staff = factories.UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)  # as in the demo
    shopper = journey.person("ada@example.com")
    _find_compare_and_fill_basket(journey, shopper, mill_offers)
    _check_out(journey, shopper, "Pay by bank transfer")

    order = Order.objects.get(user__email="ada@example.com")
    expect(shopper.locator("body")).to_contain_text(order.number)
    expect(shopper.locator("#bank-transfer")).to_contain_text("$6,457.50")
    expect(shopper.locator("#bank-transfer")).to_contain_text("DE89 3704 0044 0532 0130 00")
    journey.screenshot(shopper, "07-thank-you")
    [placed] = [m for m in mail.outbox if m.subject.startswith("Confirmation of order")]
    order_link = next(word for word in placed.body.split() if word.startswith(live_server.url))
    shopper.goto(order_link)  # the e-mail's link opens the order itself, with where to pay
    expect(shopper.locator("#bank-transfer")).to_contain_text(order.number)
    assert order.status == "Pending"
    assert order.total_incl_tax == Decimal("6457.50")  # Berlin's flat shipping once; the licence ships nothing

    # then staff confirm the bank transfer on the dashboard order page
    desk = journey.person(staff.email)
    desk.goto(f"/dashboard/orders/{order.number}/")
    journey.screenshot(desk, "08-dashboard-awaiting-transfer")
    desk.fill("#confirm-offline-payment input[name=reference]", "SEPA 2026-0042")
    desk.get_by_role("button", name="Confirm payment received").click()
    expect(desk.locator(".alert-success")).to_contain_text(f"Payment for order {order.number} confirmed")
    order.refresh_from_db()
    assert order.status == "Paid"

    # and the shopper sees the order grouped by operator
    shopper.goto(f"/accounts/orders/{order.number}/")
    _assert_grouped_by_operator(shopper, paid_status="Paid, being prepared")
    journey.screenshot(shopper, "09-order-by-operator", phone=True)


def test_a_shopper_buys_from_two_operators_and_pays_by_card(journey, mill_offers, stripe_settings, localstripe_url):
    journey = journey("shopper-card")
    factories.UserFactory(email="ada@example.com")
    shopper = journey.person("ada@example.com")
    # The page loads Stripe.js; it gets localstripe's fake Stripe.js instead, which talks to localstripe.
    shopper.context.route("https://js.stripe.com/v3/", lambda route: _fake_stripe_js(route, localstripe_url))
    _find_compare_and_fill_basket(journey, shopper, mill_offers)
    _check_out(journey, shopper, "Card (Stripe)")

    order = Order.objects.get(user__email="ada@example.com")
    expect(shopper.locator("#card-payment")).to_be_visible()
    expect(shopper.locator("#card-element input").first).to_be_visible()  # the (fake) card element mounted
    for placeholder, value in (("number", "4000002760003184"), ("exp_month", "12"), ("exp_year", "30"),
                               ("cvc", "123"), ("postal_code", "69001")):  # fmt: skip
        shopper.fill(f"#card-element input[placeholder={placeholder}]", value)
    journey.screenshot(shopper, "07-thank-you-card")
    assert order.status == "Pending"
    _attach_card_needing_authentication(order)

    # when the shopper pays and passes the 3-D Secure step, Stripe.js sends them to the return page
    shopper.get_by_role("button", name="Pay now").click()
    shopper.get_by_role("button", name="Complete authentication").click()
    shopper.wait_for_url(re.compile(rf"/accounts/orders/{order.number}/"))
    expect(shopper.locator(".alert-success")).to_contain_text(f"your card payment for order {order.number}")
    order.refresh_from_db()
    assert order.status == "Paid"  # the server asked Stripe; the browser's word alone changes nothing
    _assert_grouped_by_operator(shopper, paid_status="Paid, being prepared")
    journey.screenshot(shopper, "08-order-by-operator", phone=True)


def _fake_stripe_js(route, localstripe_url: str) -> None:
    """localstripe's Stripe.js finds its server from the address it was loaded from: tell it where that is."""
    script = route.fetch(url=f"{localstripe_url}/js.stripe.com/v3/").text()
    script = script.replace("document.currentScript.src", json.dumps(f"{localstripe_url}/js.stripe.com/v3/"), 1)
    route.fulfill(body=script, content_type="application/javascript")


def _attach_card_needing_authentication(order) -> None:
    """What real Stripe.js does with the card details before its 3-D Secure step: localstripe's fake Stripe.js only
    performs that step, so the card is attached here, through Stripe's library, as the test of the card flow does."""
    import warnings

    from marketplace.payments import stripe_gateway

    intent_id = order.sources.get().reference
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = stripe_gateway._client()
        card = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4000002760003184", "exp_month": 12, "exp_year": 2030,
                                             "cvc": "123"}})  # fmt: skip
        client.v1.payment_intents.update(intent_id, params={"payment_method": card.id})
        intent = client.v1.payment_intents.confirm(intent_id)
    assert intent.status == "requires_action"


def test_a_returning_shopper_checks_out_on_one_page_with_their_saved_address_chosen(journey, mill_offers):
    from oscar.core.loading import get_model

    journey = journey("shopper-returning")
    ada = factories.UserFactory(email="ada@example.com")
    UserAddress = get_model("address", "UserAddress")
    fields = {key: value for key, value in ADDRESS.items() if key != "country"}
    UserAddress.objects.create(user=ada, country_id=ADDRESS["country"], **fields)
    home = UserAddress.objects.create(user=ada, country_id="US", **{**fields, "line1": "9 Harbour Street"},
                                      is_default_for_shipping=True)  # fmt: skip
    shopper = journey.person("ada@example.com")
    shopper.goto(f"/designs/{mill_offers['design'].slug}/")
    shopper.locator(f"form:has(input[name=offer][value='{mill_offers['berlin_mill'].pk}']) button").first.click()
    expect(shopper.locator(".alert-success").first).to_be_visible()
    shopper.goto("/basket/")

    # when they proceed to checkout, their default address is chosen and the new-address form stays folded
    shopper.get_by_role("link", name="Proceed to checkout").click()
    shopper.wait_for_url(re.compile(r"/checkout/$"))
    expect(shopper.locator(f"#ship-to-{home.pk}")).to_be_checked()
    expect(shopper.locator("#ship-to .saved-address")).to_have_count(2)
    expect(shopper.locator("#ship-to .new-address-fields")).to_be_hidden()
    expect(shopper.get_by_label("Pay by bank transfer")).to_be_checked()
    journey.screenshot(shopper, "01-one-page-checkout-saved-address", phone=True)
    shopper.get_by_label("Ship to a new address").check()
    expect(shopper.locator("#id_line1")).to_be_visible()  # opens when chosen
    journey.screenshot(shopper, "02-one-page-checkout-new-address", phone=True)
    shopper.locator(f"#ship-to-{home.pk}").check()

    # then one click places the order, shipped to that address
    shopper.locator("#place-order").click()
    shopper.wait_for_url(re.compile(r"/checkout/thank-you/"))
    order = Order.objects.get(user=ada)
    expect(shopper.locator("body")).to_contain_text(order.number)
    assert order.shipping_address.line1 == "9 Harbour Street"
    journey.screenshot(shopper, "03-thank-you", phone=True)
