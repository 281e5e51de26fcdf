"""The header's category menu, from the cache: every rendered page shows it, and it changes only when a category is
saved or deleted (``forget_menu_categories``, connected in ``catalog.apps``)."""

from django import template
from django.core.cache import cache
from oscar.templatetags.category_tags import get_annotated_list

register = template.Library()
MENU_KEY = "nav:categories"


@register.simple_tag
def menu_categories() -> list[tuple[str, str]]:
    """The top-level categories shown in the menu, as (url, name)."""
    found = cache.get(MENU_KEY)
    if found is None:
        found = [(category.get_absolute_url(), category.name) for category, _ in get_annotated_list(depth=1)]
        cache.set(MENU_KEY, found, 3600)
    return found


def forget_menu_categories(**kwargs) -> None:
    cache.delete(MENU_KEY)
