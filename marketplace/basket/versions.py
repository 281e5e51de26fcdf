"""A version for each basket, so the header's basket pieces can be kept in the cache between its changes.

Every saved or deleted basket or line, and every voucher added or removed, bumps its basket's version (now and again
when the transaction commits); the catalogue's generation covers prices, products and offers. ``piece_key`` names a
rendered basket piece for the requester: signed in, by their account (their open basket is theirs); a guest, by the
basket cookie itself (Oscar signs it, so no one reaches another's basket by guessing an id); no basket at all, one
shared key. The page cache (``marketplace.ops.pagecache``) then renders the mini basket only after a change.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)


def _owner(basket) -> str:
    return f"u{basket.owner_id}" if basket.owner_id else f"b{basket.pk}"


def _bump(owner: str) -> None:
    key = f"basket-version:{owner}"
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception:  # the cache is down: pieces expire within PAGE_CACHE_SECONDS
        logger.warning("Could not bump the basket version of %s", owner)


def changed(basket) -> None:
    """``basket`` changed: its pieces are rendered afresh, now and once the change commits."""
    if basket is None or basket.pk is None:
        return
    owner = _owner(basket)
    _bump(owner)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(owner), robust=True)


def on_basket(sender, instance, **kwargs) -> None:
    if kwargs.get("reverse"):  # a voucher's baskets changed: those named
        from django.apps import apps

        for basket in apps.get_model("basket", "Basket").objects.filter(pk__in=kwargs.get("pk_set") or ()):
            changed(basket)
    else:
        changed(instance)


def on_line(sender, instance, **kwargs) -> None:
    changed(getattr(instance, "basket", None))


def piece_key(request) -> str | None:
    """The cache key of this requester's basket pieces as their basket stands, or None (render them)."""
    if request.user.is_authenticated:
        owner, holder = f"u{request.user.pk}", ""
    else:
        cookie = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN, "")
        if not cookie:
            return "basket:none"
        basket_id = cookie.split(":", 1)[0]
        if not basket_id.isdigit():
            return None
        owner, holder = f"b{basket_id}", hashlib.sha256(cookie.encode()).hexdigest()[:16]
    version = cache.get(f"basket-version:{owner}", 0)
    return f"basket:{owner}:{holder}:{version}"
