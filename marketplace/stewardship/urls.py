from django.urls import path

from marketplace.stewardship import views

app_name = "stewardship"

urlpatterns = [
    path("units/", views.lookup, name="lookup"),
    path("units/claim/<str:token>/", views.claim, name="claim"),
    path("units/<str:serial>/", views.unit_page, name="unit"),
    path("units/<str:serial>/requests/<int:pk>/", views.request_detail, name="request"),
    path("dashboard/stewardship/", views.staff, name="staff"),
    path("dashboard/stewardship/requests/", views.operator_requests, name="operator-requests"),
    path("dashboard/stewardship/requests/<int:pk>/", views.operator_request, name="operator-request"),
]
