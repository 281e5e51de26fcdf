"""Who holds a valid OSE Certified mark is decided in one place (``Certificate.valid_q`` and ``Certificate.state``,
read through ``certification.marks``): change that rule and every page and sum that depends on it follows, the
product listings, the storefront page, the design page, the royalties and the licences on sale."""

import pytest
from django.db.models import Q
from django.urls import reverse

from certification.models import Certificate
from marketplace.revenue.models import Account, Posting
from marketplace.storefronts.rules import offer_is_live
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(two_operators):
    """Lyon holds the CNC mill's mark (see two_operators): its licence is on sale, its page shows the mark."""
    return two_operators


def _seen(client, two_operators) -> dict:
    lyon, licence = two_operators["lyon"], two_operators["licence"]
    catalogue = client.get(reverse("catalogue:index")).content.decode()
    design = client.get(licence.product.design.get_absolute_url()).content.decode()
    store = client.get(lyon.get_absolute_url()).content.decode()
    return {
        "licence listed": licence.product.title in catalogue,
        "licence live": offer_is_live(type(licence).objects.select_related("partner__storefront", "product")
                                      .get(pk=licence.pk)),
        "design names the holder": "Storefronts entitled to the mark" in design and "Lyon Fab" in design.split(
            "Storefronts entitled to the mark", 1)[1].split("</p>", 1)[0],
        "storefront shows the mark": 'class="ose-certified"' in store,
    }


def _never_valid(prefix: str = "", *, now=None) -> Q:
    return Q(**{f"{prefix}pk__in": []})


def _royalties_of_a_mill_sale(certified, capture) -> int:
    """Contributor royalty postings booked for one paid sale of the certified mill."""
    before = Posting.objects.filter(account__kind=Account.CONTRIBUTOR).count()
    order = factories.checkout([certified["mill"]], capture=capture)
    factories.pay_offline(order, capture=capture)
    return Posting.objects.filter(account__kind=Account.CONTRIBUTOR).count() - before


def test_the_mark_rule_has_one_home_that_every_reader_follows(
    client, certified, monkeypatch, django_capture_on_commit_callbacks
):
    before = _seen(client, certified)
    assert before["licence listed"] and before["licence live"] and before["design names the holder"]
    assert before["storefront shows the mark"]
    assert _royalties_of_a_mill_sale(certified, django_capture_on_commit_callbacks) == 1

    monkeypatch.setattr(Certificate, "valid_q", staticmethod(_never_valid))
    from marketplace.ops import pagecache

    pagecache.retire_all()
    after = _seen(client, certified)
    assert not after["licence listed"] and not after["licence live"] and not after["design names the holder"]
    assert not after["storefront shows the mark"]
    assert _royalties_of_a_mill_sale(certified, django_capture_on_commit_callbacks) == 0
