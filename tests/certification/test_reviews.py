"""Review by certifiers: two different certifiers, neither a contributor; an audit trail nobody can edit; a
certificate issued once, on the second approval, to the contributors of the certification."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from certification import services
from certification.models import Certificate, CertificationApplication, MarkHolder, Review
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(ready_design, contributor):
    return services.apply_for_certification(design=ready_design, applicant=contributor)


def _approve(application, certifier, capture):
    with capture(execute=True):
        return services.review_application(application=application, certifier=certifier, verdict="approve")


def test_a_certificate_needs_two_different_certifiers(application, certifiers, contributor,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    _approve(application, certifiers[0], django_capture_on_commit_callbacks)
    _approve(application, certifiers[0], django_capture_on_commit_callbacks)  # the same certifier again
    application.refresh_from_db()
    assert application.status == "submitted" and not Certificate.objects.exists()

    _approve(application, certifiers[1], django_capture_on_commit_callbacks)

    application.refresh_from_db()
    certificate = Certificate.objects.get()
    assert application.status == "approved"
    assert re.fullmatch(r"OSE-\d{4}-\d{6}", certificate.public_id)
    assert list(certificate.holders.values_list("user__email", flat=True)) == ["maker@example.com"]
    assert mail.outbox[-1].to == ["maker@example.com"] and certificate.public_id in mail.outbox[-1].subject
    assert mail.outbox[-1].body.count(f"/certified/{certificate.public_id}/") == 1  # a link to the certificate


def test_a_certifier_who_contributed_cannot_approve(application, certifiers, ready_design):
    services.record_contribution(design=ready_design, author=certifiers[0], kind="translation", description="ES")
    with pytest.raises(ValidationError, match="cannot review a design they contributed to"):
        services.review_application(application=application, certifier=certifiers[0], verdict="approve")
    assert not Review.objects.exists()


def test_people_who_are_not_certifiers_cannot_review(client, application, contributor):
    outsider = factories.UserFactory(is_staff=True)
    with pytest.raises(ValidationError, match="Only certifiers"):
        services.review_application(application=application, certifier=outsider, verdict="approve")
    client.force_login(outsider)
    assert client.get(reverse("certification:queue")).status_code == 403
    url = reverse("certification:application", args=[application.pk])
    assert client.post(url, {"verdict": "approve"}).status_code == 403


def test_request_changes_needs_a_note_and_blocks_approval_until_resubmitted(application, certifiers, contributor):
    with pytest.raises(ValidationError, match="Say what must change"):
        services.review_application(application=application, certifier=certifiers[0], verdict="request-changes")
    services.review_application(application=application, certifier=certifiers[0], verdict="request-changes",
                                note="Add the QC sampling plan.")  # fmt: skip
    with pytest.raises(ValidationError, match="must resubmit"):
        services.review_application(application=application, certifier=certifiers[1], verdict="approve")
    services.resubmit_application(application=application, applicant=contributor)
    assert CertificationApplication.objects.get().status == "submitted"


def test_the_audit_trail_cannot_be_edited_or_deleted(client, application, certifiers):
    review = services.review_application(application=application, certifier=certifiers[0], verdict="comment",
                                         note="Looks good so far.")  # fmt: skip
    review.note = "Rewritten history"
    with pytest.raises(ValidationError, match="cannot be changed"):
        review.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        review.delete()
    assert Review.objects.get().note == "Looks good so far."
    client.force_login(certifiers[1])
    page = client.get(reverse("certification:application", args=[application.pk])).content.decode()
    assert "certifier1@example.com" in page and "Looks good so far." in page


def test_issuing_twice_creates_one_certificate(application, certifiers, django_capture_on_commit_callbacks):
    _approve(application, certifiers[0], django_capture_on_commit_callbacks)
    _approve(application, certifiers[1], django_capture_on_commit_callbacks)
    from certification.tasks import issue_certificate_task

    issue_certificate_task.delay(application_id=application.pk)  # a retried or duplicated task
    assert Certificate.objects.count() == 1 and MarkHolder.objects.count() == 1


def test_a_later_accepted_contribution_makes_a_new_holder(application, certifiers, ready_design,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    _approve(application, certifiers[0], django_capture_on_commit_callbacks)
    _approve(application, certifiers[1], django_capture_on_commit_callbacks)
    newcomer = factories.UserFactory(email="newcomer@example.com")
    improvement = services.record_contribution(design=ready_design, author=newcomer, kind="improvement",
                                               description="Faster mould release")  # fmt: skip
    assert not MarkHolder.objects.filter(user=newcomer).exists()  # not until it is accepted
    services.review_contribution(contribution=improvement, certifier=certifiers[2], accept=True)
    assert MarkHolder.objects.filter(user=newcomer, certificate__design=ready_design).exists()


def test_contributors_cannot_review_their_own_contribution(certifiers, ready_design):
    own = services.record_contribution(design=ready_design, author=certifiers[0], kind="testing", description="x")
    with pytest.raises(ValidationError, match="your own contribution"):
        services.review_contribution(contribution=own, certifier=certifiers[0], accept=True)


def test_an_approving_certifier_cannot_then_contribute_and_result_submitters_cannot_review(
    application, certifiers, ready_design, contributor
):
    services.review_application(application=application, certifier=certifiers[0], verdict="approve")
    with pytest.raises(ValidationError, match="you cannot contribute to it now"):
        services.record_contribution(design=ready_design, author=certifiers[0], kind="testing", description="x")
    from certification.models import PerformanceResult

    PerformanceResult.objects.update(submitted_by=certifiers[1])  # certifier 2 measured the machine
    with pytest.raises(ValidationError, match="contributed to"):
        services.review_application(application=application, certifier=certifiers[1], verdict="approve")


def test_a_reviewed_result_cannot_be_flipped(ready_design, certifiers):
    from certification.models import PerformanceResult

    result = PerformanceResult.objects.get()
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.review_result(result=result, certifier=certifiers[0], accept=False)
    assert PerformanceResult.objects.get().status == "accepted"
