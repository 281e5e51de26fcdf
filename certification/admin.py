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


@admin.register(PerformanceCriterion)
class PerformanceCriterionAdmin(admin.ModelAdmin):
    list_display = ["design", "metric", "comparison", "threshold", "unit"]
    search_fields = ["design__name", "metric"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """The audit trail is read-only, here as everywhere."""

    list_display = ["application", "certifier", "verdict", "date_created"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["public_id", "design", "design_version", "issued_at", "expires_at", "revoked_at"]
    readonly_fields = ["public_id", "application", "design", "design_version", "issued_at"]


admin.site.register([Contribution, PerformanceResult, CertificationApplication, MarkHolder])
