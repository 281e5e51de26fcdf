"""An operator's API tokens: created and revoked on its dashboard, checked on every API call.

A token is ``oss_`` and 43 URL-safe characters (``secrets.token_urlsafe(32)``: 256 random bits). The shop stores
only its SHA-256, so a leaked database holds no usable token; the secret is shown to the operator once."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from marketplace.api.models import ApiToken
from marketplace.storefronts.models import Storefront

PREFIX = "oss_"
MAX_LIVE_TOKENS = 10
SHOWN_CHARS = 12  # "oss_" and 8 characters: enough to tell tokens apart, far too few to guess the rest
LAST_USED_EVERY = timedelta(minutes=1)  # "last used" is written at most once a minute per token


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, storefront: Storefront, name: str, scope: str, created_by) -> tuple[ApiToken, str]:
    """A new token of the storefront, and its secret (which the shop never keeps): at most ``MAX_LIVE_TOKENS`` live
    tokens a storefront, so a forgotten one is revoked before another is made."""
    Storefront.objects.select_for_update().filter(pk=storefront.pk).first()  # two creations at once count each other
    name = name.strip()
    if not name:
        raise ValidationError("Name the token after what will use it, e.g. “ERP stock sync”.")
    if scope not in (ApiToken.READ, ApiToken.WRITE):
        raise ValidationError("Choose read or write.")
    if ApiToken.objects.filter(storefront=storefront, revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
        raise ValidationError(
            f"You have {MAX_LIVE_TOKENS} live tokens, the most a storefront may have: revoke one you no longer use "
            "first."
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(storefront=storefront, name=name[:80], scope=scope, key_hash=hash_of(secret),
                                    prefix=secret[:SHOWN_CHARS], created_by=created_by)  # fmt: skip
    return token, secret


def revoke_token(*, token: ApiToken) -> ApiToken:
    """The token stops working at once (the next call with it is refused); revoking twice changes nothing."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=Now())
    token.refresh_from_db()
    return token


def live_token(secret: str) -> ApiToken | None:
    """The live token with this secret, with its storefront, or None. Looked up by its hash's unique index: the
    secret itself is never compared character by character."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("storefront__operator", "storefront__partner")
             .filter(key_hash=hash_of(secret), revoked_at__isnull=True).first())  # fmt: skip
    if token is not None:
        _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=Now())
        token.last_used_at = now


def tokens_of(storefront: Storefront):
    """Live tokens first, newest first; then the revoked ones."""
    return (ApiToken.objects.filter(storefront=storefront).select_related("created_by")
            .order_by(F("revoked_at").desc(nulls_first=True), "-pk"))  # fmt: skip
