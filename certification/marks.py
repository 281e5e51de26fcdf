"""Who may show the OSE Certified mark. This module is the only place that decides it.

The seed: "Only those people who contribute to the certification are able to use the certification mark." A
storefront shows the mark on a design only if its operator holds a valid (issued, unexpired, unrevoked)
certificate for that design.
"""

from django.db.models import Max, Q
from django.utils import timezone

from certification.models import Certificate, MarkHolder


def _valid_now() -> Q:
    return Q(certificate__revoked_at__isnull=True, certificate__expires_at__gt=timezone.now())


def marks_until(*, storefront) -> dict:
    """The designs on which this storefront may show the mark, each with when that ends (its operator's last valid
    certificate for the design expires): one query, for whole pages."""
    if storefront is None or not storefront.is_active:
        return {}
    held = MarkHolder.objects.filter(_valid_now(), user_id=storefront.operator_id).values("certificate__design_id")
    return dict(held.annotate(until=Max("certificate__expires_at")).values_list("certificate__design_id", "until"))


def marked_design_ids(*, storefront) -> set[int]:
    """The designs on which this storefront may show the mark (one query, for whole pages)."""
    return set(marks_until(storefront=storefront))


def may_show_mark(*, storefront, design) -> bool:
    return design.pk in marked_design_ids(storefront=storefront)


def holds_mark(*, user_id: int, design_id: int) -> bool:
    return MarkHolder.objects.filter(_valid_now(), user_id=user_id, certificate__design_id=design_id).exists()


def valid_certificates(design) -> list[Certificate]:
    now = timezone.now()
    return [c for c in design.certificates.all() if c.state(now) == Certificate.VALID]


def entitled_storefronts(design):
    """Active storefronts whose operators hold a valid certificate for ``design``."""
    from marketplace.storefronts.models import Storefront

    holders = MarkHolder.objects.filter(_valid_now(), certificate__design=design).values("user_id")
    return Storefront.objects.filter(status=Storefront.ACTIVE, operator_id__in=holders).order_by("name")
