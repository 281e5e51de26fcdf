from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin
from marketplace.fulfilment.models import (
    DistributionLicence,
    Enrolment,
    LineFulfilment,
    OperatorOrder,
    OperatorOrderEvent,
)


class EventInline(admin.TabularInline):
    model = OperatorOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "actor", "note", "date_created"]


@admin.register(OperatorOrder)
class OperatorOrderAdmin(ReadOnlyAdmin):
    list_display = ["order", "partner", "status", "shipping_charge", "tracking_number", "date_updated"]
    list_filter = ["status", "partner"]
    search_fields = ["order__number", "tracking_number"]
    inlines = [EventInline]


@admin.register(LineFulfilment)
class LineFulfilmentAdmin(ReadOnlyAdmin):
    """Failed deliveries keep their error here: filter by state 'Failed'."""

    list_display = ["line", "kind", "state", "attempts", "short_error", "date_updated"]
    list_filter = ["state", "kind"]
    search_fields = ["line__order__number"]

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["line", "seat", "participant_email", "date_created"]


@admin.register(DistributionLicence)
class DistributionLicenceAdmin(ReadOnlyAdmin):
    list_display = ["number", "licensee", "design", "design_version", "issued_at"]
    search_fields = ["number", "licensee"]
