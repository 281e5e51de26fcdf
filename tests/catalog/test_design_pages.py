"""Shopper pages for designs: three levels side by side, licences, standards, bill of materials, full cost."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import BillOfMaterialsLine, DesignDocument
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def printer():
    design = factories.design(
        name="D3D Universal 3D printer", cost_materials="310.00", cost_labour="180.00", co2e_kg="38.5"
    )
    factories.level_product(design, 1, title="D3D printer, assembled", price="985.00")
    factories.level_product(design, 2, title="D3D build workshop", price="1650.00")
    factories.level_product(design, 3, title="D3D distribution licence", price="4800.00")
    DesignDocument.objects.create(design=design, area="product-design", status="complete", url="https://x.org/a")
    DesignDocument.objects.create(design=design, area="supply-chain", status="draft", url="https://x.org/b")
    BillOfMaterialsLine.objects.create(design=design, feedstock="PLA filament", quantity=2, unit="kg")
    return design


def test_design_page_shows_the_three_levels_side_by_side_with_prices_and_operators(client, printer):
    html = client.get(printer.get_absolute_url()).content.decode()
    for level, title, price in [
        ("Level 1 · Product", "D3D printer, assembled", "$985.00"),
        ("Level 2 · Production", "D3D build workshop", "$1,650.00"),
        ("Level 3 · Distribution", "D3D distribution licence", "$4,800.00"),
    ]:
        assert level in html and title in html
        offer = html.split(title)[1].split("</li>")[0]
        assert price in offer and "Factor e Farm" in offer
    assert "24 months, Worldwide, up to 1000 units" in html


def test_design_page_shows_licences_completeness_bom_and_full_cost(client, printer):
    html = client.get(printer.get_absolute_url()).content.decode()
    assert 'href="https://spdx.org/licenses/CERN-OHL-S-2.0.html"' in html
    assert "17% complete" in html  # one of six areas complete; the draft does not count
    assert "PLA filament" in html
    # full cost: 310 + 180 + 38.5 kg x 0.19 = 497.32 (environmental 7.32)
    assert "Environmental (38.5 kg CO2e)" in html and "$7.32" in html
    assert "Full cost: $497.32" in html


def test_markdown_description_is_rendered_and_sanitised(client, printer):
    printer.description = "**Strong** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    printer.save()
    html = client.get(printer.get_absolute_url()).content.decode()
    assert "<strong>Strong</strong>" in html
    body = html.split('class="design-description"')[1].split("</div>")[0]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body


def test_unknown_design_is_404(client):
    assert client.get(reverse("designs:detail", kwargs={"slug": "no-such-design"})).status_code == 404


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_design_page_query_count_does_not_grow_with_levels_offers_or_bom(client, printer, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the rendered page (a cached one costs no query at all)
    url = printer.get_absolute_url()
    client.get(url)  # warm up the session and site caches
    before = _count_queries(client, url)

    # many more products, offers from other operators, BOM lines and designs it is used in
    for level in (1, 2, 3):
        for index in range(4):
            product = factories.level_product(printer, level, title=f"Variant {level}.{index}")
            factories.add_offer(product, price="90.00", partner_name=f"Workshop {level}.{index}")
    for index in range(10):
        other = factories.design(name=f"Machine {index}")
        BillOfMaterialsLine.objects.create(design=printer, component=other, quantity=1)
        BillOfMaterialsLine.objects.create(design=other, component=printer, quantity=1)

    after = _count_queries(client, url)
    assert after == before
    assert before <= 20


def test_bom_cycles_render_without_hanging(client):
    # given a design made with itself and a longer cycle A -> B -> C -> A
    a, b, c = (factories.design(name=name) for name in ("Alpha press", "Beta mill", "Gamma lathe"))
    BillOfMaterialsLine.objects.create(design=a, component=a, quantity=1, unit="set of printed parts")
    BillOfMaterialsLine.objects.create(design=a, component=b, quantity=1)
    BillOfMaterialsLine.objects.create(design=b, component=c, quantity=1)
    BillOfMaterialsLine.objects.create(design=c, component=a, quantity=1)

    started = time.monotonic()
    page = client.get(a.get_absolute_url())
    graph = client.get(reverse("designs:graph", kwargs={"slug": a.slug}))
    elapsed = time.monotonic() - started

    # then both pages answer, promptly, and the graph marks the edges that close a cycle
    assert page.status_code == 200 and graph.status_code == 200
    assert elapsed < 10
    html = graph.content.decode()
    assert html.count('class="cycle"') == 2  # A's self-loop, and C -> A (or its mirror) closing the ring
    for name in ("Alpha press", "Beta mill", "Gamma lathe"):
        assert name in html
    detail = page.content.decode()
    assert "Beta mill" in detail.split('id="bill-of-materials"')[1]
    assert "Gamma lathe" in detail.split('id="used-in"')[1]


def test_category_pages_exist_for_the_ten_goods_and_information_goods(client):
    from catalog.models import Category

    names = set(Category.objects.values_list("name", flat=True))
    assert {
        "Cars", "Houses", "3D printers", "Plumbing fittings", "Potatoes", "Tablets", "CNC circuit mills",
        "Trainable robots", "PV panel production", "Fuel production", "Books", "Webinars", "Curricula",
    } <= names  # fmt: skip
    books = Category.objects.get(name="Books")
    assert client.get(books.get_absolute_url()).status_code == 200
