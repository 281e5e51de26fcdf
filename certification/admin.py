from django.contrib import admin

from certification.models import (
    Certificate,
    CertificationApplication,
    Contribution,
    MarkHolder,
    PerformanceCriterion,
    PerformanceResult,
    Review,
)
from marketplace.admin import ReadOnlyAdmin


@admin.register(PerformanceCriterion)
class PerformanceCriterionAdmin(admin.ModelAdmin):
    list_display = ["design", "metric", "comparison", "threshold", "unit"]
    search_fields = ["design__name", "metric"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """The audit trail is read-only, here as everywhere."""

    list_display = ["application", "certifier", "verdict", "date_created"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["public_id", "design", "design_version", "issued_at", "expires_at", "revoked_at"]
    readonly_fields = ["public_id", "application", "design", "design_version", "issued_at"]


admin.site.register([Contribution, PerformanceResult, CertificationApplication, MarkHolder])
