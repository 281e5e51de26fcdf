"""Certification writes. Rules from the seed: OSE Certified is a Distributive Enterprise certification; only the
people who contributed to the certification may use the mark; a later accepted contribution makes a new holder."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog import licences
from certification import checklist
from certification.models import (
    Certificate,
    CertificationApplication,
    Contribution,
    MarkHolder,
    PerformanceCriterion,
    PerformanceResult,
    Review,
)

CERTIFIERS = "Certifiers"
OPEN = (CertificationApplication.SUBMITTED, CertificationApplication.CHANGES_REQUESTED)


def has_contributed(*, user_id: int, design) -> bool:
    """Contributions of any status, and measured results, make a person a contributor to a design."""
    return (
        Contribution.objects.filter(design=design, author_id=user_id).exists()
        or PerformanceResult.objects.filter(criterion__design=design, submitted_by_id=user_id).exists()
    )


def is_certifier(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=CERTIFIERS).exists()


def _require_certifier(user) -> None:
    if not is_certifier(user):
        raise ValidationError("Only certifiers can do this.")


# --- contributions and performance results ---------------------------------------------------------------------


def record_contribution(*, design, author, kind: str, description: str, evidence_links: str = "") -> Contribution:
    if Review.objects.filter(certifier=author, application__design=design, application__status__in=OPEN).exists():
        raise ValidationError("You are reviewing this design's certification: you cannot contribute to it now.")
    contribution = Contribution(
        design=design, design_version=design.version, author=author, kind=kind, description=description,
        evidence_links=evidence_links,
    )  # fmt: skip
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def review_contribution(*, contribution: Contribution, certifier, accept: bool, reason: str = "") -> Contribution:
    """Accept or reject a contribution. Accepted after the version was certified, it makes its author a holder."""
    _require_certifier(certifier)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.author_id == certifier.pk:
        raise ValidationError("You cannot review your own contribution.")
    if contribution.status != Contribution.PENDING:
        raise ValidationError("This contribution has already been reviewed.")
    if not accept and not reason.strip():
        raise ValidationError("Say why the contribution is rejected: its author reads it.")
    contribution.status = Contribution.ACCEPTED if accept else Contribution.REJECTED
    contribution.reviewer, contribution.review_reason, contribution.date_reviewed = certifier, reason, timezone.now()
    contribution.save()
    if accept:
        for certificate in Certificate.objects.filter(
            design_id=contribution.design_id, design_version=contribution.design_version, revoked_at__isnull=True
        ):
            MarkHolder.objects.get_or_create(
                certificate=certificate, user_id=contribution.author_id, defaults={"contribution": contribution}
            )
    return contribution


def submit_result(*, criterion: PerformanceCriterion, submitted_by, measured_value, evidence_url: str):
    result = PerformanceResult(
        criterion=criterion, submitted_by=submitted_by, measured_value=measured_value, evidence_url=evidence_url
    )
    result.full_clean()
    result.save()
    return result


@transaction.atomic
def review_result(*, result: PerformanceResult, certifier, accept: bool) -> PerformanceResult:
    _require_certifier(certifier)
    result = PerformanceResult.objects.select_for_update().get(pk=result.pk)
    if result.submitted_by_id == certifier.pk:
        raise ValidationError("You cannot review your own measurements.")
    if result.status != Contribution.PENDING:
        raise ValidationError("This result has already been reviewed.")
    result.status = Contribution.ACCEPTED if accept else Contribution.REJECTED
    result.reviewer = certifier
    result.save(update_fields=["status", "reviewer"])
    return result


# --- applications and reviews ----------------------------------------------------------------------------------


def checklist_for(*, design) -> list[checklist.Item]:
    errors = []
    for kind in ("hardware", "software", "documentation"):
        value = getattr(design, f"{kind}_licence")
        if value or kind != "software":
            try:
                licences.validate(kind, value)
            except ValidationError as error:
                errors.extend(error.messages)
    criteria = [
        (str(criterion), any(r.meets for r in criterion.results.all() if r.status == Contribution.ACCEPTED))
        for criterion in design.criteria.prefetch_related("results__criterion")
    ]
    facts = checklist.Facts(
        licence_errors=errors,
        documents=list(design.documents.all()),
        is_production_machine=design.is_production_machine,
        criteria=criteria,
        accepted_contributions=design.contributions.filter(
            design_version=design.version, status=Contribution.ACCEPTED
        ).count(),
    )
    return checklist.checklist(facts)


@transaction.atomic
def apply_for_certification(*, design, applicant) -> CertificationApplication:
    """Someone who contributed applies to certify the design's current version; the checklist must pass."""
    if not design.contributions.filter(author=applicant, design_version=design.version).exists():
        raise ValidationError("Only a contributor to this version can apply to certify it.")
    if CertificationApplication.objects.filter(design=design, design_version=design.version, status__in=OPEN).exists():
        raise ValidationError("This version already has an application under review.")
    items = checklist_for(design=design)
    if not checklist.passes(items):
        missing = "; ".join(f"{item.label} ({item.detail})" if item.detail else item.label
                            for item in items if not item.passed)  # fmt: skip
        raise ValidationError(f"The checklist is not complete: {missing}.")
    return CertificationApplication.objects.create(design=design, design_version=design.version, applicant=applicant)


@transaction.atomic
def review_application(*, application, certifier, verdict: str, note: str = "") -> Review:
    """A certifier comments, requests changes, approves or rejects. A certificate needs approval by two different
    certifiers, neither of whom has a contribution to that design."""
    _require_certifier(certifier)
    application = CertificationApplication.objects.select_for_update().get(pk=application.pk)
    if has_contributed(user_id=certifier.pk, design=application.design) or application.applicant_id == certifier.pk:
        raise ValidationError("A certifier cannot review a design they contributed to.")
    if application.status not in OPEN:
        raise ValidationError("This application has already been decided.")
    if verdict not in dict(Review.VERDICTS):
        raise ValidationError("Unknown decision.")
    if verdict in (Review.REQUEST_CHANGES, Review.REJECT) and not note.strip():
        raise ValidationError("Say what must change, or why it is rejected.")
    if verdict == Review.APPROVE and application.status != CertificationApplication.SUBMITTED:
        raise ValidationError("Changes were requested: the applicant must resubmit before approval.")
    review = Review.objects.create(application=application, certifier=certifier, verdict=verdict, note=note)
    if verdict == Review.REQUEST_CHANGES:
        application.status = CertificationApplication.CHANGES_REQUESTED
    elif verdict == Review.REJECT:
        application.status = CertificationApplication.REJECTED
    elif verdict == Review.APPROVE:
        approving = set(application.reviews.filter(verdict=Review.APPROVE).values_list("certifier", flat=True))
        # a certifier who has since contributed to the design no longer counts
        approvers = sum(1 for pk in approving if not has_contributed(user_id=pk, design=application.design))
        if approvers >= settings.CERTIFICATION_REQUIRED_APPROVALS:
            application.status = CertificationApplication.APPROVED
            from certification.tasks import issue_certificate_task

            issue_certificate_task.delay_on_commit(application_id=application.pk)
    application.save(update_fields=["status"])
    return review


@transaction.atomic
def resubmit_application(*, application, applicant) -> CertificationApplication:
    application = CertificationApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != applicant.pk or application.status != CertificationApplication.CHANGES_REQUESTED:
        raise ValidationError("Only the applicant can resubmit an application that needs changes.")
    items = checklist_for(design=application.design)
    if not checklist.passes(items):
        raise ValidationError("The checklist is not complete yet.")
    application.status = CertificationApplication.SUBMITTED
    application.save(update_fields=["status"])
    return application


def issue_certificate(*, application_id: int) -> Certificate:
    """Issue the certificate of an approved application, once; its holders are the authors of the accepted
    contributions to that design version."""
    with transaction.atomic():
        application = CertificationApplication.objects.select_for_update().get(pk=application_id)
        existing = Certificate.objects.filter(application=application).first()
        if existing:
            return existing
        if application.status != CertificationApplication.APPROVED:
            raise ValidationError("Only an approved application gets a certificate.")
        now = timezone.now()
        certificate = Certificate.objects.create(
            public_id=f"pending-{application.pk}", application=application, design_id=application.design_id,
            design_version=application.design_version, issued_at=now,
            expires_at=now + timedelta(days=settings.CERTIFICATE_VALID_DAYS),
        )  # fmt: skip
        certificate.public_id = f"OSE-{now.year}-{certificate.pk:06d}"
        certificate.save(update_fields=["public_id"])
        contributions = Contribution.objects.filter(
            design_id=application.design_id, design_version=application.design_version, status=Contribution.ACCEPTED
        ).order_by("date_created")
        for contribution in contributions:
            MarkHolder.objects.get_or_create(
                certificate=certificate, user_id=contribution.author_id, defaults={"contribution": contribution}
            )
        transaction.on_commit(lambda: _notify_holders(certificate))
    return certificate


def _notify_holders(certificate: Certificate) -> None:
    from django.contrib.auth import get_user_model

    from marketplace.notifications import services as notifications

    holders = get_user_model().objects.filter(mark_holdings__certificate=certificate)
    notifications.send_to_people(code="MARK_GRANTED", users=holders, certificate=certificate,
                                 certificate_url=notifications.absolute(certificate.get_absolute_url()))  # fmt: skip


@transaction.atomic
def revoke_certificate(*, certificate: Certificate, staff, reason: str) -> Certificate:
    if not reason.strip():
        raise ValidationError("Say why the certificate is revoked: it is shown publicly.")
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate
