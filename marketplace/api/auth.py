"""How the operator endpoints know who calls: ``Authorization: Bearer oss_…`` names one live token of one
storefront. A read token reads; a write token also writes. Each token has its own rate limit."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from marketplace.api import tokens
from marketplace.api.models import ApiToken

TOKEN_RATE = "600/minute"  # noqa: S105 - a rate, not a password


class TokenAuthentication(BaseAuthentication):
    """A missing, malformed, unknown or revoked token is a 401 carrying ``WWW-Authenticate: Bearer``."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # the permission class answers 401: no credentials
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer oss_…”, with no spaces.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That is not a token of this shop.") from None
        token = tokens.live_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "That token is unknown or revoked: create one on your dashboard, under My storefront → API tokens."
            )
        return token.storefront.operator, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class StorefrontToken(BasePermission):
    """A live token of an active storefront; a write (anything but GET, HEAD, OPTIONS) needs a write token."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(
                "Send your storefront's API token as “Authorization: Bearer oss_…”: create one on your dashboard, "
                "under My storefront → API tokens."
            )
        storefront = token.storefront
        if storefront.status != storefront.ACTIVE or storefront.partner_id is None:
            reason = f" Reason given: {storefront.status_reason}" if storefront.status_reason else ""
            raise exceptions.PermissionDenied(
                f"{storefront.name} is {storefront.get_status_display().lower()}: its API tokens work again once "
                f"staff make it active.{reason}"
            )
        if request.method not in SAFE_METHODS and not token.may_write:
            raise exceptions.PermissionDenied(
                f"This token may only read; create a write token on {settings.SITE_URL.rstrip('/')}"
                f"{reverse('apitokens:list')} to change offers, ship or refund."
            )
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per token (``API_TOKEN_RATE`` in the settings' throttle rates as ``operator_token``)."""

    scope = "operator_token"

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope, TOKEN_RATE)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's ``operatorToken`` security scheme, so the reference page and schemathesis know to send it."""

    target_class = "marketplace.api.auth.TokenAuthentication"
    name = "operatorToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "oss_ followed by 43 characters",
            "description": "A storefront's API token, created on its dashboard (My storefront → API tokens); read "
            "tokens may only read.",
        }
