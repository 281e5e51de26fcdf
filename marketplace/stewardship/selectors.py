"""Reads for the unit page, the owner's requests and the operator's dashboard."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from marketplace.lifecycle.models import Unit
from marketplace.stewardship.models import ServiceRequest


def public_unit(serial: str) -> Unit:
    """A unit as its public page shows it (a unit still in production has no page yet)."""
    units = Unit.objects.select_related("design", "product", "maker").exclude(state=Unit.IN_PRODUCTION)
    return get_object_or_404(units, serial=serial)


def service_history(unit: Unit) -> list[ServiceRequest]:
    """The unit's repairs, upgrades and take-back that were done: what, when and by which storefront."""
    return list(
        unit.service_requests.filter(status=ServiceRequest.CLOSED)
        .select_related("storefront")
        .prefetch_related("materials")
        .order_by("closed_at", "pk")
    )


def requests_of_owner(unit: Unit, user) -> QuerySet:
    if not user.is_authenticated:
        return ServiceRequest.objects.none()
    return unit.service_requests.filter(owner=user).select_related("storefront").order_by("-date_created", "-pk")


def owners_request(*, serial: str, pk: int, user) -> ServiceRequest:
    """One of the signed-in owner's own requests; anyone else's is a 404."""
    requests = ServiceRequest.objects.select_related("unit__design", "storefront", "quote_offer", "credit__voucher")
    return get_object_or_404(requests.prefetch_related("declines__storefront", "materials"),
                             unit__serial=serial, pk=pk, owner=user)  # fmt: skip


def operator_requests(storefront) -> QuerySet:
    """The requests that went to this storefront (now), newest first."""
    return (
        ServiceRequest.objects.filter(storefront=storefront)
        .select_related("unit__design", "owner", "quote_offer")
        .prefetch_related(Prefetch("materials"))
        .order_by("-date_created", "-pk")
    )


def unrouted_requests() -> QuerySet:
    return (
        ServiceRequest.objects.filter(storefront__isnull=True, status=ServiceRequest.OPEN)
        .select_related("unit__design")
        .order_by("date_created")
    )
