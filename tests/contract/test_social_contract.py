"""The OSE Social Contract: staff publish versions, people accept the current one (name, e-mail, time and the text's
SHA-256 recorded, a PDF receipt of their own), and a new version asks every operator again within a grace period
after which the storefront loses the OSE brand, not its shop."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from marketplace.contract import selectors, services
from marketplace.contract.models import Acceptance, ContractVersion
from marketplace.contract.rules import grace_ends
from tests import factories
from tests.contract.conftest import TEXT_V1, TEXT_V2, pdf_text

pytestmark = pytest.mark.django_db


def _accept(client, **data):
    return client.post(reverse("contract:accept"), {"name": "Ada Maker", "email": "ada@example.com", "accept": "on",
                                                    **data})  # fmt: skip


def test_the_public_page_shows_the_current_text_its_version_and_date_and_lists_older_ones(client, publish):
    assert "No version of the Social Contract is published yet" in client.get("/social-contract/").content.decode()
    publish(TEXT_V1)
    publish(TEXT_V2)
    page = client.get(reverse("contract:current")).content.decode()
    assert "Version 2, published" in page and "<strong>Transparency.</strong>" in page
    assert hashlib.sha256(TEXT_V2.encode()).hexdigest() in page
    assert reverse("contract:version", kwargs={"version": 1}) in page
    old = client.get(reverse("contract:version", kwargs={"version": 1})).content.decode()
    assert "Transparency" not in old and "Version 2 is the current one." in old
    assert client.get(reverse("contract:version", kwargs={"version": 3})).status_code == 404


def test_accepting_records_version_name_email_time_and_the_sha256_of_the_text(client, publish):
    version = publish(TEXT_V1)
    user = factories.UserFactory(email="ada@example.com", first_name="Ada", last_name="Maker")
    client.force_login(user)
    form = client.get(reverse("contract:accept")).content.decode()
    assert 'value="Ada Maker"' in form and 'value="ada@example.com"' in form  # prefilled from the account
    assert "I accept version 1 of the OSE Social Contract" in form

    before = timezone.now()
    response = _accept(client, name="  Ada   Lovelace ", email="ada.l@example.org")
    assert response.status_code == 302
    acceptance = Acceptance.objects.get(user=user)
    assert (acceptance.version, acceptance.name, acceptance.email) == (version, "Ada Lovelace", "ada.l@example.org")
    assert before <= acceptance.accepted_at <= timezone.now()
    assert acceptance.text_sha256 == hashlib.sha256(TEXT_V1.encode("utf-8")).hexdigest() == version.sha256
    assert acceptance.ip_address == "127.0.0.1"
    page = client.get(reverse("contract:accept")).content.decode()
    assert "You accepted version 1 on" in page and reverse("contract:receipt", kwargs={"pk": acceptance.pk}) in page
    # accepting again changes nothing
    _accept(client, name="Someone else")
    assert Acceptance.objects.get(user=user).name == "Ada Lovelace"
    # a new version's form is filled with the name and e-mail given last time
    publish(TEXT_V2)
    form = client.get(reverse("contract:accept")).content.decode()
    assert 'value="Ada Lovelace"' in form and 'value="ada.l@example.org"' in form


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"accept": ""}, "Tick “I accept version 1” to go on"),
        ({"name": "   "}, "This field is required."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters"),
    ],
)
def test_an_acceptance_without_the_tick_or_a_name_is_refused_with_a_reason(client, publish, data, message):
    publish(TEXT_V1)
    client.force_login(factories.UserFactory())
    page = _accept(client, **data)
    assert page.status_code == 200 and message in page.content.decode()
    assert not Acceptance.objects.exists()


def test_accepting_needs_a_signed_in_person_and_a_published_version(client):
    assert client.get(reverse("contract:accept")).status_code == 302  # to sign in
    client.force_login(factories.UserFactory())
    page = client.get(reverse("contract:accept"), follow=True).content.decode()
    assert "No version of the OSE Social Contract is published yet" in page


def test_a_version_no_longer_current_cannot_be_accepted(publish):
    first = publish(TEXT_V1)
    publish(TEXT_V2)
    with pytest.raises(Exception, match="no longer the current one: read version 2"):
        services.accept_version(user=factories.UserFactory(), version=first, name="Ada", email="a@example.com")


def test_the_receipt_is_a_pdf_of_ones_own_acceptance_and_anyone_else_s_is_a_404(client, publish):
    version = publish(TEXT_V1)
    ada, bob = factories.UserFactory(email="ada@example.com"), factories.UserFactory(email="bob@example.com")
    mine = services.accept_version(user=ada, version=version, name="Ada Maker", email="ada@example.com")
    theirs = services.accept_version(user=bob, version=version, name="Bob Builder", email="bob@example.com")
    client.force_login(ada)
    response = client.get(reverse("contract:receipt", kwargs={"pk": mine.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for shown in ("Ada Maker", "ada@example.com", "Version", "1, published", mine.text_sha256, "Open source.",
                  timezone.localtime(mine.accepted_at).strftime("%Y-%m-%d %H:%M:%S")):  # fmt: skip
        assert shown in text, shown
    # another person's receipt answers as a missing one does
    assert client.get(reverse("contract:receipt", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("contract:receipt", kwargs={"pk": theirs.pk + 1000})).status_code == 404
    assert Client().get(reverse("contract:receipt", kwargs={"pk": mine.pk})).status_code == 302  # sign in first


# --- new versions, the grace period and the brand --------------------------------------------------------------


def test_a_new_version_asks_every_operator_once_by_e_mail(publish, django_capture_on_commit_callbacks):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    pending = factories.storefront("Lyon Fab", city="Lyon", active=False)
    factories.UserFactory(email="shopper@example.com")  # not an operator: not asked
    mail.outbox.clear()
    version = publish(TEXT_V1)
    assert sorted(message.to[0] for message in mail.outbox) == [berlin.operator.email, pending.operator.email]
    message = mail.outbox[0]
    assert "Please accept version 1 of the OSE Social Contract" in message.subject
    assert f"accept it by {version.deadline:%-d %B %Y}" in message.body
    assert "/social-contract/accept/" in message.body
    # the worker runs again (a retry, a redelivered message): nobody is asked twice
    assert services.ask_operators(version_id=version.pk) == 0
    assert len(mail.outbox) == 2


def test_inside_the_grace_period_the_brand_holds_and_after_it_is_lost_but_the_shop_stays_open(client, publish, clock):
    # given Berlin Fab's operator accepted version 1
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    printer = factories.offer(berlin, factories.level_product(factories.design(), 1), price="900.00")
    v1 = publish(TEXT_V1)
    services.accept_version(user=berlin.operator, version=v1, name="Berlin", email="b@example.com")
    assert selectors.standing(berlin.operator).holds_brand
    # when version 2 is published with a 30-day grace period
    v2 = publish(TEXT_V2, grace_days=30)
    standing = selectors.standing(berlin.operator)
    # then the brand holds until the deadline, and the operator is asked to accept by then
    assert standing.holds_brand and standing.pending and standing.deadline == timezone.localdate() + timedelta(30)
    page = client.get(berlin.get_absolute_url()).content.decode()
    assert 'id="ose-brand"' in page
    # and once the grace period is over (nothing is written: the cached page stops there), the brand is gone: the
    # plain page, the offers still on sale
    clock.move_to(grace_ends(standing.deadline) + timedelta(seconds=1))
    standing = selectors.standing(berlin.operator)
    assert not standing.holds_brand and not standing.pending
    page = client.get(berlin.get_absolute_url())
    assert page.status_code == 200
    assert 'id="ose-brand"' not in page.content.decode() and "D3D 3D printer" in page.content.decode()
    berlin.refresh_from_db()
    assert berlin.status == "active"
    assert printer.product.get_absolute_url() in page.content.decode()
    # accepting version 2 brings the brand back
    services.accept_version(user=berlin.operator, version=v2, name="Berlin", email="b@example.com")
    assert 'id="ose-brand"' in client.get(berlin.get_absolute_url()).content.decode()


def test_an_explicit_accept_by_date_replaces_the_grace_period(publish):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    v1 = publish(TEXT_V1)
    services.accept_version(user=berlin.operator, version=v1, name="Berlin", email="b@example.com")
    day = timezone.localdate() + timedelta(days=5)
    publish(TEXT_V2, accept_by=day)
    assert selectors.standing(berlin.operator).deadline == day


def test_a_storefront_whose_operator_skipped_a_version_loses_the_brand_at_once(publish):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    v1 = publish(TEXT_V1)
    services.accept_version(user=berlin.operator, version=v1, name="Berlin", email="b@example.com")
    publish(TEXT_V2)
    publish(TEXT_V2 + "\n4. More.")
    assert not selectors.standing(berlin.operator).holds_brand  # only the version right before has a grace period


def test_the_operator_dashboard_shows_the_contract_status(client, publish):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    client.force_login(berlin.operator)
    v1 = publish(TEXT_V1)
    page = client.get(reverse("storefronts:dashboard")).content.decode()
    assert "You have not accepted version 1" in page and reverse("contract:accept") in page
    acceptance = services.accept_version(user=berlin.operator, version=v1, name="Berlin", email="b@example.com")
    page = client.get(reverse("storefronts:dashboard")).content.decode()
    assert f"You accepted version 1 on {timezone.localdate():%-d %B %Y}" in page
    assert reverse("contract:receipt", kwargs={"pk": acceptance.pk}) in page
    v2 = publish(TEXT_V2)
    page = client.get(reverse("storefronts:dashboard")).content.decode()
    assert f"Version 2 is published: accept by {v2.deadline:%-d %B %Y} to keep the OSE brand." in page


# --- staff ---------------------------------------------------------------------------------------------------------


def test_staff_publish_a_version_and_see_how_many_operators_accepted_each(client, staff_user):
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    factories.storefront("Lyon Fab", city="Lyon")
    client.force_login(staff_user)
    response = client.post(reverse("contract:staff-publish"), {"text": TEXT_V1, "grace_days": "60"})
    assert response.status_code == 302
    version = ContractVersion.objects.get()
    assert (version.number, version.text, version.created_by) == (1, TEXT_V1, staff_user)
    services.accept_version(user=berlin.operator, version=version, name="Berlin", email="b@example.com")
    page = client.get(reverse("contract:staff")).content.decode()
    assert "1 / 2" in page
    staff_user.user_permissions.add(*factories.staff("storefronts.view_storefront").user_permissions.all())
    assert reverse("contract:staff") in client.get(reverse("storefronts:staff-list")).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"grace_days": "-1"}, "greater than or equal to 0"),
        ({"grace_days": "1.5"}, "Enter a whole number."),
        ({"grace_days": "1000000000"}, "less than or equal to 3650"),
        ({"grace_days": "sixty"}, "Enter a whole number."),
        ({"accept_by": "2000-01-01"}, "That day is past"),
    ],
)
def test_staff_publishing_bad_values_are_told_why(client, staff_user, data, message):
    client.force_login(staff_user)
    page = client.post(reverse("contract:staff-publish"), {"text": TEXT_V1, "grace_days": "60", **data})
    assert page.status_code == 200 and message in page.content.decode()
    assert not ContractVersion.objects.exists()


def test_staff_without_the_permission_are_told_which_one_to_ask_for(client):
    client.force_login(factories.staff("contract.view_contractversion", email="reader@example.com"))
    assert client.get(reverse("contract:staff")).status_code == 200
    page = client.post(reverse("contract:staff-publish"), {"text": TEXT_V1, "grace_days": "60"})
    assert page.status_code == 403 and "Can add Social Contract version" in page.content.decode()
    assert not ContractVersion.objects.exists()


def test_published_text_is_never_edited_in_the_admin(client, publish):
    version = publish(TEXT_V1)
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:contract_contractversion_change", args=[version.pk])
    client.post(url, {"text": "Changed", "grace_days": "1"})
    version.refresh_from_db()
    assert (version.text, version.grace_days) == (TEXT_V1, 60)
    # adding in the admin publishes the next version through the same service
    client.post(reverse("admin:contract_contractversion_add"), {"text": TEXT_V2, "grace_days": "30"})
    assert list(ContractVersion.objects.values_list("number", "grace_days")) == [(2, 30), (1, 60)]


def test_staff_markdown_is_sanitised_on_the_public_page(client, publish):
    publish('Hello <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">')
    page = client.get(reverse("contract:current")).content.decode()
    body = page.split('id="contract-body"')[1].split("</article>")[0]
    assert "<script>alert(1)" not in body and "javascript:" not in body and "onerror" not in body


# --- the demo ------------------------------------------------------------------------------------------------------


def test_the_demo_step_has_v1_accepted_by_every_operator_and_v2_pending_for_one_and_runs_twice(staff_user):
    from marketplace.demo.contract import PENDING_OPERATOR, load_contract

    apartment = factories.storefront("Apartment Fab", operator=factories.UserFactory(email=PENDING_OPERATOR))
    others = [factories.storefront("Berlin Fab", city="Berlin"), factories.storefront("Lyon Fab", city="Lyon")]
    load_contract(staff=staff_user)
    counts = (ContractVersion.objects.count(), Acceptance.objects.count())
    load_contract(staff=staff_user)
    assert (ContractVersion.objects.count(), Acceptance.objects.count()) == counts == (2, 5)
    for store in others:
        assert selectors.standing(store.operator).accepted.version.number == 2
    pending = selectors.standing(apartment.operator)
    assert pending.pending and pending.holds_brand and pending.previous.version.number == 1
    assert pending.deadline > timezone.localdate()
    assert services.ask_operators(version_id=pending.current.pk) == 0  # it was asked already
