from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from catalog import standards
from catalog.models import DesignDocument
from certification import services
from certification.models import Contribution, PerformanceCriterion
from tests import factories


@pytest.fixture
def certifiers():
    group = Group.objects.get(name=services.CERTIFIERS)
    people = [factories.UserFactory(email=f"certifier{n}@example.com") for n in (1, 2, 3)]
    for person in people:
        person.groups.add(group)
    return people


@pytest.fixture
def contributor():
    return factories.UserFactory(email="maker@example.com")


@pytest.fixture
def ready_design(certifiers, contributor):
    """A production machine whose checklist passes: every item can then be broken on its own."""
    design = factories.design(name="CEB press", category_name="Houses", is_production_machine=True)
    reviewer = factories.UserFactory(is_staff=True)
    for code, _ in standards.AREAS:
        DesignDocument.objects.create(design=design, area=code, status=standards.COMPLETE,
                                      url=f"https://wiki.example.org/{code}", reviewer=reviewer,
                                      reviewed_at=timezone.now())  # fmt: skip
    contribution = services.record_contribution(
        design=design, author=contributor, kind="production-engineering", description="Welding jigs",
        evidence_links="https://wiki.example.org/jigs",
    )  # fmt: skip
    services.review_contribution(contribution=contribution, certifier=certifiers[2], accept=True)
    criterion = PerformanceCriterion.objects.create(
        design=design, metric="Throughput", unit="bricks/hour", comparison=">=", threshold=Decimal("40")
    )
    result = services.submit_result(criterion=criterion, submitted_by=contributor, measured_value=Decimal("52"),
                                    evidence_url="https://wiki.example.org/results")  # fmt: skip
    services.review_result(result=result, certifier=certifiers[2], accept=True)
    return design


def accepted(design):
    return Contribution.objects.filter(design=design, status=Contribution.ACCEPTED)
