"""The shop's pages over a real HTTP round-trip through Django's test client."""

import pytest
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs

from tests.factories import UserFactory, product_in_stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def printers():
    category = create_from_breadcrumbs("3D printers")
    product_in_stock(title="D3D Universal 3D printer", category=category, upc="D3D")
    product_in_stock(title="Filament maker", category=category, upc="FIL")
    product_in_stock(title="Seed potatoes", upc="POT")
    return category


def test_home_is_the_landing_page_leading_to_the_products(client, printers):
    page = client.get("/")
    assert page.status_code == 200  # the shop's own page, not a redirect to Oscar's grid
    html = page.content.decode()
    assert "Open Source Store" in html and "Open source goods, made near you" in html
    assert f'href="{reverse("catalogue:index")}"' in html  # "Browse every product"


def test_catalogue_lists_every_browsable_product(client, printers):
    page = client.get(reverse("catalogue:index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<strong>3</strong> results" in html
    for title in ("D3D Universal 3D printer", "Filament maker", "Seed potatoes"):
        assert title in html


def test_category_page_lists_only_its_products(client, printers):
    page = client.get(printers.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "D3D Universal 3D printer" in html and "Filament maker" in html
    assert "Seed potatoes" not in html


def test_product_page_shows_price_and_add_to_basket(client, printers):
    product = product_in_stock(title="CNC circuit mill", price="1450.00", upc="CNC")
    page = client.get(product.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert "CNC circuit mill" in html
    assert "$1,450.00" in html
    assert "Add to cart" in html


def test_search_finds_products_by_words_in_title_or_description(client, printers):
    product_in_stock(title="Brick press", upc="CEB").__class__.objects.filter(upc="CEB").update(
        description="Presses earth bricks for a Seed Eco-Home"
    )
    by_title = client.get(reverse("search:search"), {"q": "printer"}).content.decode()
    assert "D3D Universal 3D printer" in by_title and "Seed potatoes" not in by_title
    by_description = client.get(reverse("search:search"), {"q": "earth bricks"}).content.decode()
    assert "Brick press" in by_description and "D3D Universal" not in by_description
    nothing = client.get(reverse("search:search"), {"q": "helicopter"}).content.decode()
    assert "No products found." in nothing


def test_search_refuses_an_overlong_query_without_error(client, printers):
    page = client.get(reverse("search:search"), {"q": "x" * 500})
    assert page.status_code == 200
    assert "at most 200 characters" in page.content.decode()


def test_invalid_page_number_redirects_with_a_message(client, printers):
    page = client.get(reverse("catalogue:index"), {"page": "99"}, follow=True)
    assert page.status_code == 200
    assert "The given page number was invalid." in page.content.decode()


def test_basket_page_shows_added_product(client, printers):
    product = product_in_stock(title="Open source tablet", price="240.00", upc="TAB")
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    assert response.status_code == 302
    html = client.get(reverse("basket:summary")).content.decode()
    assert "Open source tablet" in html
    assert "480.00" in html


def test_account_pages_need_sign_in_and_then_show_profile(client):
    assert client.get(reverse("customer:summary")).status_code == 302
    user = UserFactory(email="maker@example.com")
    client.force_login(user)
    page = client.get(reverse("customer:profile-view"))
    assert page.status_code == 200
    assert "maker@example.com" in page.content.decode()


def test_dashboard_is_for_staff_only(client):
    assert client.get(reverse("dashboard:index")).status_code == 302
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("dashboard:index")).status_code in (302, 403)
    client.force_login(UserFactory(is_staff=True, email="staff@example.com"))
    page = client.get(reverse("dashboard:index"))
    assert page.status_code == 200
    assert "Dashboard" in page.content.decode()


def test_every_page_starts_in_standards_mode(client, printers):
    """Nothing is printed before the doctype (a comment that did not end on its line once was): a page in quirks
    mode breaks the dashboard's editor."""
    for path in ("/", reverse("catalogue:index"), reverse("designs:list")):
        assert client.get(path).content.decode().lstrip().startswith("<!DOCTYPE html>"), path


@pytest.mark.django_db
def test_the_demo_answers_a_missing_object_with_the_shop_s_404_not_django_s_debug_page(client, settings):
    settings.DEBUG = True  # `make run` runs the demo with DEBUG
    client.force_login(UserFactory(email="walker@example.com"))
    response = client.get(reverse("supporters:support-detail", kwargs={"pk": 999999}))
    page = response.content.decode()
    assert response.status_code == 404
    assert "No page has this address" in page and "catalogue" in page
    assert "URLconf" not in page and "matches the given query" not in page
