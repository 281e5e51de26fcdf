from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from certification.models import Certificate, CertificationApplication, Contribution, MarkHolder, PerformanceResult


def certificate_directory(*, query: str = "", include_all: bool = False) -> QuerySet:
    certificates = Certificate.objects.select_related("design__category")
    if not include_all:
        certificates = certificates.filter(Certificate.valid_q())
    if query:
        certificates = certificates.filter(Q(design__name__icontains=query) | Q(public_id__iexact=query))
    return certificates.order_by("-issued_at")


def certificate_page(*, public_id: str) -> Certificate | None:
    """The certificate with this number (any letter case), with its holders; None if no certificate has it."""
    holders = MarkHolder.objects.select_related("user__storefront").order_by("date_added")
    return (
        Certificate.objects.select_related("design").prefetch_related(Prefetch("holders", queryset=holders))
        .filter(public_id=public_id.strip().upper()).first()
    )


def certifier_queue():
    return {
        "applications": CertificationApplication.objects.filter(
            status__in=[CertificationApplication.SUBMITTED, CertificationApplication.CHANGES_REQUESTED]
        ).select_related("design", "applicant"),
        "contributions": Contribution.objects.filter(status=Contribution.PENDING).select_related("design", "author"),
        "results": PerformanceResult.objects.filter(status=Contribution.PENDING).select_related(
            "criterion__design", "submitted_by"
        ),
    }


def application_page(*, pk: int) -> CertificationApplication:
    return get_object_or_404(
        CertificationApplication.objects.select_related("design", "applicant").prefetch_related("reviews__certifier"),
        pk=pk,
    )
