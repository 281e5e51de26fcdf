from django import template

from marketplace.supporters import selectors

register = template.Library()


@register.simple_tag
def true_fans_offer(storefront):
    """The storefront's True Fans offer when it takes supporters now (opted in, active, its tier allows it), else
    None: for the link on its page."""
    if storefront is None or not getattr(storefront, "pk", None):
        return None
    found = selectors.offering_storefronts().filter(pk=storefront.pk).first()
    return found.true_fans_offer if found else None
