"""The checklist is computed from the data; each item fails on its own, and a failing checklist cannot be
submitted: the page says what is missing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Design, DesignDocument
from certification import services
from certification.models import CertificationApplication, Contribution, PerformanceCriterion, PerformanceResult

pytestmark = pytest.mark.django_db


def _failing(design) -> list[str]:
    return [item.code for item in services.checklist_for(design=design) if not item.passed]


def test_a_ready_design_passes_and_its_contributor_can_apply(client, ready_design, contributor):
    assert _failing(ready_design) == []
    client.force_login(contributor)
    assert client.post(reverse("certification:apply", args=[ready_design.slug])).status_code == 302
    assert CertificationApplication.objects.get().status == "submitted"


BREAKS = {
    "licences": lambda d: Design.objects.filter(pk=d.pk).update(hardware_licence="CC-BY-NC-4.0"),
    "documentation": lambda d: DesignDocument.objects.filter(design=d, area="supply-chain").update(status="draft"),
    "quality-control": lambda d: DesignDocument.objects.filter(design=d, area="quality-control").update(url=""),
    "performance": lambda d: PerformanceResult.objects.filter(criterion__design=d).update(measured_value=Decimal("31")),
    "contribution": lambda d: Contribution.objects.filter(design=d).update(status="pending"),
}


@pytest.mark.parametrize("item", list(BREAKS))
def test_each_checklist_item_fails_on_its_own_and_blocks_submission(client, ready_design, contributor, item):
    BREAKS[item](ready_design)
    design = Design.objects.get(pk=ready_design.pk)
    assert _failing(design) == [item]

    client.force_login(contributor)
    page = client.get(reverse("certification:apply", args=[design.slug])).content.decode()
    assert f'class="text-danger" data-code="{item}"' in page and "disabled" in page
    response = client.post(reverse("certification:apply", args=[design.slug]), follow=True)
    assert "The checklist is not complete" in response.content.decode()
    assert not CertificationApplication.objects.exists()


def test_an_unreviewed_documentation_area_fails_the_documentation_item(ready_design):
    DesignDocument.objects.filter(design=ready_design, area="product-design").update(reviewer=None)
    assert _failing(ready_design) == ["documentation"]


def test_a_pending_result_does_not_count_even_when_it_meets_the_criterion(ready_design):
    PerformanceResult.objects.update(status="pending")
    assert _failing(ready_design) == ["performance"]


def test_whether_a_result_meets_its_criterion_is_computed():
    at_least = PerformanceCriterion(metric="Throughput", unit="bricks/hour", comparison=">=", threshold=40)
    at_most = PerformanceCriterion(metric="Positioning error", unit="mm", comparison="<=", threshold=Decimal("0.1"))
    assert PerformanceResult(criterion=at_least, measured_value=40).meets
    assert not PerformanceResult(criterion=at_least, measured_value=Decimal("39.9")).meets
    assert PerformanceResult(criterion=at_most, measured_value=Decimal("0.08")).meets
    assert not PerformanceResult(criterion=at_most, measured_value=Decimal("0.2")).meets


def test_only_a_contributor_can_apply(ready_design):
    from tests import factories

    with pytest.raises(ValidationError, match="Only a contributor to this version can apply"):
        services.apply_for_certification(design=ready_design, applicant=factories.UserFactory())


def test_bad_evidence_links_are_refused(ready_design, contributor):
    with pytest.raises(ValidationError, match="is not a web link"):
        services.record_contribution(design=ready_design, author=contributor, kind="testing",
                                     description="x", evidence_links="javascript:alert(1)")  # fmt: skip


def test_an_operator_submits_a_result_and_the_tier_requirement_follows(client, ready_design, certifiers):
    from tiers.models import Tier
    from tiers.services import requirement_failures

    store = factories_storefront()
    criterion = ready_design.criteria.get()
    client.force_login(store.operator)
    url = reverse("certification:submit-result", args=[criterion.pk])
    assert "Enter a number" in client.post(url, {"measured_value": "fast", "evidence_url": "x"}).content.decode()
    assert client.post(url, {"measured_value": "45", "evidence_url": "https://example.org/log"}).status_code == 302
    campus = Tier.objects.get(code="campus")
    assert "no accepted machine performance result" in " ".join(requirement_failures(storefront=store, tier=campus))
    services.review_result(result=PerformanceResult.objects.get(submitted_by=store.operator),
                           certifier=certifiers[0], accept=True)  # fmt: skip
    assert not any("performance" in m for m in requirement_failures(storefront=store, tier=campus))


def factories_storefront():
    from tests import factories

    return factories.storefront("Homestead Hub", tier="microfactory-2", city="Lyon")
