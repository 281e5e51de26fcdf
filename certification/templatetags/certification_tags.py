from django import template

from certification.services import is_certifier as _is_certifier

register = template.Library()


@register.filter
def is_certifier(user) -> bool:
    return _is_certifier(user)
