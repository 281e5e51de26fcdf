"""The OSE Certified badge. Templates render it only through ``{% ose_mark storefront design %}``, which asks
certification.marks; nothing else renders the badge."""

from django import template

from certification import marks

register = template.Library()


@register.inclusion_tag("certification/badge.html", takes_context=True)
def ose_mark(context, storefront, design):
    cache = context.render_context.setdefault("ose_marks", {})  # one query per storefront per page
    key = getattr(storefront, "pk", None)
    if key not in cache:
        cache[key] = marks.marked_design_ids(storefront=storefront)
    return {"show": design is not None and design.pk in cache[key]}
