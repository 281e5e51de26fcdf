from django import template

from marketplace.fulfilment import selectors

register = template.Library()


@register.simple_tag
def operator_parts(order, user=None):
    """``{% operator_parts order as parts %}``: the order's lines grouped by operator, each with its status."""
    return selectors.parts_for_order(order, user=user)
