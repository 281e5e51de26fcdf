"""Anyone signed in applies; staff approve or reject with a reason; the applicant is emailed; suspension hides
offers at once and reinstatement brings them back with nothing lost."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from marketplace.storefronts.models import Storefront, StorefrontEvent
from tests import factories
from tiers.models import Tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(factories.staff(*REVIEWER, email="staff@example.com"))
    return client


REVIEWER = ("storefronts.view_storefront", "storefronts.change_storefront")  # staff who review storefronts
APPLICATION = {
    "slug": "apartment-fab", "name": "Apartment Fab", "tagline": "Printers from a flat", "about": "",
    "primary_colour": "#1565c0", "accent_colour": "#1b1b1b", "contact_email": "fab@example.com",
    "contact_phone": "", "city": "Kansas City", "country": "US", "latitude": "", "longitude": "",
    "campus_fund_percent": "6.00",
}  # fmt: skip


def test_a_signed_in_user_applies_and_the_city_is_located(client):
    user = factories.UserFactory(email="maker@example.com")
    client.force_login(user)
    passive = Tier.objects.get(code="passive")
    response = client.post(reverse("storefronts:apply"), {**APPLICATION, "tier": passive.pk})
    assert response.status_code == 302
    store = Storefront.objects.get(operator=user)
    assert store.status == "pending"
    assert round(store.latitude) == 39 and round(store.longitude) == -95  # Kansas City, from GeoNames
    assert client.get(store.get_absolute_url()).status_code == 200  # its own operator can look at it
    client.logout()
    assert client.get(store.get_absolute_url()).status_code == 404  # nobody else, while pending


def test_anonymous_visitors_must_sign_in_to_apply(client):
    assert client.get(reverse("storefronts:apply")).status_code == 302


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"campus_fund_percent": "2.00"}, "The campus fund share cannot be below the minimum of 5.00%."),
        ({"primary_colour": "red;x:y"}, "Use a colour like #2e7d32."),
        ({"city": "Xyzzyville", "country": "US"}, "We could not find that city"),
        ({"tier": "campus"}, "Select a valid choice"),  # a new storefront cannot start in a tier with requirements
    ],
)
def test_bad_applications_are_refused_with_a_clear_message(client, change, message):
    client.force_login(factories.UserFactory())
    data = {**APPLICATION, "tier": Tier.objects.get(code="passive").pk, **change}
    if change.get("tier"):
        data["tier"] = Tier.objects.get(code=change["tier"]).pk
    page = client.post(reverse("storefronts:apply"), data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Storefront.objects.exists()


def test_staff_approve_and_the_applicant_is_emailed(staff_client, django_capture_on_commit_callbacks):
    store = factories.storefront("Apartment Fab", tier="passive", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "approve"]))
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.status == "active" and store.partner.users.filter(pk=store.operator_id).exists()
    assert store.operator.has_perm("partner.dashboard_access")
    assert [m.to for m in mail.outbox] == [[store.operator.email]]
    assert "was approved" in mail.outbox[0].subject


def test_the_operators_email_is_the_one_staff_wrote_and_stays_in_their_history(staff_client,
                                                                               django_capture_on_commit_callbacks):
    from oscar.core.loading import get_model

    CommunicationEventType = get_model("communication", "CommunicationEventType")
    Email = get_model("communication", "Email")
    CommunicationEventType.objects.filter(code="STOREFRONT_CHANGED").update(
        email_subject_template="Welcome aboard, {{ storefront.name }}",
        email_body_template="{{ storefront.name }} is {{ event.action }}. {{ storefront_url }}",
    )  # staff rewrote it under Content → Emails
    store = factories.storefront("Apartment Fab", tier="passive", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "approve"]))
    [sent] = mail.outbox
    assert (sent.subject, sent.to) == ("Welcome aboard, Apartment Fab", [store.operator.email])
    assert sent.body.startswith("Apartment Fab is approved. http") and sent.body.endswith("/dashboard/storefront/")
    assert Email.objects.filter(user=store.operator, subject="Welcome aboard, Apartment Fab").exists()


def test_staff_reject_with_a_reason_the_applicant_reads(staff_client, django_capture_on_commit_callbacks):
    store = factories.storefront("Apartment Fab", tier="passive", active=False)
    no_reason = staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "reject"]), follow=True)
    assert "Say why the storefront is rejected" in no_reason.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "reject"]),
                                 {"reason": "No location"}, follow=True)  # fmt: skip
    assert "Apartment Fab is rejected; its operator is told by e-mail." in done.content.decode()
    store.refresh_from_db()
    assert store.status == "rejected"
    assert "Reason: No location" in mail.outbox[0].body
    assert StorefrontEvent.objects.filter(storefront=store, action="rejected", actor__is_staff=True).exists()


def test_operators_cannot_use_the_staff_decisions(client):
    store = factories.storefront("Apartment Fab", tier="passive", active=False)
    client.force_login(store.operator)
    client.post(reverse("storefronts:staff-decide", args=[store.pk, "approve"]))
    store.refresh_from_db()
    assert store.status == "pending"


def test_suspension_hides_offers_at_once_and_reinstatement_restores_them(client):
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(factories.staff(*REVIEWER))
    printer = factories.design(name="D3D printer")
    product = factories.level_product(printer, 1, title="D3D printer, assembled", partner_name="Nobody")
    product.stockrecords.all().delete()
    store = factories.storefront("Apartment Fab")
    factories.offer(store, product, price="960.00", stock=4)
    shopper = factories.UserFactory()
    client.force_login(shopper)

    assert "Apartment Fab" in client.get(printer.get_absolute_url()).content.decode()
    staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "suspend"]), {"reason": "Complaints"})

    design_page = client.get(printer.get_absolute_url()).content.decode()
    product_page = client.get(product.get_absolute_url()).content.decode()
    assert "Apartment Fab" not in design_page and "Apartment Fab" not in product_page
    added = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}, follow=True)
    assert "Apartment Fab" not in added.content.decode()
    assert client.get(store.get_absolute_url()).status_code == 404

    staff_client.post(reverse("storefronts:staff-decide", args=[store.pk, "reinstate"]))
    offer = store.partner.stockrecords.get()
    assert (offer.price, offer.num_in_stock) == (Decimal("960.00"), 4)  # nothing lost
    assert "Apartment Fab" in client.get(printer.get_absolute_url()).content.decode()


def test_operator_edits_only_its_own_storefront_settings(client):
    store = factories.storefront("Apartment Fab")
    other = factories.storefront("Garage Works", city="Nairobi")
    client.force_login(store.operator)
    page = client.get(reverse("storefronts:dashboard"))
    assert "Apartment Fab" in page.content.decode() and "Garage Works" not in page.content.decode()
    data = {**APPLICATION, "name": "Apartment Fab & Co", "latitude": "39.1", "longitude": "-94.5"}
    data.pop("slug")
    assert client.post(reverse("storefronts:dashboard"), data).status_code == 302
    store.refresh_from_db()
    other.refresh_from_db()
    assert store.name == "Apartment Fab & Co" and store.partner.name == "Apartment Fab & Co"
    assert other.name == "Garage Works"


def test_directory_filters_by_tier_category_and_distance(client):
    from catalog.models import Category

    berlin = factories.storefront("Berlin Fab", tier="microfactory-1", city="Berlin")
    factories.storefront("Lyon Fab", tier="campus", city="Lyon")
    factories.storefront("Portland Books", tier="passive", city="Portland")
    factories.storefront("Hidden Fab", tier="campus", city="Lyon", active=False)
    printer = factories.level_product(factories.design(name="D3D printer"), 1)
    factories.offer(berlin, printer)

    def names(**params):
        import re

        return re.findall(
            r'<h3 class="h5"><a href="[^"]+">([^<]+)</a>', client.get("/stores/", params).content.decode()
        )

    assert names() == ["Berlin Fab", "Lyon Fab", "Portland Books"]  # the pending one is not listed
    assert names(tier=Tier.objects.get(code="campus").pk) == ["Lyon Fab"]
    assert names(category=Category.objects.get(name="3D printers").pk) == ["Berlin Fab"]
    assert names(near="Paris") == ["Lyon Fab", "Berlin Fab", "Portland Books"]


def test_the_operator_dashboard_menu_shows_my_storefront(client):
    store = factories.storefront("Apartment Fab")
    client.force_login(store.operator)
    html = client.get(reverse("storefronts:dashboard")).content.decode()
    assert "My storefront" in html and reverse("storefronts:staff-list") not in html
