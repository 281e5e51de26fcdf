"""What pages say of an offer's stock: how many are left only when few are (``partner.models.shown_stock``), so a
cached page stays true after a sale that leaves plenty, and the page cache is retired when it would not."""

from django import template
from django.utils.translation import gettext as _

from marketplace.partner.models import shown_stock

register = template.Library()


@register.filter
def stock_shown(offer) -> str:
    shown = shown_stock(offer.num_in_stock, offer.num_allocated)
    if shown is None:
        return ""
    if shown == "plenty":
        return _("In stock")
    if shown > 0:
        return _("Only %d left") % shown
    return _("Sold out")
