"""A contributor (an operator) contributes to a design and applies to certify it; two certifiers approve; the OSE
Certified mark then appears on the contributor's storefront and not on another storefront selling the same design."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from catalog import standards
from catalog.models import DesignDocument
from certification import services
from certification.models import Certificate
from tests import factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def press():
    """The CEB press, documented in all six areas, sold assembled by Lyon Fab (the contributor-to-be) and Berlin
    Fab; two certifiers."""
    design = factories.design(name="CEB press", category_name="Houses")
    reviewer = factories.UserFactory(is_staff=True)
    for code, _label in standards.AREAS:
        DesignDocument.objects.create(design=design, area=code, status=standards.COMPLETE,
                                      url=f"https://wiki.example.org/{code}", reviewer=reviewer,
                                      reviewed_at=timezone.now())  # fmt: skip
    product = factories.level_product(design, 1, title="CEB press, assembled")
    product.stockrecords.all().delete()
    lyon = factories.storefront("Lyon Fab", city="Lyon")
    berlin = factories.storefront("Berlin Fab", city="Berlin")
    factories.offer(lyon, product, price="4200.00")
    factories.offer(berlin, product, price="4300.00")
    group = Group.objects.get(name=services.CERTIFIERS)
    certifiers = [factories.UserFactory(email=f"certifier{n}@example.com") for n in (1, 2)]
    for person in certifiers:
        person.groups.add(group)
    return {"design": design, "lyon": lyon, "berlin": berlin, "certifiers": certifiers}


def _decide(page: Page, design_name: str, verdict: str) -> None:
    page.goto("/dashboard/certification/")
    page.locator("#applications").get_by_role("link", name=re.compile(design_name)).click()
    page.select_option("select[name=verdict]", verdict)
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".alert-success")).to_contain_text("Decision recorded.")


def test_a_contributor_is_certified_and_only_its_storefront_shows_the_mark(journey, press):
    journey = journey("certification")
    design, lyon, berlin = press["design"], press["lyon"], press["berlin"]
    first, second = (journey.person(person.email) for person in press["certifiers"])

    # given the contributor's accepted improvement
    contributor = journey.person(lyon.operator.email)
    contributor.goto(f"/designs/{design.slug}/")
    expect(contributor.locator("#certification")).to_contain_text("Not OSE Certified yet.")
    contributor.locator("#certification").get_by_role("link", name="Contribute").click()
    contributor.select_option("select[name=kind]", "production-engineering")
    contributor.fill("textarea[name=description]", "Welding jigs that halve the frame's assembly time")
    contributor.fill("textarea[name=evidence_links]", "https://wiki.example.org/ceb-press/jigs")
    journey.screenshot(contributor, "01-contribute")
    contributor.get_by_role("button", name="Record contribution").click()
    expect(contributor.locator(".alert-success")).to_contain_text("a certifier will review your contribution")

    first.goto("/dashboard/certification/")
    row = first.locator("#contributions tr").filter(has_text="Welding jigs")
    journey.screenshot(first, "02-certifier-queue-contribution")
    row.get_by_role("button", name="Accept").click()
    expect(first.locator("#contributions")).to_contain_text("None waiting.")

    # when the contributor applies, with the computed checklist all ticked
    contributor.goto(f"/certified/apply/{design.slug}/")
    expect(contributor.locator("#checklist li.text-danger")).to_have_count(0)
    journey.screenshot(contributor, "03-apply-checklist", phone=True)
    contributor.get_by_role("button", name="Submit for review").click()
    expect(contributor.locator(".alert-success")).to_contain_text("Your application is in the certifiers' queue.")

    # and two certifiers approve
    _decide(first, design.name, "approve")
    assert not Certificate.objects.filter(design=design).exists()  # one approval is not enough
    _decide(second, design.name, "approve")
    expect(second.locator("#audit-trail tr")).to_have_count(2)
    journey.screenshot(second, "04-second-approval")

    # then the certificate is issued, and verifiable
    certificate = Certificate.objects.get(design=design)
    visitor = journey.person()
    visitor.goto(f"/designs/{design.slug}/")
    expect(visitor.locator("#certification")).to_contain_text(certificate.public_id)
    expect(visitor.locator("#certification")).to_contain_text("Lyon Fab")
    expect(visitor.locator("#certification")).not_to_contain_text("Berlin Fab")
    journey.screenshot(visitor, "05-design-certified")

    # and the mark shows on the holder's storefront only
    visitor.goto(lyon.get_absolute_url())
    holder_offer = visitor.locator("tr").filter(has_text="CEB press, assembled")
    expect(holder_offer.locator(".ose-certified")).to_have_text("OSE Certified")
    expect(visitor.locator("#marks")).to_contain_text("CEB press")
    journey.screenshot(visitor, "06-holder-storefront", phone=True)

    visitor.goto(berlin.get_absolute_url())
    expect(visitor.locator("tr").filter(has_text="CEB press, assembled")).to_be_visible()
    expect(visitor.locator(".ose-certified")).to_have_count(0)
    expect(visitor.locator("#marks")).to_have_count(0)
    journey.screenshot(visitor, "07-non-holder-storefront", phone=True)
