"""Extensions of the security libraries we use: django-axes' login lockout where Oscar authenticates without a
request, keyed on the e-mail in any letter case (``login_name``) and on the client address (``client_ip``, from
X-Forwarded-For only when a trusted proxy sent it); Oscar's e-mail login, as slow for an unknown account as for a
known one; and django-csp's policy with Stripe on the page that takes a card."""

import ipaddress
from functools import lru_cache

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from oscar.apps.customer.auth_backends import EmailBackend as OscarEmailBackend
from oscar.apps.customer.utils import normalise_email


class LoginRateLimitBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login form (shop, dashboard, admin). Oscar's registration signs the new
    customer in by calling ``authenticate()`` without a request; that is no guess at a password, so it is let
    through to the next backend instead of failing the registration."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


STRIPE_ORIGINS = ("https://js.stripe.com", "https://*.stripe.com")


def allow_stripe(response):
    """This response takes a card: Stripe.js may load from Stripe and talk to it (the one page whose policy names
    another host; Stripe requires its script to come from Stripe)."""
    response.csp_allows_stripe = True
    return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with Stripe's origins added to the page that takes a card (``allow_stripe``); when
    ``STRIPE_API_BASE`` points at a Stripe of our own (localstripe), that server serves Stripe.js and answers its
    calls, so it is added too (read per response: tests change it)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if getattr(response, "csp_allows_stripe", False) and parts.update is None:
            origins = [*STRIPE_ORIGINS]
            if base := settings.STRIPE_API_BASE.rstrip("/"):
                origins.append(base)
            parts.update = dict.fromkeys(("script-src", "connect-src", "frame-src", "img-src"), origins)
        return parts


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless the request comes from one of ``TRUSTED_PROXIES``. Behind
    ``TRUSTED_PROXY_COUNT`` such proxies, each appending the address it saw to X-Forwarded-For, it is that many
    entries from the right: anything further left the client could have forged, and so could anyone reaching
    gunicorn without a proxy, whose X-Forwarded-For is therefore never read."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies or not from_trusted_proxy(request):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = _address(forwarded[-proxies]) if len(forwarded) >= proxies else None
    return str(client) if client is not None else remote  # a malformed entry names the proxy, never an error


def from_trusted_proxy(request) -> bool:
    address = _address(request.META.get("REMOTE_ADDR") or "")
    return address is not None and any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address  # ::ffff:10.0.0.2 is 10.0.0.2


def login_name(request, credentials: dict | None = None) -> str | None:
    """What django-axes counts wrong passwords against (``AXES_USERNAME_CALLABLE``): the login as typed, stripped
    and case-folded, so that someone@example.org and SOMEONE@EXAMPLE.ORG are one login with one count. On a
    successful login axes names the user by their username; the count to clear is the one of their e-mail."""
    name = (credentials or {}).get("username")
    user = getattr(request, "user", None)
    if name and user is not None and user.is_authenticated and name == user.get_username() and user.email:
        name = user.email
    return str(name).strip().casefold() if name else None


class EmailBackend(OscarEmailBackend):
    """Oscar's e-mail login, in any letter case. When no account has the e-mail, the password is still hashed once
    (as Django's ModelBackend does for an unknown username), so a wrong login takes as long for an unknown account
    as for a known one and its timing tells nobody who has an account."""

    def authenticate(self, request=None, *args, **kwargs):
        user = super().authenticate(request, *args, **kwargs)
        login, password = kwargs.get("email") or kwargs.get("username"), kwargs.get("password")
        if user is None and login and password is not None and "@" in login:
            User = get_user_model()
            if not User._default_manager.filter(email__iexact=normalise_email(login)).exists():
                User().set_password(password)
        return user


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.TRUSTED_PROXY_COUNT and not settings.TRUSTED_PROXIES:
        return [checks.Warning(
            "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXIES is empty, so X-Forwarded-For is never read: every client "
            "behind the proxy has the proxy's address, and one guesser locks a login out for all of them.",
            hint="Set TRUSTED_PROXIES to the proxies' addresses or network (e.g. the compose network's subnet).",
            id="marketplace.W001",
        )]  # fmt: skip
    return []
