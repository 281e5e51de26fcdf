"""Reads for order pages: an order's operator parts, each with its own lines, fulfilment and refunds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from oscar.core.loading import get_model

from marketplace.fulfilment.models import OperatorOrder

Line = get_model("order", "Line")


@dataclass
class Part:
    part: OperatorOrder
    lines: list = field(default_factory=list)
    refunded: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return sum((line.line_price_incl_tax for line in self.lines), Decimal("0.00")) + self.part.shipping_charge


def parts_for_order(order, *, user=None) -> list[Part]:
    """The order's parts, one per operator, with their lines (and each line's fulfilment, licence and seats) in
    three queries. With ``user``, only the parts a dashboard user may see: all for staff, else their own."""
    from marketplace.payments.models import Refund

    parts = OperatorOrder.objects.filter(order=order).select_related("partner__storefront").order_by("pk")
    if user is not None and not user.is_staff:
        parts = parts.filter(partner__users=user)
    parts = list(parts)
    lines = defaultdict(list)
    for line in (
        Line.objects.filter(order=order, partner_id__in=[p.partner_id for p in parts])
        .select_related("product", "fulfilment", "licence")
        .prefetch_related(Prefetch("enrolments"))
        .order_by("pk")
    ):
        lines[line.partner_id].append(line)
    refunded = dict(
        Refund.objects.filter(operator_order__in=parts, status=Refund.SUCCEEDED)
        .values_list("operator_order")
        .annotate(total=Sum("amount"))
    )
    return [Part(part=p, lines=lines[p.partner_id], refunded=refunded.get(p.pk, Decimal("0.00"))) for p in parts]


def parts_for_user(user) -> QuerySet:
    """Parts a dashboard user may manage: all for staff, else those of its own partners."""
    parts = OperatorOrder.objects.select_related("order", "partner")
    return parts if user.is_staff else parts.filter(partner__users=user)
