"""The operator's API tokens page, under /dashboard/ (included by the project's urls)."""

from django.urls import path

from marketplace.api import dashboard

app_name = "apitokens"

urlpatterns = [
    path("dashboard/api-tokens/", dashboard.token_list, name="list"),
    path("dashboard/api-tokens/<int:pk>/revoke/", dashboard.token_revoke, name="revoke"),
]
