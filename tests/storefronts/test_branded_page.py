"""The OSE-branded storefront page for storefronts whose operator holds the brand (accepted the current Social
Contract), the plain page for the others; and a storefront's own host name, which shows its branded page at "/"."""

import pytest
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse

from marketplace.contract import services as contract_services
from marketplace.storefronts.models import Storefront
from tests.reliability.hostile.html import injected

pytestmark = pytest.mark.django_db
BRAND = 'id="ose-brand"'


@pytest.fixture
def shop(two_operators):
    """Berlin Fab's operator accepted the contract's current version; Lyon Fab's did not."""
    version = contract_services.publish_version(text="1. **Open source.**", staff=None, notify=False)
    berlin = two_operators["berlin"]
    contract_services.accept_version(user=berlin.operator, version=version, name="Berlin", email="b@example.com")
    return {**two_operators, "version": version}


def test_a_brand_holder_gets_the_branded_page_with_all_the_plain_page_shows(client, shop):
    berlin = shop["berlin"]
    berlin.about = "We print **in Berlin**."
    berlin.campus_fund_percent = "7.50"
    berlin.save()
    page = client.get(berlin.get_absolute_url()).content.decode()
    assert BRAND in page and "OSE-branded storefront" in page and "(version 1)" in page
    assert "<strong>in Berlin</strong>" in page  # its about section
    assert "D3D printer, assembled" in page and "$900.00" in page  # its offers
    assert 'id="campus-fund-share">7.50%' in page and reverse("revenue:campus-fund") in page
    assert "Berlin, DE" in page and berlin.contact_email in page and 'id="tier"' in page


def test_in_a_new_version_s_grace_period_the_page_names_the_version_the_operator_accepted(client, shop):
    contract_services.publish_version(text="1. **Open source.** 2. *Open books.*", staff=None, notify=False)
    page = client.get(shop["berlin"].get_absolute_url()).content.decode()
    assert BRAND in page and "(version 1)" in page and "(version 2)" not in page


def test_a_storefront_whose_operator_has_not_accepted_gets_the_plain_page(client, shop):
    page = client.get(shop["lyon"].get_absolute_url()).content.decode()
    assert BRAND not in page
    assert "CNC mill, assembled" in page and 'id="marks"' in page  # the plain page, as before


def test_the_branded_page_shows_its_ose_certified_marks(client, shop):
    contract_services.accept_version(user=shop["lyon"].operator, version=shop["version"], name="Lyon",
                                     email="l@example.com")  # fmt: skip
    page = client.get(shop["lyon"].get_absolute_url()).content.decode()
    assert BRAND in page
    marks = page.split('id="marks"')[1].split("</ul>")[0]
    assert "ose-certified" in marks and "CNC mill" in marks


def test_staff_markdown_and_operator_fields_are_escaped_on_the_branded_page(client, shop):
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>[x](javascript:alert(1))"
    berlin = shop["berlin"]
    baseline = client.get(berlin.get_absolute_url()).content.decode()
    Storefront.objects.filter(pk=berlin.pk).update(name=f"Berlin {payload}"[:100], tagline=payload[:160],
                                                   about=payload, city=f"Berlin {payload}"[:100],
                                                   contact_phone=payload[:32])  # fmt: skip
    version = contract_services.publish_version(text=f"Principles {payload}", staff=None, notify=False)
    contract_services.accept_version(user=berlin.operator, version=version, name=payload, email="b@example.com")
    page = client.get(berlin.get_absolute_url()).content.decode()
    assert BRAND in page
    assert injected(page, baseline) == []
    contract_page = client.get(reverse("contract:current")).content.decode()
    assert "<script>alert(1)" not in contract_page and "javascript:alert" not in contract_page


# --- a storefront's own host name --------------------------------------------------------------------------------


@pytest.fixture
def custom_host(shop, settings):
    settings.ALLOWED_HOSTS = ["testserver", "fab.example.org", "lyon.example.org"]
    berlin = shop["berlin"]
    client = Client()
    client.force_login(berlin.operator)
    data = {field: getattr(berlin, field) for field in (
        "name", "tagline", "about", "primary_colour", "accent_colour", "contact_email", "contact_phone", "city",
        "country", "latitude", "longitude", "campus_fund_percent", "shipping_charge")}  # fmt: skip
    response = client.post(reverse("storefronts:dashboard"), {**data, "custom_host": "Fab.Example.ORG"})
    assert response.status_code == 302
    berlin.refresh_from_db()
    return berlin


def test_the_operator_sets_a_custom_host_which_gets_a_site(custom_host):
    assert custom_host.custom_host == "fab.example.org"
    assert Site.objects.filter(domain="fab.example.org", name="Berlin Fab").exists()


@pytest.mark.parametrize(
    "host", ["http://fab.example.org", "fab.example.org/shop", "fab", "fab_example.org", "-fab.example.org",
             "127.0.0.1", "fab.example.org:8000", "x" * 250 + ".org"],
)  # fmt: skip
def test_a_host_that_is_not_a_host_name_is_refused_with_a_reason(client, shop, host):
    berlin = shop["berlin"]
    client.force_login(berlin.operator)
    data = {field: getattr(berlin, field) for field in (
        "name", "primary_colour", "accent_colour", "contact_email", "city", "country", "latitude", "longitude",
        "campus_fund_percent", "shipping_charge")}  # fmt: skip
    page = client.post(reverse("storefronts:dashboard"), {**data, "custom_host": host})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Give a host name like shop.example.org" in html or "Ensure this value has at most 253" in html
    berlin.refresh_from_db()
    assert berlin.custom_host is None


def test_two_storefronts_cannot_share_a_host_nor_take_the_shop_s_own(client, custom_host, shop, settings):
    lyon = shop["lyon"]
    client.force_login(lyon.operator)
    data = {field: getattr(lyon, field) for field in (
        "name", "primary_colour", "accent_colour", "contact_email", "city", "country", "latitude", "longitude",
        "campus_fund_percent", "shipping_charge")}  # fmt: skip
    page = client.post(reverse("storefronts:dashboard"), {**data, "custom_host": "FAB.example.org"})
    assert "Storefront with this Custom host name already exists." in page.content.decode()
    settings.SITE_URL = "https://shop.example.org"
    page = client.post(reverse("storefronts:dashboard"), {**data, "custom_host": "shop.example.org"})
    assert "That is the shop&#x27;s own address" in page.content.decode()


def test_the_custom_host_shows_the_branded_page_at_its_root(custom_host):
    visitor = Client(HTTP_HOST="fab.example.org")
    page = visitor.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert BRAND in html and "D3D printer, assembled" in html
    # the shop's own root on its own host is not the storefront, even after the storefront's page was cached
    assert BRAND not in Client().get("/").content.decode()
    assert BRAND in visitor.get("/").content.decode()
    # other paths on the custom host are the shop's own pages
    assert visitor.get(reverse("contract:current")).status_code == 200


def test_the_custom_host_leads_to_the_shop_when_the_brand_is_lost_or_the_storefront_suspended(custom_host, shop,
                                                                                               settings):  # fmt: skip
    settings.SITE_URL = "https://shop.example.org"
    visitor = Client(HTTP_HOST="fab.example.org")
    contract_services.publish_version(text="2. More.", staff=None, notify=False, grace_days=0, accept_by=None)
    # a new version with no grace period: the brand is gone
    from django.utils import timezone

    from marketplace.contract.models import ContractVersion

    ContractVersion.objects.filter(number=2).update(published_at=timezone.now() - timezone.timedelta(days=1))
    response = visitor.get("/")
    assert response.status_code == 302 and response["Location"] == "https://shop.example.org/stores/berlin-fab/"
    # accepted again, but suspended: still the shop's page of it
    contract_services.accept_version(user=custom_host.operator, version=ContractVersion.objects.get(number=2),
                                     name="Berlin", email="b@example.com")  # fmt: skip
    assert BRAND in visitor.get("/").content.decode()
    Storefront.objects.filter(pk=custom_host.pk).update(status=Storefront.SUSPENDED)
    response = visitor.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/stores/berlin-fab/")


def test_a_host_outside_allowed_hosts_is_refused_by_django(custom_host, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    assert Client(HTTP_HOST="fab.example.org").get("/").status_code == 400


def test_a_host_changed_elsewhere_than_the_dashboard_is_followed_at_once(custom_host, shop, settings):
    visitor = Client(HTTP_HOST="lyon.example.org")
    assert BRAND not in visitor.get("/").content.decode()  # not a storefront's host (yet): the shop's own root
    lyon = shop["lyon"]
    contract_services.accept_version(user=lyon.operator, version=shop["version"], name="Lyon", email="l@example.com")
    lyon.custom_host = "lyon.example.org"
    lyon.save()  # as the admin saves it
    page = visitor.get("/").content.decode()
    assert BRAND in page and "CNC mill, assembled" in page
