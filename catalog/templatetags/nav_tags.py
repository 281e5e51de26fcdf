"""The header's category menu and the listing pages' category tree, from the cache: rendered pages show them, and
they change only when a category is saved or deleted (``forget_menu_categories``, connected in ``catalog.apps``).
The same for the checkout pages' flat pages (terms, delivery), forgotten when a flat page changes."""

from django import template
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.core.cache import cache
from oscar.templatetags.category_tags import get_annotated_list

register = template.Library()
MENU_KEY = "nav:categories"
TREE_KEY = "nav:category-tree"
CHECKOUT_PAGES_KEY = "nav:checkout-flatpages"


@register.simple_tag
def menu_categories() -> list[tuple[str, str]]:
    """The top-level categories shown in the menu, as (url, name)."""
    found = cache.get(MENU_KEY)
    if found is None:
        found = [(category.get_absolute_url(), category.name) for category, _ in get_annotated_list(depth=1)]
        cache.set(MENU_KEY, found, 3600)
    return found


@register.simple_tag
def cached_category_tree() -> list[dict]:
    """Oscar's ``category_tree`` (every public category, in tree order), as what the listing's side column reads:
    url, name, pk, has_children and num_to_close."""
    found = cache.get(TREE_KEY)
    if found is None:
        found = [
            {"url": info["url"], "name": info.category.name, "pk": info.pk,
             "has_children": info.get("has_children", False), "num_to_close": info.get("num_to_close", [])}
            for info, _ in get_annotated_list()
        ]  # fmt: skip
        cache.set(TREE_KEY, found, 3600)
    return found


def forget_menu_categories(**kwargs) -> None:
    cache.delete_many([MENU_KEY, TREE_KEY])


@register.simple_tag
def checkout_flatpages() -> list[dict]:
    """Oscar's checkout pages' ``get_flatpages '/order/'`` for a guest (the public ones), as title and content."""
    found = cache.get(CHECKOUT_PAGES_KEY)
    if found is None:
        pages = FlatPage.objects.filter(sites=settings.SITE_ID, url__startswith="/order/", registration_required=False)
        found = [{"title": page.title, "content": page.content} for page in pages.order_by("url")]
        cache.set(CHECKOUT_PAGES_KEY, found, 3600)
    return found


FOOTER_PAGES_KEY = "nav:footer-flatpages"
FOOTER_URLS = ["/about/", "/contact/", "/terms/", "/privacy/", "/returns/"]


@register.simple_tag
def footer_flatpages() -> list[dict]:
    """The footer's links: the flat pages about, contact, terms, privacy and returns that staff have published."""
    found = cache.get(FOOTER_PAGES_KEY)
    if found is None:
        pages = FlatPage.objects.filter(sites=settings.SITE_ID, url__in=FOOTER_URLS, registration_required=False)
        by_url = {page.url: page.title for page in pages}
        found = [{"url": url, "title": by_url[url]} for url in FOOTER_URLS if url in by_url]
        cache.set(FOOTER_PAGES_KEY, found, 3600)
    return found


def forget_checkout_flatpages(**kwargs) -> None:
    cache.delete_many([CHECKOUT_PAGES_KEY, FOOTER_PAGES_KEY])
