"""A new user applies for a storefront: the application form carries the OSE Social Contract, which must be ticked
(the form refuses, keeping what was typed, until it is); the acceptance's PDF receipt is then on the storefront's
dashboard. Once staff approve, the storefront's page wears the OSE brand."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from marketplace.contract import services as contract_services
from marketplace.contract.models import Acceptance
from marketplace.storefronts import services as storefront_services
from marketplace.storefronts.models import Storefront
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TEXT = "# The OSE Social Contract\n\n1. **Open source.** Improvements go back to the commons.\n2. **Local production.**"


def test_a_new_user_applies_ticks_the_contract_and_gets_the_receipt(journey):
    # given version 1 of the Social Contract, and a new user of the shop
    version = contract_services.publish_version(text=TEXT, staff=None, notify=False)
    maker = factories.UserFactory(email="maker@example.com", first_name="Ada", last_name="Maker")
    journey = journey("social-contract")
    page = journey.person(maker.email)

    # when they fill in the application and press apply without ticking the contract
    page.goto("/stores/apply/")
    contract = page.locator("#social-contract")
    expect(contract.locator("#contract-text-1")).to_contain_text("Open source.")
    expect(page.locator("#id_contract-name")).to_have_value("Ada Maker")
    expect(page.locator("#id_contract-email")).to_have_value("maker@example.com")
    page.fill("#id_slug", "apartment-fab")
    page.fill("#id_name", "Apartment Fab")
    page.fill("#id_tagline", "Printers from a flat")
    page.fill("#id_contact_email", "fab@example.com")
    page.fill("#id_city", "Kansas City")
    page.fill("#id_country", "US")
    page.select_option("#id_tier", label="Passive")
    journey.screenshot(page, "01-apply-with-the-contract", phone=True)
    page.get_by_role("button", name="Accept version 1 and apply").click()

    # then they are told to tick it, and nothing they typed is lost
    expect(page.locator(".contract-accept-error")).to_contain_text("Tick “I accept version 1” to go on")
    expect(page.locator("#id_name")).to_have_value("Apartment Fab")
    expect(page.locator("#id_tagline")).to_have_value("Printers from a flat")
    expect(page.locator("#id_contract-name")).to_have_value("Ada Maker")
    journey.screenshot(page, "02-not-ticked", phone=True)
    assert not Storefront.objects.exists() and not Acceptance.objects.exists()

    # when they tick it and apply
    page.get_by_label("I accept version 1 of the OSE Social Contract").check()
    page.get_by_role("button", name="Accept version 1 and apply").click()

    # then the storefront waits for staff, and the dashboard shows the acceptance with its receipt
    page.wait_for_url("**/dashboard/storefront/")
    expect(page.locator("#contract-status")).to_contain_text("You accepted version 1 on")
    acceptance = Acceptance.objects.get(user=maker)
    assert (acceptance.version, acceptance.name, acceptance.email) == (version, "Ada Maker", "maker@example.com")
    assert acceptance.text_sha256 == hashlib.sha256(TEXT.encode()).hexdigest()
    journey.screenshot(page, "03-dashboard-accepted")
    with page.expect_download() as download:
        page.get_by_role("link", name="Your receipt (PDF)").click()
    receipt = download.value
    assert receipt.suggested_filename == f"social-contract-v1-receipt-{acceptance.pk}.pdf"
    assert Path(receipt.path()).read_bytes().startswith(b"%PDF")

    # and once staff approve it, its page wears the OSE brand
    store = Storefront.objects.get(operator=maker)
    storefront_services.approve_storefront(storefront=store, staff=None, notify=False)
    visitor = journey.person()
    visitor.goto(store.get_absolute_url())
    expect(visitor.locator("#ose-brand")).to_contain_text("OSE-branded storefront")
    expect(visitor.locator("#campus-fund-share")).to_have_text("5%")
    journey.screenshot(visitor, "04-branded-storefront", phone=True)
