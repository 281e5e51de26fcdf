"""A shopper who lands on a product page from search learns it is an open design: the page links to its design and
shows the design's licences, documentation score and other levels, and marks the offers of OSE Certified operators."""

import pytest

from catalog import standards
from catalog.models import DesignDocument
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def printer():
    design = factories.design(name="D3D printer", slug="d3d-printer")
    assembled = factories.level_product(design, 1, title="D3D printer, assembled")
    workshop = factories.level_product(design, 2, title="D3D build workshop")
    berlin, lyon = factories.storefront("Berlin Fab", city="Berlin"), factories.storefront("Lyon Fab", city="Lyon")
    factories.offer(berlin, assembled, price="990.00")
    factories.offer(lyon, assembled, price="950.00")
    factories.certify(design, holders=[berlin.operator])
    return {"design": design, "assembled": assembled, "workshop": workshop, "berlin": berlin, "lyon": lyon}


def _section(html: str, marker: str) -> str:
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def test_the_product_page_leads_to_its_open_design(client, printer):
    html = client.get(printer["assembled"].get_absolute_url()).content.decode()
    box = _section(html, 'id="open-design"')
    assert 'href="/designs/d3d-printer/"' in box
    assert "CERN-OHL-S-2.0" in box and "GPL-3.0-or-later" in box and "CC-BY-SA-4.0" in box
    assert 'id="product-completeness"' in box and "0% documented" in box
    assert "OSE Certified" in box
    other_levels = _section(html, 'id="other-levels"')
    assert printer["workshop"].get_absolute_url() in other_levels and "D3D build workshop" in other_levels
    assert printer["assembled"].title not in other_levels


def test_the_documentation_score_is_the_design_pages(client, printer):
    DesignDocument.objects.create(design=printer["design"], area=standards.PRODUCT_DESIGN, url="https://example.org/cad",
                                  status="complete")  # fmt: skip
    product_page = client.get(printer["assembled"].get_absolute_url()).content.decode()
    design_page = client.get("/designs/d3d-printer/").content.decode()
    score = design_page.split('id="completeness">', 1)[1].split("%", 1)[0]
    assert score != "0" and f"{score}% documented" in product_page


def test_the_mark_shows_beside_the_offers_of_mark_holders_only(client, printer):
    html = client.get(printer["assembled"].get_absolute_url()).content.decode()
    offers = html.split('id="operator-offers"', 1)[1].split("</table>", 1)[0]
    berlin_row = offers.split("Berlin Fab", 1)[1].split("</tr>", 1)[0]
    lyon_row = offers.split("Lyon Fab", 1)[1].split("</tr>", 1)[0]
    assert "ose-mark" in berlin_row and "ose-mark" not in lyon_row


def test_a_product_without_a_design_has_no_design_box(client):
    product = factories.product_in_stock(title="Spare bolt")
    html = client.get(product.get_absolute_url()).content.decode()
    assert 'id="open-design"' not in html
