from django.urls import path

from marketplace.revenue import views

app_name = "revenue"

urlpatterns = [
    path("campus-fund/", views.campus_fund, name="campus-fund"),
    path("campus-fund/export.csv", views.campus_fund_csv, name="campus-fund-csv"),
    path("campus-fund/projects/<slug:slug>/", views.campus_project, name="campus-project"),
    path("campus-fund/projects/<slug:slug>/receipts/<int:pk>/", views.campus_receipt, name="campus-receipt"),
    path("accounts/royalties/", views.royalties, name="royalties"),
    path("dashboard/revenue/", views.operator_ledger, name="operator"),
    path("dashboard/revenue/bank-details/", views.payout_details, name="payout-details"),
    path("dashboard/revenue/statement.csv", views.operator_statement, name="statement"),
    path("dashboard/revenue/stripe/connect/", views.stripe_connect, name="stripe-connect"),
    path("dashboard/revenue/stripe/return/", views.stripe_return, name="stripe-return"),
    path("dashboard/revenue/stripe/refresh/", views.stripe_refresh, name="stripe-refresh"),
    path("dashboard/revenue/accounts/", views.staff_overview, name="staff"),
    path("dashboard/revenue/accounts/<int:pk>/", views.staff_account, name="staff-account"),
    path("dashboard/revenue/payouts/<int:pk>/settle/", views.settle_payout, name="settle-payout"),
    path("dashboard/revenue/policy/", views.change_policy, name="policy"),
    path("dashboard/revenue/disbursements/", views.record_disbursement, name="disbursements"),
]
