from django import template

from marketplace.fulfilment import selectors

register = template.Library()


@register.simple_tag
def operator_parts(order, user=None):
    """``{% operator_parts order as parts %}``: the order's lines grouped by operator, each with its status."""
    return selectors.parts_for_order(order, user=user)


@register.filter
def public_licensee(name: str) -> str:
    """A licensee as anyone may see it: a name as it is; an e-mail address (a guest with no name on the order) with
    its mailbox hidden but its first letter, so a verifier can match it and nobody can harvest it."""
    mailbox, at, domain = (name or "").partition("@")
    return f"{mailbox[:1]}…@{domain}" if at else name
