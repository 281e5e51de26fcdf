from django.urls import path

from marketplace.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("dashboard/units/<int:pk>/qc/", views.unit_qc, name="unit-qc"),
    path("dashboard/qc-checklists/", views.checklists, name="checklists"),
    path("dashboard/qc-checklists/<int:pk>/", views.design_checklist, name="design-checklist"),
    path(
        "dashboard/qc-checklists/<int:pk>/from-criteria/",
        views.design_checklist_from_criteria,
        name="design-checklist-from-criteria",
    ),  # fmt: skip
]
