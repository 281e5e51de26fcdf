"""Designs and products found by search, and the design directory's filters, over several differing designs."""

import pytest
from django.urls import reverse

from catalog.models import Category
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    printer = factories.design(name="D3D printer", category_name="3D printers", software_licence="GPL-3.0-or-later",
                               description="Prints PLA parts layer by layer.")  # fmt: skip
    press = factories.design(name="CEB press", category_name="Houses", hardware_licence="TAPR-OHL-1.0",
                             software_licence="MIT", description="Presses compressed earth blocks.")  # fmt: skip
    book = factories.design(name="Microfactory handbook", category_name="Information goods > Books",
                            hardware_licence="CC-BY-4.0", software_licence="", documentation_licence="CC0-1.0",
                            description="How to run a local workshop.")  # fmt: skip
    factories.level_product(printer, 1)
    factories.level_product(printer, 3)
    factories.level_product(press, 2)
    factories.level_product(book, 1, title="Handbook ebook")
    return {"printer": printer, "press": press, "book": book}


def _names(client, **params):
    html = client.get(reverse("designs:list"), params).content.decode()
    return {name for name in ("D3D printer", "CEB press", "Microfactory handbook") if f">{name}</a>" in html}


def test_unfiltered_directory_lists_every_design(client, catalogue):
    assert _names(client) == {"D3D printer", "CEB press", "Microfactory handbook"}


def test_filter_by_level_lists_designs_offered_at_that_level(client, catalogue):
    assert _names(client, level=1) == {"D3D printer", "Microfactory handbook"}
    assert _names(client, level=2) == {"CEB press"}
    assert _names(client, level=3) == {"D3D printer"}


def test_filter_by_licence_matches_any_of_the_three_licences(client, catalogue):
    assert _names(client, licence="TAPR-OHL-1.0") == {"CEB press"}
    assert _names(client, licence="MIT") == {"CEB press"}
    assert _names(client, licence="CC0-1.0") == {"Microfactory handbook"}
    assert _names(client, licence="CC-BY-SA-4.0") == {"D3D printer", "CEB press"}


def test_filter_by_category_includes_subcategories(client, catalogue):
    info = Category.objects.get(name="Information goods")
    houses = Category.objects.get(name="Houses")
    assert _names(client, category=info.pk) == {"Microfactory handbook"}
    assert _names(client, category=houses.pk) == {"CEB press"}


def test_filters_combine(client, catalogue):
    houses = Category.objects.get(name="Houses")
    assert _names(client, category=houses.pk, level=1) == set()
    assert _names(client, q="press", licence="MIT") == {"CEB press"}


def test_directory_search_matches_name_and_description(client, catalogue):
    assert _names(client, q="printer") == {"D3D printer"}
    assert _names(client, q="earth blocks") == {"CEB press"}


def test_a_bad_filter_value_is_ignored_with_an_error_not_a_crash(client, catalogue):
    page = client.get(reverse("designs:list"), {"level": "7", "licence": "<script>"})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_shop_search_finds_designs_and_products(client, catalogue):
    html = client.get(reverse("search:search"), {"q": "workshop"}).content.decode()
    designs = html.split('id="design-results"')[1].split("</ul>")[0]
    assert "Microfactory handbook" in designs and "CEB press" not in designs
    assert "D3D printer level 1" not in html
    products = client.get(reverse("search:search"), {"q": "ebook"}).content.decode()
    assert "Handbook ebook" in products


def test_product_listing_filters_by_level(client, catalogue):
    html = client.get(reverse("catalogue:index"), {"level": 3}).content.decode()
    assert "D3D printer level 3" in html
    assert "D3D printer level 1" not in html and "Handbook ebook" not in html
