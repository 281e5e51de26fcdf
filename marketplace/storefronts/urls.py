from django.urls import path

from marketplace.storefronts import offer_views, views

app_name = "storefronts"

urlpatterns = [
    path("stores/", views.directory, name="directory"),
    path("stores/apply/", views.apply, name="apply"),
    path("stores/<slug:slug>/", views.detail, name="detail"),
    path("dashboard/storefront/", views.operator_dashboard, name="dashboard"),
    path("dashboard/storefront/tier/", views.apply_for_tier, name="apply-tier"),
    path("dashboard/storefront/offers/", offer_views.offer_list, name="offers"),
    path("dashboard/storefront/offers/new/", offer_views.offer_create, name="offer-create"),
    path("dashboard/storefront/offers/csv/", offer_views.offers_csv, name="offers-csv"),
    path("dashboard/storefront/offers/csv/preview/", offer_views.offers_csv_upload, name="offers-csv-upload"),
    path("dashboard/storefront/offers/csv/apply/", offer_views.offers_csv_apply, name="offers-csv-apply"),
    path("dashboard/storefront/offers/<int:pk>/", offer_views.offer_update, name="offer-update"),
    path("dashboard/storefront/offers/<int:pk>/restock/", offer_views.offer_restock, name="offer-restock"),
    path("dashboard/storefront/offers/<int:pk>/withdraw/", offer_views.offer_withdraw, name="offer-withdraw"),
    path("dashboard/storefront/offers/<int:pk>/relist/", offer_views.offer_relist, name="offer-relist"),
    path("dashboard/storefronts/", views.staff_list, name="staff-list"),
    path("dashboard/storefronts/<int:pk>/<slug:action>/", views.staff_decide, name="staff-decide"),
    path("dashboard/tier-applications/<int:pk>/<slug:action>/", views.staff_decide_tier, name="staff-decide-tier"),
]
