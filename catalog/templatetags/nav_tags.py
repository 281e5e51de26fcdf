"""The header's category menu and the listing pages' category tree, from the cache: rendered pages show them, and
they change only when a category is saved or deleted (``forget_menu_categories``, connected in ``catalog.apps``)."""

from django import template
from django.core.cache import cache
from oscar.templatetags.category_tags import get_annotated_list

register = template.Library()
MENU_KEY = "nav:categories"
TREE_KEY = "nav:category-tree"


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
