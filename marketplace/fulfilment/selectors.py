"""Reads for order pages: an order's operator parts, each with its own lines, fulfilment and refunds."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

from marketplace.fulfilment.models import Enrolment, OperatorOrder
from marketplace.money import CENT
from marketplace.storefronts.selectors import lines_for_user

Line = get_model("order", "Line")


@dataclass
class Part:
    part: OperatorOrder
    lines: list = field(default_factory=list)
    refunded: Decimal = Decimal("0.00")
    refund_reasons: list = field(default_factory=list)  # why each settled refund was made, as the shopper is told

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
    read = list(
        Line.objects.filter(order=order, partner_id__in=[p.partner_id for p in parts])
        .select_related("product", "fulfilment", "licence")
        .annotate(has_seats=Exists(Enrolment.objects.filter(line=OuterRef("pk"))))
        .order_by("pk")
    )  # fmt: skip
    # seats are read for the lines that have some (training): for none, an empty id list asks nothing
    seated = [line.pk for line in read if line.has_seats]
    prefetch_related_objects(read, Prefetch("enrolments", queryset=Enrolment.objects.filter(line_id__in=seated)))
    for line in read:
        lines[line.partner_id].append(line)
    refunded, reasons = defaultdict(lambda: Decimal("0.00")), defaultdict(list)
    paid = [p for p in parts if p.status != OperatorOrder.AWAITING_PAYMENT]  # nothing to refund before payment
    settled = Refund.objects.filter(operator_order__in=paid, status=Refund.SUCCEEDED).order_by("pk") if paid else []
    for part_id, amount, reason in settled.values_list("operator_order", "amount", "reason") if paid else ():
        refunded[part_id] += amount
        reasons[part_id].append(reason)
    if paid:  # a line refunded in full loses its download
        from marketplace.payments.refunds import refunded_per_line

        given_back = refunded_per_line(line.pk for part in paid for line in lines[part.partner_id])
        for part in paid:
            for line in lines[part.partner_id]:
                line.refunded_in_full = given_back.get(line.pk, Decimal("0.00")) >= line.line_price_incl_tax
    return [Part(part=p, lines=lines[p.partner_id], refunded=refunded[p.pk], refund_reasons=reasons[p.pk])
            for p in parts]  # fmt: skip


def parts_of_shopper(user) -> QuerySet:
    """The parts of the orders a signed-in shopper placed."""
    return OperatorOrder.objects.select_related("order", "partner").filter(order__user=user)


def parts_for_user(user) -> QuerySet:
    """Parts a dashboard user may manage: all for staff, else those of its own partners."""
    parts = OperatorOrder.objects.select_related("order", "partner")
    return parts if user.is_staff else parts.filter(partner__users=user)


def operator_parts(user) -> QuerySet:
    """A dashboard user's parts of orders (all for staff, else its own), each with the money that is its own:
    ``total_incl_tax``, its lines and its part's shipping (never the order's other operators' lines), and its order's
    ``date_placed`` (the names Oscar's dashboard statistics read), with ``items``, its lines' quantity."""
    own_lines = (
        Line.objects.filter(order=OuterRef("order"), partner=OuterRef("partner"))
        .values("order")
        .annotate(total=Sum("line_price_incl_tax"), items=Sum("quantity"))
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return parts_for_user(user).annotate(
        date_placed=F("order__date_placed"),
        total_incl_tax=Coalesce(Subquery(own_lines.values("total"), output_field=money), Value(Decimal("0.00")))
        + F("shipping_charge"),
        items=Subquery(own_lines.values("items")),
    )


def operator_order_totals(user, orders: QuerySet) -> QuerySet:
    """``orders`` with ``operator_total``, the user's own money in each (its lines and its parts' shipping), and
    ``operator_items``, its lines' quantity."""
    money = DecimalField(max_digits=12, decimal_places=2)
    zero = Value(Decimal("0.00"))
    lines = (
        lines_for_user(user, Line.objects.filter(order=OuterRef("pk")))
        .values("order")
        .annotate(total=Sum("line_price_incl_tax"), items=Sum("quantity"))
    )
    shipping = parts_for_user(user).filter(order=OuterRef("pk")).values("order").annotate(total=Sum("shipping_charge"))
    return orders.annotate(
        operator_total=Coalesce(Subquery(lines.values("total"), output_field=money), zero)
        + Coalesce(Subquery(shipping.values("total"), output_field=money), zero),
        operator_items=Subquery(lines.values("items")),
    )


def operator_total(user, order) -> Decimal:
    """The user's own money in ``order``: its lines and its parts' shipping."""
    return operator_order_totals(user, type(order).objects.filter(pk=order.pk)).get().operator_total


def operator_figures(user, *, since) -> dict:
    """An operator's own money for the dashboard home, under the names of Oscar's statistics: its revenue since
    ``since`` and in all, and its average part of an order since ``since``."""
    zero = Decimal("0.00")
    parts = operator_parts(user)
    recent = parts.filter(date_placed__gt=since).aggregate(revenue=Sum("total_incl_tax"), average=Avg("total_incl_tax"))
    figures = {
        "total_revenue_last_day": recent["revenue"],
        "average_order_costs": recent["average"],
        "total_revenue": parts.aggregate(revenue=Sum("total_incl_tax"))["revenue"],
    }
    return {name: (value or zero).quantize(CENT) for name, value in figures.items()}
