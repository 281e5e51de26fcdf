"""The OSE Certified badge, gated: shown on a storefront only for designs its operator holds a valid certificate
for; expiry and revocation remove it everywhere at once; request data cannot claim it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certification import services
from certification.models import Certificate
from tests import factories

pytestmark = pytest.mark.django_db
BADGE = 'class="ose-certified"'


@pytest.fixture
def market():
    printer = factories.design(name="D3D printer")
    product = factories.level_product(printer, 1, title="D3D printer, assembled")
    product.stockrecords.all().delete()
    holder = factories.storefront("Holder Fab", city="Berlin")
    other = factories.storefront("Other Fab", city="Lyon")
    for store in (holder, other):
        factories.offer(store, product)
    certificate = factories.certify(printer, holders=[holder.operator])
    return {"design": printer, "product": product, "holder": holder, "other": other, "certificate": certificate}


def _storefront_pages(store):
    return [store.get_absolute_url(), store.get_absolute_url() + "?near=Berlin"]


def test_every_storefront_page_shows_the_badge_for_holders_only(client, market):
    for url in _storefront_pages(market["holder"]):
        html = client.get(url).content.decode()
        assert html.count(BADGE) == 2, url  # on the offer, and in the storefront's list of certified marks
        assert "D3D printer" in html.split('id="marks"')[1]
    for url in _storefront_pages(market["other"]):
        assert BADGE not in client.get(url).content.decode(), url


def test_the_design_page_says_certified_and_lists_entitled_storefronts(client, market):
    html = client.get(market["design"].get_absolute_url()).content.decode()
    section = html.split('id="certification"')[1].split("</div>")[0]
    assert market["certificate"].public_id in section
    assert "Holder Fab" in section and "Other Fab" not in section


def test_request_data_cannot_claim_the_mark(client, market):
    other = market["other"]
    page = client.get(other.get_absolute_url(), {"ose_certified": "1", "mark": "1", "holder": "1"})
    assert BADGE not in page.content.decode()
    client.force_login(other.operator)
    client.post(reverse("storefronts:dashboard"), {"name": "Other Fab", "ose_certified": "1", "mark_holder": "1"})
    assert BADGE not in client.get(other.get_absolute_url()).content.decode()
    from certification.marks import may_show_mark

    assert not may_show_mark(storefront=other, design=market["design"])


@pytest.mark.parametrize("ending", ["expire", "revoke"])
def test_expiry_and_revocation_remove_the_badge_everywhere_at_once(client, market, ending):
    certificate = market["certificate"]
    if ending == "expire":
        Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        services.revoke_certificate(certificate=certificate, staff=None, reason="Quality-control data falsified")

    assert BADGE not in client.get(market["holder"].get_absolute_url()).content.decode()
    design_page = client.get(market["design"].get_absolute_url()).content.decode()
    assert "Not OSE Certified yet." in design_page and certificate.public_id not in design_page
    assert certificate.public_id not in client.get(reverse("certification:directory")).content.decode()
    state = client.get(certificate.get_absolute_url()).content.decode()
    if ending == "expire":
        assert "EXPIRED on" in state
    else:
        assert "REVOKED on" in state and "Quality-control data falsified" in state


def test_a_suspended_holder_shows_no_badge(client, market):
    from certification.marks import may_show_mark
    from marketplace.storefronts.services import suspend_storefront

    holder = suspend_storefront(storefront=market["holder"], staff=None, reason="Audit")
    assert not may_show_mark(storefront=holder, design=market["design"])


def test_directory_and_certificate_page_work_for_anonymous_visitors(client, market):
    certificate = market["certificate"]
    expired = factories.certify(factories.design(name="Old press"), days_valid=-1)
    directory = client.get(reverse("certification:directory")).content.decode()
    assert certificate.public_id in directory and expired.public_id not in directory
    everything = client.get(reverse("certification:directory"), {"state": "all"}).content.decode()
    assert expired.public_id in everything and "expired" in everything
    page = client.get(certificate.get_absolute_url())
    assert page.status_code == 200
    assert "VALID now" in page.content.decode() and "Holder Fab" in page.content.decode()
    assert client.get(reverse("certification:certificate", args=["OSE-1999-999999"])).status_code == 404


def test_certifiers_find_their_queue_from_the_shop_header(client, market):
    from django.contrib.auth.models import Group

    certifier = factories.UserFactory()
    certifier.groups.add(Group.objects.get(name="Certifiers"))
    queue = reverse("certification:queue")
    assert queue not in client.get("/designs/").content.decode()
    client.force_login(certifier)
    assert queue in client.get("/designs/").content.decode()
    assert client.get(queue).status_code == 200
