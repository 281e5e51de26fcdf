"""Catalogue pages for anonymous shoppers come from the cache, and every change a shopper could see shows at once:
an offer, a price, stock, a storefront, a certificate, an Oscar offer. Forms on cached pages still post."""

import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from certification.services import revoke_certificate
from marketplace.storefronts import services as storefront_services
from tests import factories

pytestmark = pytest.mark.django_db


def _pages(shop):
    return {
        "catalogue": reverse("catalogue:index"),
        "category": shop["design"].category.get_absolute_url(),
        "product": shop["press"].get_absolute_url(),
        "design": reverse("designs:detail", kwargs={"slug": shop["design"].slug}),
        "storefront": reverse("storefronts:detail", kwargs={"slug": shop["store"].slug}),
        "search": reverse("search:search") + "?q=press",
    }


def _html(path) -> str:
    """A first-time visitor's page (no cookies)."""
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visitor_gets_the_page_without_a_query(shop, django_assert_num_queries):
    for path in _pages(shop).values():
        first = _html(path)
        with django_assert_num_queries(0):
            again = _html(path)
        assert _without_tokens(again) == _without_tokens(first)


def _without_tokens(html: str) -> str:
    """The page but for what is each response's own: the CSRF token and the CSP nonce."""
    return re.sub(r'nonce="[^"]+"', "", re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))


def test_a_visitor_pinned_to_the_primary_after_a_write_gets_the_page_rendered_afresh(shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketplace.ops.db_router import PIN_COOKIE

    path = _pages(shop)["product"]
    _html(path)  # stored
    pinned = Client()
    pinned.cookies[PIN_COOKIE] = "what the read-your-writes middleware set"
    with CaptureQueriesContext(connection) as queries:
        assert pinned.get(path).status_code == 200
    assert len(queries) > 0  # rendered from the database, which holds what this visitor just wrote


def test_each_visitor_gets_their_own_csrf_token_and_the_cached_form_posts(shop):
    path = shop["press"].get_absolute_url()
    _html(path)  # stored
    shopper = Client(enforce_csrf_checks=True)
    page = shopper.get(path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert "--csrf-token--" not in page.content.decode()
    assert token != re.search(r'value="([^"]+)"', _html(path).split("csrfmiddlewaretoken")[1]).group(1)
    added = shopper.post(
        reverse("basket:add", kwargs={"pk": shop["press"].pk}),
        {"quantity": 1, "offer": shop["press_offer"].pk, "csrfmiddlewaretoken": token},
    )
    assert added.status_code == 302
    basket = shopper.get(reverse("basket:summary")).content.decode()
    assert "CEB press kit" in basket


def test_a_price_change_shows_at_once(shop):
    pages = _pages(shop)
    for name in ("catalogue", "product", "design", "storefront"):
        assert "1,500.00" in _html(pages[name]), name
    storefront_services.save_offer(storefront=shop["store"], product=shop["press"], price="1450.00", num_in_stock=3)
    for name in ("catalogue", "product", "design", "storefront"):
        html = _html(pages[name])
        assert "1,450.00" in html and "1,500.00" not in html, name


def test_a_new_offer_shows_at_once(shop):
    other = factories.storefront("Kansas Kilns", city="Portland")
    path = shop["press"].get_absolute_url()
    assert "Kansas Kilns" not in _html(path)
    factories.offer(other, shop["press"], price="1400.00", stock=2)
    assert "Kansas Kilns" in _html(path)


def test_selling_the_last_units_shows_sold_out_at_once(shop, django_capture_on_commit_callbacks):
    path = shop["press"].get_absolute_url()
    assert "Only 3 left" in _html(path)
    factories.checkout([shop["press_offer"]], capture=django_capture_on_commit_callbacks, quantities={
        shop["press_offer"].pk: 3})  # fmt: skip
    html = _html(path)
    assert "left" not in html and "Unavailable" in html


def test_a_sale_that_leaves_plenty_keeps_the_cached_pages_and_one_that_leaves_few_says_so_at_once(
    shop, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # given the press with 20 in stock, its pages cached
    offer = shop["press_offer"]
    storefront_services.save_offer(storefront=shop["store"], product=shop["press"], price="1500.00", num_in_stock=20)
    pages = _pages(shop)
    for path in pages.values():
        _html(path)
    assert "In stock" in _html(pages["product"]) and "left" not in _html(pages["product"])

    # when one sells (19 left: still plenty), every page is still served from the cache, unchanged, and says
    # nothing a rendered page would not
    factories.checkout([offer], capture=django_capture_on_commit_callbacks)
    with django_assert_num_queries(0):
        cached = {name: _html(path) for name, path in pages.items()}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for name, path in pages.items():
            assert _without_tokens(_html(path)) == _without_tokens(cached[name]), name

    # and when a sale leaves few, the product and design pages say how many at once
    factories.checkout([offer], capture=django_capture_on_commit_callbacks, quantities={offer.pk: 15})
    assert "Only 4 left" in _html(pages["product"]) and "Only 4 left" in _html(pages["design"])


def test_a_suspended_storefront_disappears_at_once(shop):
    pages = _pages(shop)
    assert "Apartment Fab" in _html(pages["product"])
    staff = factories.UserFactory(is_staff=True)
    storefront_services.suspend_storefront(storefront=shop["store"], staff=staff, reason="Unpaid fees")
    assert "Apartment Fab" not in _html(pages["product"])
    assert Client().get(pages["storefront"]).status_code == 404


def test_a_revoked_certificate_takes_the_mark_and_the_licence_offer_away_at_once(shop):
    design_page = reverse("designs:detail", kwargs={"slug": shop["design"].slug})
    licence_page = shop["licence"].get_absolute_url()
    assert "9,000.00" in _html(design_page)
    assert "9,000.00" in _html(licence_page)
    revoke_certificate(certificate=shop["certificate"], staff=factories.UserFactory(is_staff=True), reason="Changed")
    assert "9,000.00" not in _html(licence_page)
    assert "9,000.00" not in _html(design_page)


def test_an_oscar_offer_retires_cached_pages(shop):
    from oscar.test.factories import ConditionalOfferFactory

    path = reverse("catalogue:index")
    _html(path)
    from marketplace.ops import pagecache

    before = pagecache.generation()
    ConditionalOfferFactory(name="Spring sale", start_datetime=timezone.now() - timedelta(days=1))
    assert pagecache.generation() > before


def test_signed_in_shoppers_and_baskets_get_their_own_page(shop):
    path = reverse("catalogue:index")
    _html(path)
    shopper = factories.UserFactory(email="ada@example.com", first_name="Ada")
    client = Client()
    client.force_login(shopper)
    assert "Logout" in client.get(path).content.decode()
    assert "Logout" not in _html(path)
    guest = Client()
    guest.post(reverse("basket:add", kwargs={"pk": shop["press"].pk}), {"quantity": 1, "offer": shop["press_offer"].pk})
    assert "1,500.00" in guest.get(reverse("basket:summary")).content.decode()
    assert "Total: $1,500.00" in guest.get(path).content.decode()
    assert "Total: $" not in _html(path)


def test_a_change_is_saved_while_the_cache_is_down(shop, settings):
    """Retiring pages is the cache's business: an outage must not fail the operator's change (or a checkout)."""
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
    }}  # fmt: skip
    storefront_services.save_offer(storefront=shop["store"], product=shop["press"], price="1450.00", num_in_stock=3)
    shop["press_offer"].refresh_from_db()
    assert str(shop["press_offer"].price) == "1450.00"


def test_the_menu_shows_a_new_category_at_once(shop):
    from catalog.models import Category

    assert "Greenhouses" not in _html(reverse("designs:list"))
    Category.add_root(name="Greenhouses", slug="greenhouses", is_public=True)
    assert "Greenhouses" in _html(reverse("designs:list"))  # a rendered page's menu, and the cached pages'
    assert "Greenhouses" in _html(shop["press"].get_absolute_url())
