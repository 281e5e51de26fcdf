"""The OSE Certified badge. Templates render it only through ``{% ose_mark storefront design %}``, which asks
certification.marks; nothing else renders the badge."""

from django import template

from certification import marks
from marketplace.ops import pagecache

register = template.Library()


@register.inclusion_tag("certification/badge.html", takes_context=True)
def ose_mark(context, storefront, design):
    cache = context.render_context.setdefault("ose_marks", {})  # one query per storefront per page
    key = getattr(storefront, "pk", None)
    if key not in cache:
        cache[key] = marks.marks_until(storefront=storefront)
    until = cache[key].get(design.pk) if design is not None else None
    # a cached page shows the badge no longer than the certificate behind it holds (its expiry writes nothing)
    pagecache.valid_until(context.get("request"), until)
    return {"show": until is not None}
