"""Two small extensions of the security libraries we use: django-axes' login lockout where Oscar authenticates
without a request, and django-csp's policy with a Stripe of our own (localstripe)."""

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class LoginRateLimitBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login form (shop, dashboard, admin). Oscar's registration signs the new
    customer in by calling ``authenticate()`` without a request; that is no guess at a password, so it is let
    through to the next backend instead of failing the registration."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; when ``STRIPE_API_BASE`` points at a Stripe of our own, that server serves Stripe.js
    and answers its calls, so the page may load from and talk to it (read per response: tests change it)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        base = settings.STRIPE_API_BASE.rstrip("/")
        if base and parts.update is None:
            parts.update = {directive: [base] for directive in ("script-src", "connect-src", "frame-src", "img-src")}
        return parts


def client_ip(request) -> str | None:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` proxies, each appending the address it saw to
    X-Forwarded-For, it is that many entries from the right: anything further left the client could have forged."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
