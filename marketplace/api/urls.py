"""The API: ``/api/v1/`` (open data, and each operator's own storefront by token), its OpenAPI schema and its
reference pages, served from our own static files (drf-spectacular-sidecar)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

app_name = "api"

urlpatterns = [
    path("v1/", include("marketplace.api.open_urls")),
    path("v1/operator/", include("marketplace.api.operator_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
