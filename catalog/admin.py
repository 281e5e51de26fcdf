from django.contrib import admin
from oscar.apps.catalogue.admin import *  # noqa: F403 - Oscar's catalogue admin, unchanged

from catalog.models import BillOfMaterialsLine, Design, DesignDocument, DesignImage, LicenceTerms


class DesignDocumentInline(admin.TabularInline):
    model = DesignDocument
    extra = 0
    raw_id_fields = ["reviewer"]


class BillOfMaterialsInline(admin.TabularInline):
    model = BillOfMaterialsLine
    fk_name = "design"
    extra = 0
    raw_id_fields = ["component"]


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "category", "hardware_licence", "software_licence", "documentation_licence"]
    list_filter = ["category", "is_production_machine"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DesignDocumentInline, BillOfMaterialsInline]


admin.site.register(DesignImage)
admin.site.register(LicenceTerms)
