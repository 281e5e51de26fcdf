from django.urls import path

from marketplace.storefronts import views

app_name = "storefronts"

urlpatterns = [
    path("stores/", views.directory, name="directory"),
    path("stores/apply/", views.apply, name="apply"),
    path("stores/<slug:slug>/", views.detail, name="detail"),
    path("dashboard/storefront/", views.operator_dashboard, name="dashboard"),
    path("dashboard/storefront/tier/", views.apply_for_tier, name="apply-tier"),
    path("dashboard/storefronts/", views.staff_list, name="staff-list"),
    path("dashboard/storefronts/<int:pk>/<slug:action>/", views.staff_decide, name="staff-decide"),
    path("dashboard/tier-applications/<int:pk>/<slug:action>/", views.staff_decide_tier, name="staff-decide-tier"),
]
