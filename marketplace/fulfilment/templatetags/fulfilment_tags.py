import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from marketplace.fulfilment import selectors
from marketplace.fulfilment.tracking import tracking_url

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


@register.simple_tag
def download_link(line) -> dict:
    """``{% download_link line as download %}``: a fresh signed link to a line's file, and until when it works."""
    from marketplace.fulfilment.delivery import download_token

    return {"url": reverse("fulfilment:download", kwargs={"token": download_token(line.pk)}),
            "until": timezone.now() + datetime.timedelta(seconds=settings.DOWNLOAD_LINK_MAX_AGE)}  # fmt: skip


@register.filter
def tracking_link(part) -> str:
    """The carrier's tracking page for a part's parcel, or ""."""
    return tracking_url(part.carrier, part.tracking_number)
