"""Tier applications: an operator sees each tier's requirements as a checklist computed from the data before
applying, cannot apply while one is missing, and staff see the checklist and the motivation of each application."""

import html as markup
import re

import pytest
from django.test import Client
from django.urls import reverse
from oscar.test.factories import create_order

from tests import factories
from tiers.models import Tier, TierApplication

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("storefronts:dashboard")
APPLY = reverse("storefronts:apply-tier")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _trained(operator):
    """A paid order of a level 2 production training: the production-training requirement is met."""
    design = factories.design(name="D3D printer", category_name="3D printers")
    order = create_order(user=operator)
    order.lines.update(product=factories.level_product(design, 2, title="D3D build course"))
    order.set_status("Paid")


def _checklist(html: str, tier_code: str) -> list[str]:
    block = re.search(rf'<ul class="tier-checklist" data-tier="{tier_code}"[^>]*>(.*?)</ul>', html, re.S)
    assert block, f"no checklist for {tier_code}"
    return [markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip())
            for item in re.findall(r"<li[^>]*>(.*?)</li>", block.group(1), re.S)]  # fmt: skip


def _selected_tier(html: str) -> str:
    select = re.search(r'<select name="tier"[^>]*>(.*?)</select>', html, re.S).group(1)
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return chosen.group(1) if chosen else ""


def test_the_operator_sees_each_tiers_requirements_met_or_missing_with_what_to_do():
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    operator = _as(store.operator)
    html = operator.get(DASHBOARD).content.decode()
    assert _checklist(html, "microfactory-1") == [
        "Missing: Completed production training — buy a level 2 production training and complete it "
        "(its order paid)."
    ]
    assert _checklist(html, "passive") == ["No requirements."]

    _trained(store.operator)
    html = operator.get(DASHBOARD).content.decode()
    assert _checklist(html, "microfactory-1") == ["Met: Completed production training."]
    assert _checklist(html, "campus") == [
        "Met: Completed production training.",
        "Missing: Accepted machine performance results — submit a machine performance result on a certified "
        "design's criterion; it counts once a certifier accepts it and it meets the criterion.",
    ]


def test_the_tier_select_defaults_to_the_next_tier_up_never_a_downgrade():
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    html = _as(store.operator).get(DASHBOARD).content.decode()
    assert _selected_tier(html) == str(Tier.objects.get(code="microfactory-1").pk)

    top = factories.storefront("Factor e Campus", tier="campus", city="Maysville")
    html = _as(top.operator).get(DASHBOARD).content.decode()
    assert _selected_tier(html) == ""  # nothing above the top tier: the operator chooses, nothing is chosen for them
    page = _as(top.operator).post(APPLY, {"tier": "", "motivation": ""}, follow=True)
    assert "Choose a tier" in page.content.decode()
    assert not TierApplication.objects.exists()


def test_applying_with_a_requirement_missing_is_refused_saying_what_to_do():
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    target = Tier.objects.get(code="microfactory-1")
    page = _as(store.operator).post(APPLY, {"tier": target.pk, "motivation": "We print fittings."}, follow=True)
    assert not TierApplication.objects.exists()
    assert [str(message) for message in page.context["messages"]] == [
        "You cannot apply for the Microfactory Level 1 (apartment) tier yet: Completed production training is "
        "missing — buy a level 2 production training and complete it (its order paid)."
    ]


def test_applying_with_every_requirement_met_goes_to_staff():
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    _trained(store.operator)
    target = Tier.objects.get(code="microfactory-1")
    page = _as(store.operator).post(APPLY, {"tier": target.pk, "motivation": "We print fittings."}, follow=True)
    assert "Your application for the Microfactory Level 1 (apartment) tier is with staff." in page.content.decode()
    assert TierApplication.objects.get().tier == target


def test_staff_see_each_applications_checklist_and_its_motivation_escaped():
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    _trained(store.operator)
    motivation = "We print <b>fittings</b><script>alert(1)</script>"
    _as(store.operator).post(APPLY, {"tier": Tier.objects.get(code="microfactory-1").pk, "motivation": motivation})
    staff = _as(factories.UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    html = staff.get(reverse("storefronts:staff-list")).content.decode()
    table = re.search(r'<table[^>]*id="tier-applications"[^>]*>(.*?)</table>', html, re.S).group(1)
    assert "We print &lt;b&gt;fittings&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "<script>alert(1)" not in html
    assert _checklist(table, "microfactory-1") == ["Met: Completed production training."]


def test_staff_see_a_requirement_that_lapsed_since_the_application_as_missing():
    # an application from before requirements were checked on applying (or whose training order was refunded)
    store = factories.storefront("Maker Mail", tier="background-2", city="Berlin")
    TierApplication.objects.create(storefront=store, tier=Tier.objects.get(code="microfactory-1"), motivation="")
    staff = _as(factories.UserFactory(is_staff=True, is_superuser=True, email="staff@example.com"))
    table = staff.get(reverse("storefronts:staff-list")).content.decode()
    assert _checklist(table, "microfactory-1") == [
        "Missing: Completed production training — buy a level 2 production training and complete it "
        "(its order paid)."
    ]
