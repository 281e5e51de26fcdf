from django import template

from catalog import standards

register = template.Library()


@register.simple_tag
def completeness(documents) -> int:
    return standards.completeness(documents)
