from django import template

from marketplace.checkout.selectors import bank_transfer_to_make

register = template.Library()


@register.simple_tag
def bank_transfer_for(order):
    """``{% bank_transfer_for order as bank_transfer %}``: where to pay, while the order waits for its transfer."""
    return bank_transfer_to_make(order)


@register.filter
def discounts_of(order, category: str) -> list:
    """``order|discounts_of:"Basket"``: the order's discounts of one category (Oscar's Basket, Shipping, Deferred),
    read once for the whole page (Oscar's ``basket_discounts``, ``shipping_discounts`` and ``has_shipping_discounts``
    ask the database each time), or not at all when they were prefetched (``selectors.placed_order``)."""
    if not hasattr(order, "discounts_read"):
        order.discounts_read = list(order.discounts.all())
    return [discount for discount in order.discounts_read if discount.category == category]
