"""The pooled marketing fund at work: operators opt in, campaigns spend from the pool through the ledger, referral
codes and UTM parameters attribute orders to campaigns."""

from django.urls import path

from marketplace.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="detail"),
    path("dashboard/marketing-pool/", views.pool, name="pool"),
    path("dashboard/marketing-pool/join/", views.join, name="pool-join"),
    path("dashboard/marketing-pool/leave/", views.leave, name="pool-leave"),
    path("dashboard/marketing-pool/propose/", views.propose, name="propose"),
    path("dashboard/marketing-pool/campaigns/<int:pk>/", views.operator_campaign, name="operator-campaign"),
    path("dashboard/campaigns/", views.staff_list, name="staff"),
    path("dashboard/campaigns/<int:pk>/", views.staff_campaign, name="staff-campaign"),
    path("dashboard/campaigns/<int:pk>/spend/", views.staff_spend, name="staff-spend"),
    path("dashboard/campaigns/<int:pk>/code/", views.staff_code, name="staff-code"),
    path("dashboard/campaigns/<int:pk>/decide/<slug:action>/", views.staff_decide, name="staff-decide"),
]
