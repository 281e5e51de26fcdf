"""The Stripe webhook is the only view that skips CSRF protection: Stripe signs its requests instead."""

from django.urls import URLPattern, URLResolver, get_resolver


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_the_stripe_webhook_is_the_only_csrf_exempt_view():
    exempt = sorted({route for route, view in _views(get_resolver().url_patterns)
                     if getattr(view, "csrf_exempt", False)})  # fmt: skip
    assert exempt == ["payments/stripe/webhook/"]
