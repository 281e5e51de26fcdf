"""A certificate that runs out takes the OSE Certified badge off cached pages too: nothing is written when it
expires, so a cached page that shows a badge is kept no longer than the certificate behind it, and never served
after it ends."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.ops import pagecache
from tests import factories

pytestmark = pytest.mark.django_db
BADGE = 'class="ose-certified"'
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def certified(clock):
    """Holder Fab offers a printer whose design's certificate (Holder Fab's operator holds the mark) ends in an
    hour, and another, lasting one; Other Fab offers the printer too, without the mark."""
    printer = factories.design(name="D3D printer")
    product = factories.level_product(printer, 1, title="D3D printer, assembled")
    product.stockrecords.all().delete()
    lasting = factories.design(name="CEB press", category_name="Houses")
    press = factories.level_product(lasting, 1, title="CEB press kit")
    press.stockrecords.all().delete()
    holder, other = factories.storefront("Holder Fab", city="Berlin"), factories.storefront("Other Fab", city="Lyon")
    for store, item in ((holder, product), (other, product), (holder, press)):
        factories.offer(store, item)
    ending = factories.certify(printer, holders=[holder.operator])
    ending.expires_at = timezone.now() + timedelta(hours=1)
    ending.save(update_fields=["expires_at"])
    factories.certify(lasting, holders=[holder.operator], days_valid=365)
    return {"design": printer, "product": product, "holder": holder, "other": other, "certificate": ending}


def _pages(certified):
    return {
        "storefront": certified["holder"].get_absolute_url(),
        "design": certified["design"].get_absolute_url(),
        "product": certified["product"].get_absolute_url(),
        "catalogue": reverse("catalogue:index"),
        "designs": reverse("designs:list"),
        "search": reverse("search:search") + "?q=printer",
    }


def _html(client, path) -> str:
    page = client.get(path)
    assert page.status_code == 200, path
    return page.content.decode()


def _certified_section(html: str) -> str:
    return html.split('id="certification"')[1].split("</div>")[0]


def test_a_certificate_that_runs_out_takes_its_badge_off_every_cached_page_with_no_write(certified, clock, client):
    # given every page cached while the certificate holds: the badge on the storefront, the design page certified
    pages, certificate = _pages(certified), certified["certificate"]
    first = {name: _html(client, path) for name, path in pages.items()}
    assert first["storefront"].count(BADGE) == 4  # printer and press offers, and the storefront's two marks
    assert certificate.public_id in _certified_section(first["design"])
    generation = pagecache.generation()

    # when the certificate's hour is over, nothing having been written
    clock.move_to(certificate.expires_at + timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        after = {name: _html(client, path) for name, path in pages.items()}

    # then the next request of each page shows no badge of that certificate: the storefront keeps the press's
    assert after["storefront"].count(BADGE) == 2
    assert "D3D printer" not in after["storefront"].split('id="marks"')[1]
    design = _certified_section(after["design"])
    assert "Not OSE Certified yet." in design and certificate.public_id not in design
    for name in ("product", "catalogue", "designs", "search"):
        assert BADGE not in after[name] and certificate.public_id not in after[name], name
    assert not [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().startswith(WRITES)]
    assert pagecache.generation() == generation  # nothing retired the pages: their own lifetime did


def test_a_page_with_a_badge_is_kept_no_longer_than_its_certificate(certified, clock, client, settings):
    # given a page cache that keeps pages for a day
    settings.PAGE_CACHE_SECONDS = 24 * 3600
    storefront, certificate = certified["holder"].get_absolute_url(), certified["certificate"]
    assert _html(client, storefront).count(BADGE) == 4

    # a minute before the certificate ends the cached page is served as it was, without a query ...
    clock.move_to(certificate.expires_at - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        assert _html(client, storefront).count(BADGE) == 4
    assert not queries.captured_queries

    # ... and a second after, the page is rendered again, without that badge
    clock.move_to(certificate.expires_at + timedelta(seconds=1))
    assert _html(client, storefront).count(BADGE) == 2


def test_a_page_without_a_badge_keeps_the_page_cache_lifetime(certified, clock, client):
    # the other storefront offers the printer without the mark: its page owes nothing to the certificate
    storefront = certified["other"].get_absolute_url()
    assert BADGE not in _html(client, storefront)

    clock.move_to(certified["certificate"].expires_at + timedelta(seconds=1))
    with CaptureQueriesContext(connection) as queries:
        assert BADGE not in _html(client, storefront)
    assert not queries.captured_queries  # still the cached page
