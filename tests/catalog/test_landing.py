"""The landing page at / says what the shop is, and leads into each part: the three levels, certified designs,
storefronts (nearest first when the visitor says where), the campus fund's total. Every page's footer leads to the
shop's own pages that staff published."""

from decimal import Decimal

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_landing_page_leads_into_every_part_of_the_shop(client):
    certified = factories.design(name="CEB press", slug="ceb-press")
    factories.certify(certified)
    factories.storefront("Berlin Fab", city="Berlin")
    factories.storefront("Lyon Fab", city="Lyon")

    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200  # not Oscar's redirect to the product grid
    for level in ("Level 1 · Product", "Level 2 · Production", "Level 3 · Distribution"):
        assert level in html
    assert f"{reverse('designs:list')}?level=3" in html
    certified_list = html.split('id="certified-designs"', 1)[1].split("</section>", 1)[0]
    assert 'href="/designs/ceb-press/"' in certified_list
    assert "Berlin Fab" in html and "Lyon Fab" in html
    assert "$0.00" in html.split('id="campus-fund-total"', 1)[1] and reverse("revenue:campus-fund") in html


def test_storefronts_nearest_to_the_visitor_come_first(client):
    factories.storefront("Berlin Fab", city="Berlin")
    factories.storefront("Lyon Fab", city="Lyon")
    html = client.get("/", {"near": "48.8566, 2.3522"}).content.decode()  # Paris
    near = html.split('id="storefronts-near"', 1)[1]
    assert "Storefronts nearest to you" in near and near.index("Lyon Fab") < near.index("Berlin Fab")
    assert " km</span>" in near


def test_the_campus_fund_total_is_the_ledgers(client, two_operators, django_capture_on_commit_callbacks):
    from marketplace.revenue.models import Account
    from marketplace.revenue.selectors import fund_total

    order = factories.checkout([two_operators["printer"]], capture=django_capture_on_commit_callbacks)
    factories.pay_offline(order, capture=django_capture_on_commit_callbacks)
    total = fund_total(Account.CAMPUS_FUND)
    assert total > Decimal("0")
    assert f"${total:,.2f}" in client.get("/").content.decode().split('id="campus-fund-total"', 1)[1]


def test_the_footer_links_the_pages_staff_published(client):
    page = FlatPage.objects.create(url="/returns/", title="Returns and refunds", content="<p>Within 30 days.</p>")
    page.sites.add(Site.objects.get_current())
    footer = client.get(reverse("designs:list")).content.decode().split('id="site-footer"', 1)[1]
    assert 'href="/returns/">Returns and refunds</a>' in footer and 'href="/about/"' not in footer
    assert "Within 30 days." in client.get("/returns/").content.decode()
