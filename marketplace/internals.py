"""Every private part of Oscar and Django the shop leans on, each behind one function here and used nowhere else.

Checked against Django 5.2.19 and django-oscar 4.2.1. ``tests/project/test_internals.py`` pins the behaviour each
function relies on, so an upgrade that changes it fails there instead of silently on the add-to-basket and checkout
paths. Where a public API does the job as well, the callers use it instead (and are not listed here): the checkout
keeps its empty session data unsaved by restoring the session's documented ``modified`` flag.

What is relied on, and why there is no public way:

- Oscar's basket lines cache, ``AbstractBasket._lines`` (``basket_lines_cache``, ``keep_basket_lines``).
  ``all_lines()`` returns whatever it holds, and Oscar sets it back to ``None`` wherever the lines may have changed
  (``reset_offer_applications``, which ``add_product`` calls, ``flush``, ``merge_line``, ``merge``). The basket hands
  Oscar lines it already read (with what pricing reads joined in) or a line it has just written; Oscar has no setter
  for them, and a cache of our own would miss Oscar's invalidations (present and future).
- Django's ``QuerySet._result_cache`` and ``QuerySet._prefetch_done`` (``prefilled``): a queryset whose rows are
  known without asking the database, as Django's own prefetching leaves one. Oscar's callers of ``all_lines()`` want
  a queryset (its basket formset reads ``ordered`` and iterates it), and Django has no public way to make one from
  rows already in hand (``none()`` only for no rows, and it stays empty when a caller narrows it).
- Oscar's ``BasketAddView.post`` (``post_add_to_basket_form``): it only loads the product
  (``get_object_or_404(product_model, pk=...)``) and goes on to Django's ``FormView.post``. Our view loads the product
  together with the offer the form names, in one query, so it goes to ``FormView.post`` past Oscar's; Oscar offers
  no hook to hand its view a product already loaded.
- Django's ``Model._prefetched_objects_cache`` (``is_prefetched``, ``keep_prefetched``): whether a relation was
  prefetched, so the offer strategy uses a product's prefetched offers instead of asking again; and a new basket's
  vouchers, known to be none, kept there as Django's prefetching keeps them (Django forgets them when a voucher is
  added through the basket). Django answers the first only privately. The public way to the second,
  ``prefetch_related_objects`` with a ``none()`` queryset, asks no query either but compiles one: about 0.9 ms of
  CPU against 0.05 ms, on every first add to basket (measured on this machine).
- Django's ``SessionBase._get_new_session_key`` (``UncheckedSessionKey``): it draws a random key and asks the store
  whether it is taken, a query for each new session. The database stores' ``create()`` writes the session with
  ``save(must_create=True)``, which refuses a key in use (``CreateError``) and draws again, so the question is not
  needed; Django offers no setting or public method for it.
- Django's ``FieldFile._committed`` (``is_stored``): whether a file field holds a stored file or a new upload (image
  checks run on uploads only). Django's own ``FileField.pre_save`` reads the same flag; there is no public one.

Documented despite the underscore, so used directly where needed: ``Model._meta``, ``Model._state.adding``,
``Model._default_manager``.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string
from django.views.generic import FormView


def basket_lines_cache(basket):
    """The lines Oscar's basket holds for ``all_lines()``; None when it will read them again."""
    return basket._lines


def keep_basket_lines(basket, lines) -> None:
    """``lines`` (a queryset) is what the basket's ``all_lines()`` returns until Oscar forgets it."""
    basket._lines = lines


def prefilled(queryset, rows: list):
    """``queryset`` as if it had been read and found ``rows``, as Django's prefetching fills one: iterating it,
    ``len``, ``count()`` and ``exists()`` ask nothing; narrowing it (``filter()``...) asks the database afresh."""
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    return queryset


def post_add_to_basket_form(view, request, *args, **kwargs):
    """Oscar's add-to-basket ``post`` without its product lookup: ``view.product`` is already set."""
    return FormView.post(view, request, *args, **kwargs)


def is_prefetched(instance, relation: str) -> bool:
    """Whether ``instance``'s ``relation`` was prefetched (``prefetch_related``), so reading it asks nothing."""
    return relation in getattr(instance, "_prefetched_objects_cache", {})


def keep_prefetched(instance, relation: str, queryset) -> None:
    """``instance``'s ``relation`` reads ``queryset`` (a ``prefilled`` one) as if it had been prefetched."""
    cache = getattr(instance, "_prefetched_objects_cache", None)
    if cache is None:
        instance._prefetched_objects_cache = cache = {}
    cache[relation] = queryset


def is_stored(file) -> bool:
    """Whether ``file`` is a file field's stored file (checked when it was uploaded), not a new upload."""
    return getattr(file, "_committed", False)


class UncheckedSessionKey:
    """A database session store whose new keys are not looked up first: its ``create()`` inserts the session and
    draws another key if the insert finds the key taken (``save(must_create=True)`` raises ``CreateError``)."""

    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)
