"""Catalogue pages, kept whole in the shared cache (Redis in production) for a few minutes.

Every stored page carries the catalogue's *generation*: a counter in the cache that each change a shopper could see
(an offer, price or stock level, a product, design or category, a storefront, a certificate or mark, an Oscar offer)
increments, and again once its transaction commits (``invalidate``, connected in ``marketplace.apps``). The next
request then misses and renders afresh, on every web worker at once; old pages are never read again and expire.

Signed-in shoppers and visitors with a basket or pending messages get the same stored page, but for its *personal
pieces* (``{% personal "name" %}`` in the templates: the account bar, the mini basket, the messages, the
certification link, a product's wishlist, review and stock-alert buttons). A page is stored with each piece cut out,
and every hit fills them in for the requester: the account bar, the certification link and the basket from the cache
while the person's facts (``accounts.facts``) and their basket (``basket.versions``) have not changed, an empty
message box while no message waits, and the rest rendered in one template with one set of context processors. A
signed-in hit reads the user, and on a product page their review and wish lists. A first-time visitor with no
cookies gets the page whole, pieces and all, from a copy of its own. Staff (whose pages carry edit links) and a
client reading the primary after a write (``db_router``) always get the page rendered. A page that shows the
recently viewed products is kept once per value of that cookie. The CSRF token in a stored page is a hole filled
with the requester's own token on the way out, so forms on cached pages post as usual; so is the Content Security
Policy nonce of the page's inline script.

What ends with no write (an OSE Certified certificate running out) cannot retire pages: a page that shows it says
so while rendering (``valid_until``), and is kept no longer, nor served after that moment.
"""

import functools
import hashlib
import logging
import math
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template import engines
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from marketplace.ops.db_router import PIN_COOKIE, reads_primary

logger = logging.getLogger(__name__)
GENERATION_KEY = "pagecache:generation"



def _token_hole() -> bytes:
    """Where a stored page's CSRF tokens were: a mark no one who writes page text can know (it is derived from the
    secret key), so no operator can make a stored page show each visitor their own token."""
    return b"--csrf-" + salted_hmac("pagecache.token-hole", "hole").hexdigest()[:24].encode() + b"--"
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_STR_TOKEN = re.compile(r'(?<=name="csrfmiddlewaretoken" value=")[^"]+(?=")')
_PERSONAL_COOKIES = ("SESSION_COOKIE_NAME", "OSCAR_BASKET_COOKIE_OPEN")

# The personal pieces of a page, by the name the templates give them: only these can be rendered into a hole.
PIECES = {
    "accounts": "oscar/partials/nav_accounts.html",
    "basket": "oscar/partials/mini_basket.html",
    "messages": "personal/messages.html",
    "certifier": "certification/_queue_link.html",
    "wishlist": "personal/wishlist.html",
    "review": "personal/review_link.html",
    "first_review": "personal/first_review.html",
    "reviews": "personal/reviews.html",
    "phone_basket": "personal/phone_basket.html",
    "stock_alert": "personal/stock_alert.html",
}
# Pieces kept in the cache between changes, by a key the named function gives for the requester (None: render it)
PIECE_KEYS = {
    **dict.fromkeys(("basket", "phone_basket"), "marketplace.basket.versions.piece_key"),
    **dict.fromkeys(("accounts", "certifier"), "marketplace.accounts.facts.piece_key"),
    "messages": "marketplace.ops.pagecache.no_messages_key",
}
# A piece as rendered: its name and arguments (ints and slugs only) in the opening comment, then its HTML
_PIECE = re.compile(rb"<!--p:([a-z_]+)((?: [a-z_]+=[\w-]+)*)-->(.*?)<!--/p-->", re.S)
_ARGUMENT = re.compile(r"^[\w-]+$")
_CUT = "<!--piece-{}-->"  # with a mark of the secret key: no text a piece shows can fake the cut between two
PLAIN, PERSONAL, SIGNED_IN = "plain", "personal", "signed-in"


def piece_opening(name: str, arguments: dict) -> str:
    """The comment a piece's HTML starts with (``{% personal %}``); it names what a hit renders in its place."""
    if name not in PIECES:
        raise ValueError(f"No personal piece is called {name!r}: one of {', '.join(PIECES)}")
    words = "".join(f" {key}={value}" for key, value in arguments.items())
    if not all(_ARGUMENT.match(str(value)) for value in arguments.values()):
        raise ValueError(f"A personal piece takes numbers and slugs only, not {arguments!r}")
    return f"<!--p:{name}{words}-->"


def _holed(content: bytes) -> bytes:
    """The page with every personal piece emptied (its opening and closing comments kept)."""
    return _PIECE.sub(lambda match: b"<!--p:" + match.group(1) + match.group(2) + b"--><!--/p-->", content)


@functools.lru_cache(maxsize=256)
def _pieces_template(holes: tuple[tuple[str, str], ...]):
    """One template that renders these pieces in order, each ending at a cut."""
    def include(name: str, words: str) -> str:
        arguments = "".join(f' {key}="{value}"' for key, value in (word.split("=") for word in words.split()))
        return f'{{% include "{PIECES[name]}"{" with" + arguments if arguments else ""} %}}{_cut()}'

    source = "".join(include(name, words) for name, words in holes)
    return engines["django"].from_string(source)


@functools.cache
def _cut() -> str:
    return _CUT.format(salted_hmac("pagecache.piece-cut", "cut").hexdigest()[:24])


def no_messages_key(request) -> str | None:
    """Messages are shown once: kept only as the empty box of a requester who has none waiting."""
    if "messages" in request.COOKIES or request.session.get("_messages"):
        return None
    return "none"


def _kept_keys(request, holes, gen: int) -> list[str | None]:
    """Each hole's cache key for ``request``, or None where the piece is rendered every time."""
    keys, owners = [], {}
    for name, words in holes:
        key = None
        if name in PIECE_KEYS:
            function = PIECE_KEYS[name]
            if function not in owners:
                owners[function] = import_string(function)(request)
            if owners[function] is not None:
                key = f"piece:{gen}:{get_language()}:{name}:{words}:{owners[function]}"
        keys.append(key)
    return keys


def _filled(request, content: bytes, gen: int) -> bytes:
    """The stored page with its pieces for ``request``: those kept in the cache from there, the rest rendered in
    one template, with one set of context processors for them all."""
    matches = list(_PIECE.finditer(content))
    if not matches:
        return content
    holes = [(match.group(1).decode(), match.group(2).decode()) for match in matches]
    keys = _kept_keys(request, holes, gen)
    kept = cache.get_many([key for key in keys if key])
    missing = [index for index, key in enumerate(keys) if key not in kept]
    html = {index: kept[key] for index, key in enumerate(keys) if key in kept}
    if missing:
        rendered = _pieces_template(tuple(holes[index] for index in missing)).render(request=request).split(_cut())
        html.update(zip(missing, rendered, strict=False))
        new = {keys[index]: _STR_TOKEN.sub(_token_hole().decode(), html[index]) for index in missing if keys[index]}
        if new:
            cache.set_many(new, settings.PAGE_CACHE_SECONDS)
    parts, last = [], 0
    for index, match in enumerate(matches):
        parts += [content[last : match.start(3)], html[index].encode()]
        last = match.end(3)
    parts.append(content[last:])
    return b"".join(parts)


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A fresh start (or an evicted counter) must not meet pages stored under an earlier generation.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def retire_all() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        generation()
    except Exception:  # a cache outage must not fail the write that changed the catalogue
        logger.warning("Could not retire cached pages; they expire within %s s", settings.PAGE_CACHE_SECONDS)


def invalidate(**kwargs) -> None:
    """Retire every stored page now and again when the current transaction commits: a page rendered from the
    old rows between the two is never served (signal-friendly)."""
    retire_all()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(retire_all, robust=True)


def valid_until(request, moment) -> None:
    """The page being rendered for ``request`` is true only until ``moment`` (an aware datetime): it is kept no
    longer, and never served after it. The earliest moment a page is told wins; ``None`` says nothing."""
    if request is None or moment is None:
        return
    current = getattr(request, "_page_valid_until", None)
    if current is None or moment < current:
        request._page_valid_until = moment


def _lifetime(request) -> tuple[int, object]:
    """Seconds to keep the page rendered for ``request``, and the moment it stops being true (or None)."""
    until = getattr(request, "_page_valid_until", None)
    if until is None:
        return settings.PAGE_CACHE_SECONDS, None
    return min(settings.PAGE_CACHE_SECONDS, math.ceil((until - timezone.now()).total_seconds())), until


def _ended(stored) -> bool:
    """Whether the moment a stored page stopped being true has passed."""
    until = stored[4] if len(stored) > 4 else None
    return until is not None and timezone.now() >= until


def _flavour(request) -> str | None:
    """Which stored copy ``request`` may get: the whole page (a visitor with no cookie of ours), the page with
    its personal pieces rendered for the requester (signed in, or a basket or messages), or none."""
    if request.method not in ("GET", "HEAD") or settings.PAGE_CACHE_SECONDS <= 0:
        return None
    cookies = request.COOKIES
    if PIN_COOKIE in cookies:  # a visitor who just wrote reads the primary for a while (db_router), not old pages
        return None
    if request.user.is_authenticated:
        if request.user.is_staff or reads_primary(request):
            return None
        return SIGNED_IN
    if "messages" in cookies or any(getattr(settings, name) in cookies for name in _PERSONAL_COOKIES):
        return PERSONAL
    return PLAIN


def _key(request, gen: int, vary_on: tuple[str, ...], flavour: str) -> str:
    cookies = "|".join(request.COOKIES.get(name, "") for name in vary_on)
    where = f"{request.get_host()}|{get_language()}|{request.get_full_path()}|{cookies}|{flavour}"
    return f"pagecache:{gen}:{hashlib.sha256(where.encode()).hexdigest()}"


def anonymous_page(view=None, *, on_hit=None, vary_on: tuple[str, ...] = ()):
    """Serve ``view``'s 200 responses from the cache (to everyone but staff: the name is older than the personal
    pieces), one copy per value of the cookies named in ``vary_on``. ``on_hit(request, response, meta)`` runs on
    every hit with what ``response.cache_meta`` held when the page was stored (``@anonymous_page`` or
    ``@anonymous_page(on_hit=..., vary_on=...)``)."""
    if view is None:
        return lambda view: anonymous_page(view, on_hit=on_hit, vary_on=vary_on)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        flavour = _flavour(request)
        if flavour is None:
            return view(request, *args, **kwargs)
        try:
            gen = generation()
            key = _key(request, gen, vary_on, flavour)
            stored = cache.get(key)
        except Exception:  # the cache is down: shoppers still get their page, rendered
            logger.warning("Page cache unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if stored is not None and not _ended(stored):
            content, content_type, meta, *nonce = stored
            if flavour != PLAIN:
                try:
                    content = _filled(request, content, gen)
                except Exception:  # the cache failed between two reads: the page, rendered
                    logger.warning("Page cache unavailable", exc_info=True)
                    return view(request, *args, **kwargs)
            content = content.replace(_token_hole(), get_token(request).encode())
            if nonce and nonce[0]:  # the page's inline script runs with this response's nonce (and its header's)
                content = content.replace(nonce[0], str(request.csp_nonce).encode())
            response = _response(content, content_type)
            if on_hit is not None:
                on_hit(request, response, meta)
            return response
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        if response.status_code == 200 and not response.streaming and not response.has_header("Cache-Control"):
            content = response.content if flavour == PLAIN else _holed(response.content)
            hole = _token_hole()
            if token := _TOKEN.search(content):
                content = content.replace(token.group(1), hole)
            meta = getattr(response, "cache_meta", None)
            # The CSP nonce the page was rendered with is random, so no stored text can hold it but the shop's own
            # script tags: it is the hole a later request's nonce fills.
            rendered_nonce = getattr(request, "csp_nonce", None)
            nonce = str(rendered_nonce).encode() if rendered_nonce else None
            seconds, until = _lifetime(request)
            try:
                if seconds > 0 and response.content.count(hole) == 0:  # (a page that holds the mark is not kept)
                    cache.set(key, (content, response["Content-Type"], meta, nonce, until), seconds)
            except Exception:
                logger.warning("Page cache unavailable", exc_info=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper


def _response(content: bytes, content_type: str):
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=content_type)
    patch_vary_headers(response, ("Cookie",))
    return response
