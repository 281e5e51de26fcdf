"""The API: ``/api/v1/`` (open data, and each operator's own storefront by token), its OpenAPI schema and its
reference pages, served from our own static files (drf-spectacular-sidecar). Swagger UI runs its start-up script
from a file (the split view), as the Content Security Policy runs no inline script without the page's nonce."""

from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from marketplace.api import errors

app_name = "api"

urlpatterns = [
    path("v1/", include("marketplace.api.open_urls")),
    path("v1/operator/", include("marketplace.api.operator_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        csp_update({"worker-src": ["blob:"]})(SpectacularRedocView.as_view(url_name="api:schema")),
        name="redoc",
    ),
    re_path(r"^.*$", errors.not_found, name="not-found"),  # last: any other path under /api/ is a JSON 404
]
