from django.urls import include, path

from marketplace.supporters import views

app_name = "supporters"

urlpatterns = [
    path("true-fans/", views.true_fans, name="true-fans"),
    path("stores/<slug:slug>/support/", views.support, name="support"),
    path("accounts/support/", views.mine, name="mine"),
    path("accounts/support/<int:pk>/", views.support_detail, name="support-detail"),
    path("accounts/support/<int:pk>/cancel/", views.support_cancel, name="support-cancel"),
    path("dashboard/supporters/", views.dashboard, name="dashboard"),
    path("dashboard/true-fans/", views.staff, name="staff"),
    path("dashboard/true-fans/standing-orders/", views.standing_orders, name="standing-orders"),
    path(
        "dashboard/true-fans/standing-orders/<int:pk>/received/",
        views.support_month_received,
        name="support-month-received",
    ),
    path("", include("marketplace.supporters.update_urls")),  # the operator's updates to its supporters
]
