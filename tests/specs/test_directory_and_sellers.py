"""The designs directory filters and sorts by the Specifications score; each design's producers (who offers the made
good or its licence) and non-producers (who sells only its other goods), on the design page and to staff."""

import re

import pytest
from django.urls import reverse

from marketplace.storefronts import offers as storefront_offers
from marketplace.storefronts.models import Storefront
from tests import factories
from tests.specs.conftest import answers_form, codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(v1):
    """Three designs scored 80 %, 40 % and 100 %, one not scored."""
    staff = factories.UserFactory(email="staff@example.com", is_staff=True)
    from django.test import Client

    client = Client()
    client.force_login(staff)
    designs = {}
    all_codes = codes(v1)
    for name, yes in (("Brick press", 36), ("Tractor", 18), ("Printer", 45), ("Sawmill", 0)):
        design = factories.design(name=name, category_name="Tools")
        if yes:
            client.post(reverse("specs:answer", kwargs={"slug": design.slug}),
                        answers_form(v1, dict.fromkeys(all_codes[:yes], "yes")))  # fmt: skip
        designs[name] = design
    return designs


def _names(html: str) -> list[str]:
    return re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a>', html)


def test_the_directory_shows_each_designs_score_and_says_not_scored_yet(client, scored):
    html = client.get(reverse("designs:list")).content.decode()
    cards = dict(zip(_names(html), html.split('class="card h-100 design-card"')[1:], strict=True))
    assert "80.0 %" in cards["Brick press"] and "high relevance" in cards["Brick press"]
    assert "40.0 %" in cards["Tractor"] and "high relevance" not in cards["Tractor"]
    assert "not scored yet" in cards["Sawmill"]


def test_the_directory_sorts_by_score_highest_first_and_the_unscored_last(client, scored):
    html = client.get(reverse("designs:list"), {"sort": "score"}).content.decode()
    assert _names(html) == ["Printer", "Brick press", "Tractor", "Sawmill"]


def test_the_directory_filters_fifty_percent_and_over(client, scored):
    html = client.get(reverse("designs:list"), {"score": "50", "sort": "score"}).content.decode()
    assert _names(html) == ["Printer", "Brick press"]
    assert _names(client.get(reverse("designs:list"), {"score": "90"}).content.decode()) == ["Printer"]


@pytest.mark.parametrize("floor", ["-1", "0", "1000000000", "1.5", "fifty", "49"])
def test_a_score_floor_not_offered_is_refused_in_words_and_lists_every_design(client, scored, floor):
    response = client.get(reverse("designs:list"), {"score": floor, "sort": "nonsense"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert sorted(_names(html)) == ["Brick press", "Printer", "Sawmill", "Tractor"]


@pytest.fixture
def sellers():
    """The press sold by a producer of the made good, a producer of its licence (a mark holder), a storefront that
    sells only its e-book and its training, one that sells both the e-book and the made good, a suspended
    storefront's and a withdrawn offer."""
    design = factories.design(name="CEB press", category_name="Houses")
    press = factories.level_product(design, 1, title="CEB press")
    licence = factories.level_product(design, 3, title="CEB press licence")
    training = factories.level_product(design, 2, title="CEB press workshop")
    from catalog.models import Product

    ebook = Product.objects.create(title="CEB press e-book", product_class=factories.product_class("level-1-digital"),
                                   design=design, is_public=True)  # fmt: skip
    maker = factories.storefront("Maker Fab")
    licensee = factories.storefront("Licence Works", city="Berlin")
    teacher = factories.storefront("Teaching Barn", city="Lyon")
    both = factories.storefront("All Round", city="Portland")
    suspended = factories.storefront("Gone Fab", city="Nairobi")
    withdrawn = factories.storefront("Withdrawn Fab", city="Maysville")
    factories.certify(design, holders=[licensee.operator])
    factories.offer(maker, press)
    factories.offer(licensee, licence, stock=None)
    factories.offer(teacher, ebook, stock=None)
    factories.offer(teacher, training)
    factories.offer(both, ebook, stock=None)
    factories.offer(both, press)
    factories.offer(suspended, press)
    Storefront.objects.filter(pk=suspended.pk).update(status=Storefront.SUSPENDED)
    offer = factories.offer(withdrawn, training)
    storefront_offers.withdraw(offer=offer)
    return design


def test_the_design_page_counts_producers_and_non_producers_and_links_them(client, sellers):
    html = client.get(sellers.get_absolute_url()).content.decode()
    producers = html.split('id="producers"')[1].split("</p>")[0]
    non_producers = html.split('id="non-producers"')[1].split("</p>")[0]
    assert "3 producers" in producers
    assert re.findall(r">([^<]+)</a>", producers) == ["All Round", "Licence Works", "Maker Fab"]
    assert "1 non-producer" in non_producers and "Teaching Barn" in non_producers
    assert 'href="/stores/teaching-barn/"' in non_producers or "teaching-barn" in non_producers
    assert "Gone Fab" not in html.split('id="sellers"')[1].split("</section>")[0]
    assert "Withdrawn Fab" not in html.split('id="sellers"')[1].split("</section>")[0]


def test_a_design_nobody_sells_has_no_producers_and_no_non_producers(client):
    design = factories.design(name="Lonely design")
    html = client.get(design.get_absolute_url()).content.decode()
    assert "0 producers" in html and "0 non-producers" in html


def test_staff_see_scores_producers_and_non_producers_in_the_design_list(client, sellers, scored):
    client.force_login(factories.UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    html = client.get(reverse("dashboard:catalogue-design-list")).content.decode()
    row = html.split(">CEB press</a>")[1].split("</tr>")[0]
    assert re.search(r'class="producers" title="All Round, Licence Works, Maker Fab">3<', row)
    assert re.search(r'class="non-producers" title="Teaching Barn">1<', row)
    assert "not scored yet" in row
    assert "80.0 %" in html.split(">Brick press</a>")[1].split("</tr>")[0]
