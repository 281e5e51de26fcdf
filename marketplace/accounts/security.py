"""Extensions of the security libraries we use: django-axes' login lockout on every login, none of which signs in
without the request, keyed on the e-mail in any letter case (``login_name``) and on the client address
(``client_ip``, from X-Forwarded-For only when a trusted proxy sent it); Oscar's e-mail login, finding the account
the lockout counts against and as slow for an unknown account as for a known one; and django-csp's policy with
Stripe on the page that takes a card."""

import ipaddress
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import get_resolver
from oscar.apps.customer.auth_backends import EmailBackend as OscarEmailBackend
from oscar.apps.customer.utils import normalise_email


class LoginRateLimitBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login form (shop, checkout gateway, dashboard, admin). A password checked
    without the request has no client address to count it against, so it signs nobody in: otherwise any such call
    would be a way around the lockout (Oscar's checkout gateway was one). The one exception is Oscar's registration,
    which signs the customer it has just created in without the request (``signing_in_new_account``): that is no
    guess at a password."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            if username is not None and username == _new_account.get():
                return None  # on to the e-mail backend, which signs the new customer in
            raise PermissionDenied("A login needs the request, to count it against the client's address.")
        return super().authenticate(request, username=username, password=password, **kwargs)


_new_account: ContextVar[str | None] = ContextVar("new_account", default=None)


@contextmanager
def signing_in_new_account(email: str):
    """While Oscar's registration signs in the account it has just created for ``email``."""
    token = _new_account.set(email)
    try:
        yield
    finally:
        _new_account.reset(token)


STRIPE_ORIGINS = ("https://js.stripe.com", "https://*.stripe.com")


CARD_DIRECTIVES = ("script-src", "connect-src", "frame-src", "img-src")


def allow_stripe(response, directives: tuple[str, ...] = CARD_DIRECTIVES):
    """This response takes a card: Stripe.js may load from Stripe and talk to it (Stripe requires its script to
    come from Stripe). With ``("form-action",)``, a form on the page may lead to Stripe (Connect's onboarding): the
    only pages whose policy names another host."""
    response.csp_stripe_directives = directives
    return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with Stripe's origins added to the page that takes a card (``allow_stripe``); when
    ``STRIPE_API_BASE`` points at a Stripe of our own (localstripe), that server serves Stripe.js and answers its
    calls, so it is added too (read per response: tests change it)."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        directives = getattr(response, "csp_stripe_directives", ())
        if directives and parts.update is None:
            origins = [*STRIPE_ORIGINS]
            if base := settings.STRIPE_API_BASE.rstrip("/"):
                origins.append(base)
            parts.update = dict.fromkeys(directives, origins)
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
    and case-folded, so that someone@example.org and SOMEONE@EXAMPLE.ORG are one login with one count; the e-mail
    backend signs in only the account whose e-mail folds to the same text, so no other spelling reaches it with a
    count of its own. On a successful login axes names the user by their username; the count to clear is the one of
    their e-mail."""
    name = (credentials or {}).get("username")
    user = getattr(request, "user", None)
    if name and user is not None and user.is_authenticated and name == user.get_username() and user.email:
        name = user.email
    return str(name).strip().casefold() if name else None


class EmailBackend(OscarEmailBackend):
    """Oscar's e-mail login, in any letter case, and only in a letter case: the account is the one whose e-mail is the
    typed one case-folded, which is also what the lockout counts against (``login_name``). The database's
    case-insensitive match only finds the candidates; PostgreSQL's also takes look-alikes for the same letter (UPPER
    makes a dotless ı an I), which would be another login to the account with a count of its own. When no account
    has the e-mail, the password is still hashed once (as Django's ModelBackend does for an unknown username), so a
    wrong login takes as long for an unknown account as for a known one and its timing tells nobody who has one."""

    def _authenticate(self, request, email=None, password=None, *args, **kwargs):
        login = email if email is not None else kwargs.get("username")
        if login is None or password is None:
            return None
        typed = normalise_email(login)
        if "@" not in typed:
            return None
        User = get_user_model()
        accounts = [user for user in User._default_manager.filter(email__iexact=typed)
                    if user.email.strip().casefold() == typed.casefold()]  # fmt: skip
        if not accounts:
            User().set_password(password)
            return None
        signed_in = [user for user in accounts if user.check_password(password) and self.user_can_authenticate(user)]
        if len(signed_in) > 1:  # as Oscar's: two accounts with one e-mail and one password are neither
            raise User.MultipleObjectsReturned("There are multiple users with the given email address and password")
        return signed_in[0] if signed_in else None


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


# The largest id a database's bigint column holds; an id outside 1..this is no row anywhere.
LARGEST_ID = 2**63 - 1


class HostilePathMiddleware:
    """Paths no page answers, refused as the shop's 404 before any view or query sees them: a NUL character anywhere
    in the path (PostgreSQL cannot compare text holding one), and an id a URL takes (``pk``, ``..._pk``) that is not
    a whole number a database row can have (Oscar's dashboard takes some ids as any text, and ``int()`` reads "²" or
    thirty digits that no column holds)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            response = _not_found(request, Http404("No page has a NUL character in its address."))
            # the flat pages' fallback, which looks up every 404's path, then asks for one PostgreSQL can compare
            request.path_info = request.path_info.replace("\x00", "")
            return response
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for name, value in view_kwargs.items():
            if (name == "pk" or name.endswith("_pk")) and not _is_row_id(value):
                raise Http404("That is not the id of anything here.")
        return None

    def process_exception(self, request, exception):
        """A page's "not found" (a missing object, or someone else's) is the shop's 404 page even in the demo, which
        runs with DEBUG: a stranger trying an id learns what to do, not the shop's URL table and model names."""
        if isinstance(exception, Http404) and settings.DEBUG:
            return _not_found(request, exception)
        return None


def _not_found(request, exception):
    """The site's 404 handler's answer (``handler404``: JSON under /api/, the shop's page elsewhere), with or without
    DEBUG, where Django would answer its debug page."""
    return get_resolver().resolve_error_handler(404)(request, exception)


def _is_row_id(value) -> bool:
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 19):
            return False
        value = int(value)
    return isinstance(value, int) and 0 <= value <= LARGEST_ID


def csrf_failure(request, reason=""):
    """Django's CSRF refusal (``CSRF_FAILURE_VIEW``) in the shop's layout, saying what happened in a shopper's words:
    the page was open too long, or cookies are off."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", {"reason": reason}, status=403)
