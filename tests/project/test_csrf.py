"""Views that skip CSRF protection, and why each may: Stripe's webhook (Stripe signs its requests), the demo's own
webhook receiver (signed by our sender, served only with DEBUG), and the API, which never reads the session cookie a
forged cross-site request would carry (open endpoints take no credentials; the operator's take a bearer token)."""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authentication import SessionAuthentication


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_only_signed_webhooks_and_the_cookieless_api_skip_csrf():
    exempt = sorted({route for route, view in _views(get_resolver().url_patterns)
                     if getattr(view, "csrf_exempt", False)})  # fmt: skip
    outside_api = [route for route in exempt if not route.startswith("api/")]
    assert outside_api == ["payments/stripe/webhook/", "webhooks/demo-receiver/<int:pk>/"]
    for route, view in _views(get_resolver().url_patterns):
        cls = getattr(view, "cls", None)
        if route.startswith("api/") and cls is not None and hasattr(cls, "authentication_classes"):
            assert SessionAuthentication not in cls.authentication_classes, route
            assert not any(issubclass(auth, SessionAuthentication) for auth in cls.authentication_classes), route
