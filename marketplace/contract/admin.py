"""Staff publish Social Contract versions here too (through the same service as the dashboard page); a published
version is read only: a change is a new version."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from marketplace.admin import ReadOnlyAdmin
from marketplace.contract import services
from marketplace.contract.models import Acceptance, ContractVersion


class ContractVersionForm(forms.ModelForm):
    class Meta:
        model = ContractVersion
        fields = ["text", "grace_days", "accept_by"]

    def clean_accept_by(self):
        day = self.cleaned_data.get("accept_by")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("That day is past: give a day from today on.")
        return day


@admin.register(ContractVersion)
class ContractVersionAdmin(admin.ModelAdmin):
    form = ContractVersionForm
    list_display = ["number", "published_at", "deadline", "created_by"]
    fields = ["text", "grace_days", "accept_by"]
    readonly_fields = ["number", "published_at", "created_by"]

    def get_fields(self, request, obj=None):
        return ["number", "published_at", "created_by", *self.fields] if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *self.fields] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # published text is never edited
        version = services.publish_version(text=obj.text, staff=request.user, grace_days=obj.grace_days,
                                           accept_by=obj.accept_by)  # fmt: skip
        obj.pk, obj.number, obj.published_at = version.pk, version.number, version.published_at


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "name", "email", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["name", "email", "user__email"]
    readonly_fields = ["user", "version", "name", "email", "accepted_at", "text_sha256", "ip_address"]
