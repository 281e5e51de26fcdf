"""Two signed-in shoppers browse the same catalogue pages, which the shop serves from its page cache: each sees their
own account bar, basket total and messages, puts a product on a wish list and sees it there, and never sees the
other's. At desktop and phone width."""

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def press():
    design = factories.design(name="CEB press", category_name="Houses")
    store = factories.storefront("Apartment Fab")
    product = factories.level_product(design, 1, title="CEB press kit", partner_name="Staff workshop")
    product.stockrecords.all().delete()
    return {"product": product, "offer": factories.offer(store, product, price="1500.00", stock=5)}


@override_settings(PAGE_CACHE_SECONDS=300)
def test_signed_in_shoppers_get_cached_pages_with_their_own_header_and_buttons(journey, press):
    trip = journey("signed-in-pages")
    factories.UserFactory(email="ada@example.com")
    factories.UserFactory(email="bob@example.com")
    ada, bob = trip.person("ada@example.com"), trip.person("bob@example.com")

    # Bob looks first: the catalogue and the product page are stored for signed-in shoppers
    for page in (bob, ada):
        page.goto("/catalogue/")
        expect(page.locator(".basket-mini")).to_contain_text("$0.00")
        expect(page.locator("#logout_form")).to_be_visible()

    ada.goto(press["product"].get_absolute_url())
    ada.get_by_role("button", name="Add for $1,500.00").click()
    expect(ada.locator("#messages")).to_contain_text("CEB press kit has been added to your cart")
    ada.goto("/catalogue/")
    expect(ada.locator(".basket-mini")).to_contain_text("$1,500.00")
    expect(ada.locator("#messages .alert")).to_have_count(0)  # shown once
    trip.screenshot(ada, "01-catalogue-ada", phone=True)

    bob.goto("/catalogue/")
    expect(bob.locator(".basket-mini")).to_contain_text("$0.00")
    expect(bob.locator("#messages .alert")).to_have_count(0)
    trip.screenshot(bob, "02-catalogue-bob")

    ada.goto(press["product"].get_absolute_url())
    ada.locator("#add_to_wishlist_form").get_by_role("button", name="Add to wish list").click()
    expect(ada.locator("#messages")).to_contain_text("CEB press kit")
    ada.goto(press["product"].get_absolute_url())
    expect(ada.get_by_text("Product is in")).to_be_visible()
    trip.screenshot(ada, "03-product-on-wishlist", phone=True)

    bob.goto(press["product"].get_absolute_url())
    expect(bob.get_by_text("Product is in")).to_have_count(0)
    expect(bob.locator("#add_to_wishlist_form")).to_be_visible()
    expect(bob.locator("#write_review")).to_be_visible()
    trip.screenshot(bob, "04-product-bob", phone=True)
