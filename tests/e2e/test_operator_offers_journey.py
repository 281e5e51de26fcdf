"""Two operators of two tiers run their own offers of one shared product from their dashboards: the apartment
microfactory finds Lyon's PEX fittings and offers them at its own price (the tier-category case that used to be
refused), the campus enterprise too; each reprices and restocks its own; one withdraws its offer. The shopper sees
each change on the product page, and neither operator ever sees the other's offer on its own page."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _offer_card(page, title):
    return page.locator("#offers .offer", has_text=title)


def test_two_operators_offer_reprice_restock_and_withdraw_a_shared_product(journey):
    # given Lyon's PEX fittings, in Plumbing fittings, and two operators who do not offer them yet
    journey = journey("operator-offers")
    design = factories.design(name="Printed PEX plumbing fittings", category_name="Plumbing fittings")
    fittings = factories.level_product(design, 1, title="PEX fitting set")
    fittings.stockrecords.all().delete()
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    factories.offer(lyon, fittings, price="22.00", stock=10)
    apartment = factories.storefront("Apartment Fab", tier="microfactory-1", city="Kansas City")
    berlin = factories.storefront("Berlin Fab", city="Berlin")

    shopper = journey.person()
    for store, price in ((apartment, "9.50"), (berlin, "19.00")):
        # when each operator finds the product from its offers page and offers it
        operator = journey.person(store.operator.email)
        operator.goto("/dashboard/storefront/offers/")
        expect(operator.locator("#no-offers")).to_be_visible()
        operator.get_by_role("link", name="New offer").click()
        operator.fill("#id_q", "PEX")
        operator.get_by_role("button", name="Find").click()
        found = operator.locator(".found-product", has_text="PEX fitting set")
        expect(found.locator(".refusal")).to_have_count(0)  # its tier may sell it: no refusal shown
        found.get_by_label("Price (USD)").fill(price)
        found.get_by_label("In stock").fill("10")
        journey.screenshot(operator, f"01-{store.slug}-new-offer", phone=True)
        found.get_by_role("button", name="Offer").click()
        # then it lands on its offers page with its own offer, and no one else's
        expect(operator.locator(".alert-success")).to_contain_text(f"On sale: PEX fitting set at ${price}")
        expect(operator.locator("#offers .offer")).to_have_count(1)
        card = _offer_card(operator, "PEX fitting set")
        expect(card.locator(".offer-state")).to_have_text("Live")
        expect(card.get_by_label("Price (USD)")).to_have_value(price)
        journey.screenshot(operator, f"02-{store.slug}-offers", phone=True)

        # and the shopper sees the offer beside Lyon's
        shopper.goto(fittings.get_absolute_url())
        expect(shopper.locator("body")).to_contain_text(store.name)
        expect(shopper.locator("body")).to_contain_text(f"${price}")

    # when the apartment operator reprices (a bad price first) and restocks
    operator = journey.person(apartment.operator.email)
    operator.goto("/dashboard/storefront/offers/")
    card = _offer_card(operator, "PEX fitting set")
    card.get_by_label("Price (USD)").fill("-1")
    card.get_by_role("button", name="Save").click()
    expect(operator.locator(".alert-danger")).to_contain_text("greater than or equal to 0.01")
    card = _offer_card(operator, "PEX fitting set")
    expect(card.get_by_label("Price (USD)")).to_have_value("9.50")  # nothing changed
    card.get_by_label("Price (USD)").fill("11.25")
    card.get_by_role("button", name="Save").click()
    expect(operator.locator(".alert-success")).to_contain_text("Saved: PEX fitting set at $11.25.")
    card = _offer_card(operator, "PEX fitting set")
    card.get_by_label("Add units").fill("5")
    card.get_by_role("button", name="Restock").click()
    expect(operator.locator(".alert-success")).to_contain_text("PEX fitting set: 15 in stock.")
    expect(_offer_card(operator, "PEX fitting set").get_by_label("In stock")).to_have_value("15")
    journey.screenshot(operator, "03-repriced-restocked", phone=True)
    shopper.goto(fittings.get_absolute_url())
    expect(shopper.locator("body")).to_contain_text("$11.25")
    expect(shopper.locator("body")).not_to_contain_text("$9.50")

    # when it withdraws its offer
    _offer_card(operator, "PEX fitting set").get_by_role("button", name="Withdraw from sale").click()
    expect(operator.locator(".alert-success")).to_contain_text("no longer on sale")
    expect(_offer_card(operator, "PEX fitting set").locator(".offer-state")).to_have_text("Withdrawn")
    journey.screenshot(operator, "04-withdrawn", phone=True)
    # then the shopper no longer sees it; Berlin's and Lyon's stay
    shopper.goto(fittings.get_absolute_url())
    body = shopper.locator("body")
    expect(body).not_to_contain_text("Apartment Fab")
    expect(body).to_contain_text("Berlin Fab")
    expect(body).to_contain_text("Lyon Fab")
    journey.screenshot(shopper, "05-product-page", phone=True)

    # and the dashboard's product list sends the operator to its own offer, not to a form it may not save
    operator.goto("/dashboard/catalogue/")
    operator.get_by_role("button", name="Actions").first.click()
    operator.get_by_role("link", name="Change my offer").first.click()
    expect(operator).to_have_url(re.compile(r"/dashboard/storefront/offers/#product-\d+$"))
    expect(operator.get_by_role("link", name="Delete")).to_have_count(0)
