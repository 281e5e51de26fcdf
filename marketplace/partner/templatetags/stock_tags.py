"""What pages say of an offer's stock: how many are left only when few are (``partner.models.shown_stock``), so a
cached page stays true after a sale that leaves plenty, and the page cache is retired when it would not."""

from django import template
from django.utils.translation import gettext as _

from marketplace.partner.models import stock_label

register = template.Library()


@register.filter
def stock_shown(offer) -> str:
    if offer.num_in_stock is None:
        return ""
    return stock_label(offer.num_in_stock - (offer.num_allocated or 0)) or _("Sold out")
