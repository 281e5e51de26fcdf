"""Applying for a storefront accepts the OSE Social Contract's current version on the same form, in the same
transaction; with no version published, applying works as before."""

import hashlib

import pytest
from django.urls import reverse

from marketplace.contract import services as contract_services
from marketplace.contract.models import Acceptance
from marketplace.storefronts.models import Storefront
from tests import factories
from tests.storefronts.test_onboarding import APPLICATION
from tiers.models import Tier

pytestmark = pytest.mark.django_db
TEXT = "# The OSE Social Contract\n\n1. **Open source.** Improvements go back to the commons."


@pytest.fixture
def version():
    return contract_services.publish_version(text=TEXT, staff=None, notify=False)


@pytest.fixture
def applicant(client):
    user = factories.UserFactory(email="maker@example.com", first_name="Ada", last_name="Maker")
    client.force_login(user)
    return user


def _application(**extra):
    return {**APPLICATION, "tier": Tier.objects.get(code="passive").pk, "latitude": "39.1", "longitude": "-94.6",
            **extra}  # fmt: skip


def test_the_apply_form_carries_the_contract_text_the_tick_and_the_account_s_name_and_e_mail(client, applicant,
                                                                                              version):  # fmt: skip
    page = client.get(reverse("storefronts:apply")).content.decode()
    box = page.split('id="contract-text-1"')[1].split("</div>")[0]
    assert "<strong>Open source.</strong>" in box and "overflow-y: auto" in box.split(">")[0]  # a scrolling box
    assert 'name="contract-name"' in page and 'value="Ada Maker"' in page and 'value="maker@example.com"' in page
    assert "I accept version 1 of the OSE Social Contract" in page
    assert "Accept version 1 and apply" in page


def test_not_ticking_is_refused_clearly_and_nothing_typed_is_lost(client, applicant, version):
    data = _application(**{"contract-name": "Ada Maker", "contract-email": "maker@example.com"})
    page = client.post(reverse("storefronts:apply"), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tick “I accept version 1” to go on" in html
    assert "Accept the OSE Social Contract below to apply: everything else you typed is kept" in html
    assert 'value="apartment-fab"' in html and 'value="Printers from a flat"' in html and 'value="Ada Maker"' in html
    assert not Storefront.objects.exists() and not Acceptance.objects.exists()


def test_applying_records_the_acceptance_with_the_application(client, applicant, version):
    data = _application(**{"contract-name": "Ada Maker", "contract-email": "ada@example.org", "contract-accept": "on"})
    response = client.post(reverse("storefronts:apply"), data)
    assert response.status_code == 302
    store = Storefront.objects.get(operator=applicant)
    acceptance = Acceptance.objects.get(user=applicant)
    assert store.status == "pending"
    assert (acceptance.version, acceptance.name, acceptance.email) == (version, "Ada Maker", "ada@example.org")
    assert acceptance.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    assert acceptance.accepted_at is not None
    page = client.get(reverse("storefronts:dashboard")).content.decode()
    assert "You accepted version 1 on" in page
    # pending approval: the brand comes with the approval, not before
    assert "will wear the OSE brand once staff approve it" in page and "holds the OSE brand" not in page
    assert reverse("contract:receipt", kwargs={"pk": acceptance.pk}) in page


def test_a_refused_application_records_no_acceptance(client, applicant, version):
    data = _application(campus_fund_percent="2.00", **{"contract-name": "Ada", "contract-email": "a@example.com",
                                                       "contract-accept": "on"})  # fmt: skip
    page = client.post(reverse("storefronts:apply"), data)
    assert "cannot be below the minimum" in page.content.decode()
    assert not Acceptance.objects.exists() and not Storefront.objects.exists()


def test_the_service_refuses_an_application_without_the_current_version(applicant, version):
    from django.core.exceptions import ValidationError

    from marketplace.storefronts import services

    with pytest.raises(ValidationError, match="Read and accept version 1 of the OSE Social Contract to apply"):
        services.apply_for_storefront(operator=applicant, slug="x-fab", name="X Fab", contact_email="x@example.com",
                                      city="Berlin", country="DE", latitude=52, longitude=13,
                                      tier=Tier.objects.get(code="passive"))  # fmt: skip
    assert not Storefront.objects.exists()


def test_with_no_version_published_applying_works_as_before(client, applicant):
    page = client.get(reverse("storefronts:apply")).content.decode()
    assert 'id="social-contract"' not in page and ">Apply</button>" in page
    assert client.post(reverse("storefronts:apply"), _application()).status_code == 302
    assert Storefront.objects.filter(operator=applicant).exists() and not Acceptance.objects.exists()


def test_someone_who_accepted_the_current_version_already_applies_without_ticking_again(client, applicant, version):
    acceptance = contract_services.accept_version(user=applicant, version=version, name="Ada", email="a@example.com")
    page = client.get(reverse("storefronts:apply")).content.decode()
    assert 'id="social-contract"' not in page and "You accepted version 1 of the OSE Social Contract on" in page
    assert client.post(reverse("storefronts:apply"), _application()).status_code == 302
    assert Storefront.objects.filter(operator=applicant).exists()
    assert list(Acceptance.objects.all()) == [acceptance]
