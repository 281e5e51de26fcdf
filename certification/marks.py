"""Who may show the OSE Certified mark. This module is the only place that decides it.

The seed: "Only those people who contribute to the certification are able to use the certification mark." A
storefront shows the mark on a design only if its operator holds a valid (issued, unexpired, unrevoked)
certificate for that design.
"""

from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Now
from django.utils import timezone

from certification.models import Certificate, MarkHolder


def _valid_now() -> Q:
    return Certificate.valid_q("certificate__")


def valid_holdings():
    """Every mark holding valid now: the one query every other app's "holds the mark" starts from."""
    return MarkHolder.objects.filter(_valid_now())


def holds_mark_subquery(*, user: str, design: str) -> Exists:
    """A query expression: does the user at the outer row's ``user`` path hold the mark for the design at its
    ``design`` path? (Offer lists: ``user="partner__storefront__operator_id", design="product__design_id"``.)"""
    holdings = MarkHolder.objects.filter(Certificate.valid_q("certificate__", now=Now()))
    return Exists(holdings.filter(user_id=OuterRef(user), certificate__design_id=OuterRef(design)))


def holders_by_design(design_ids) -> dict[int, set[int]]:
    """Who holds the mark of each design now (user ids), for many designs in one query: the royalties' rule."""
    holders: dict[int, set[int]] = {}
    rows = valid_holdings().filter(certificate__design_id__in=list(design_ids))
    for design_id, user_id in rows.values_list("certificate__design_id", "user_id"):
        holders.setdefault(design_id, set()).add(user_id)
    return holders


def marks_until(*, storefront) -> dict:
    """The designs on which this storefront may show the mark, each with when that ends (its operator's last valid
    certificate for the design expires): one query, for whole pages."""
    if storefront is None or not storefront.is_active:
        return {}
    held = valid_holdings().filter(user_id=storefront.operator_id).values("certificate__design_id")
    return dict(held.annotate(until=Max("certificate__expires_at")).values_list("certificate__design_id", "until"))


def marked_design_ids(*, storefront) -> set[int]:
    """The designs on which this storefront may show the mark (one query, for whole pages)."""
    return set(marks_until(storefront=storefront))


def may_show_mark(*, storefront, design) -> bool:
    return design.pk in marked_design_ids(storefront=storefront)


def holds_mark(*, user_id: int, design_id: int) -> bool:
    return valid_holdings().filter(user_id=user_id, certificate__design_id=design_id).exists()


def valid_certificates(design) -> list[Certificate]:
    now = timezone.now()
    return [c for c in design.certificates.all() if c.state(now) == Certificate.VALID]


def holder_ids(design):
    """The users who hold the mark of ``design`` now, as a subquery (storefronts turn them into storefronts)."""
    return valid_holdings().filter(certificate__design=design).values("user_id")
