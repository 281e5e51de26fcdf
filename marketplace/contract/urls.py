from django.urls import path

from marketplace.contract import views

app_name = "contract"

urlpatterns = [
    path("social-contract/", views.current, name="current"),
    path("social-contract/v<int:version>/", views.version_detail, name="version"),
    path("social-contract/accept/", views.accept, name="accept"),
    path("social-contract/receipt/<int:pk>.pdf", views.receipt, name="receipt"),
    path("dashboard/social-contract/", views.staff_versions, name="staff"),
    path("dashboard/social-contract/publish/", views.staff_publish, name="staff-publish"),
]
