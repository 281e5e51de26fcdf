from django import template

from marketplace.checkout.selectors import bank_transfer_to_make

register = template.Library()


@register.simple_tag
def bank_transfer_for(order):
    """``{% bank_transfer_for order as bank_transfer %}``: where to pay, while the order waits for its transfer."""
    return bank_transfer_to_make(order)
