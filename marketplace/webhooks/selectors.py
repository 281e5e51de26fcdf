"""What the webhooks pages read: always through the requesting operator's own storefront, so another storefront's
endpoint or delivery is a 404."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from marketplace.webhooks.models import Delivery, Endpoint


def endpoints(storefront):
    return Endpoint.objects.filter(storefront=storefront).annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=Delivery.DELIVERED)),
        failed=Count("deliveries", filter=Q(deliveries__status=Delivery.FAILED)),
        waiting=Count("deliveries", filter=Q(deliveries__status__in=(Delivery.PENDING, Delivery.SENDING))),
    )  # fmt: skip


def endpoint(storefront, pk: int) -> Endpoint:
    return get_object_or_404(Endpoint.objects.filter(storefront=storefront), pk=pk)


def delivery_log(endpoint: Endpoint):
    """The endpoint's deliveries, newest first."""
    return endpoint.deliveries.select_related("event").order_by("-pk")


def delivery(storefront, pk: int) -> Delivery:
    deliveries = Delivery.objects.select_related("event__storefront", "endpoint")
    return get_object_or_404(deliveries.filter(endpoint__storefront=storefront), pk=pk)


def status_counts(endpoint: Endpoint) -> list[tuple[str, str, int]]:
    """Deliveries by status (code, label, count): the endpoint page's bar."""
    counts = dict(endpoint.deliveries.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(code, label, counts.get(code, 0)) for code, label in Delivery.STATUS_CHOICES]
