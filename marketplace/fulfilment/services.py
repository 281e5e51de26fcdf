"""Each operator's part of an order: opened when the order is placed, moved on when it is paid, shipped and
completed. The operator changes only its own part; paying and cancelling are the shop's."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.fulfilment import delivery
from marketplace.fulfilment.models import OperatorOrder, OperatorOrderEvent
from marketplace.lifecycle import services as lifecycle
from marketplace.shipping.charges import charges_by_partner, flat_charge

Line = get_model("order", "Line")
Order = get_model("order", "Order")


def _lock_part(part_id: int) -> OperatorOrder:
    """The part, locked after its order: every writer of an order's money and status locks the order first (refunds
    do), so two of them never wait on each other in opposite order."""
    Order.objects.select_for_update().filter(pk__in=OperatorOrder.objects.filter(pk=part_id).values("order_id")).first()
    return OperatorOrder.objects.select_for_update(of=("self",)).select_related("order", "partner").get(pk=part_id)


@transaction.atomic
def open_operator_orders(*, order) -> list[OperatorOrder]:
    """One part per operator with lines in the order, carrying that operator's shipping charge: the lines read once
    and the parts written together. Running it again opens nothing twice."""
    # whether an operator's part is open already comes with its lines: a new order (the usual call) asks nothing more
    opened = OperatorOrder.objects.filter(order_id=OuterRef("order_id"), partner_id=OuterRef("partner_id"))
    lines = list(order.lines.select_related("partner__storefront", "product__product_class")
                 .annotate(part_opened=Exists(opened)))  # fmt: skip
    charges = charges_by_partner(
        (line.partner_id, line.product is not None and line.product.is_shipping_required, flat_charge(line.partner))
        for line in lines
        if line.partner_id
    )  # fmt: skip
    shipped_by = {
        line.partner_id for line in lines
        if line.partner_id and line.product is not None and line.product.is_shipping_required
    }  # fmt: skip
    status = OperatorOrder.AWAITING_PAYMENT if order.status == "Pending" else OperatorOrder.TO_FULFIL
    existing = {}
    if any(line.part_opened for line in lines):
        existing = {part.partner_id: part for part in OperatorOrder.objects.filter(order=order)}
    new = OperatorOrder.objects.bulk_create([
        OperatorOrder(order=order, partner_id=partner_id, shipping_charge=charge,
                      needs_shipping=partner_id in shipped_by, status=status)
        for partner_id, charge in charges.items() if partner_id not in existing
    ])  # fmt: skip
    OperatorOrderEvent.objects.bulk_create(
        [OperatorOrderEvent(operator_order=part, status=status, note="order placed") for part in new]
    )
    existing.update({part.partner_id: part for part in new})
    if status == OperatorOrder.TO_FULFIL:  # paid at placing: its units are prepared now, as on payment
        for part in new:
            lifecycle.prepare_units(part=part)
    return [existing[partner_id] for partner_id in charges]


def start_paid_order(*, order) -> None:
    """What a paid order starts here: its parts move to 'being prepared', and once the payment is committed, the
    fulfilment of every line runs as a Celery task."""
    for part in OperatorOrder.objects.select_for_update().filter(order=order, status=OperatorOrder.AWAITING_PAYMENT):
        _move(part, OperatorOrder.TO_FULFIL, actor=None, note="payment received")
        lifecycle.prepare_units(part=part)  # one unit per physical unit, with its serial: QC is recorded against it

    def enqueue():
        from marketplace.fulfilment.tasks import fulfil_order_task

        fulfil_order_task.delay(order_id=order.pk)

    transaction.on_commit(enqueue, robust=True)  # a broker that is down is logged; the sweep redoes it


def may_manage(*, user, part: OperatorOrder) -> bool:
    return user.is_staff or part.partner.users.filter(pk=user.pk).exists()


def change_status(*, part_id: int, actor, status: str, carrier: str = "", tracking_number: str = "", note: str = ""):
    """The operator moves its own part on: shipped (with carrier and tracking number when it ships goods), then
    complete. Staff may also cancel an unpaid part. Goods leave their maker only with a passing QC record for each
    unit whose design has a QC checklist."""
    if status in (OperatorOrder.SHIPPED, OperatorOrder.COMPLETE):
        # in a transaction of its own, so the units (and serials) a refusal names are kept when it refuses
        with transaction.atomic():
            paid = OperatorOrder.objects.filter(pk=part_id, status=OperatorOrder.TO_FULFIL).first()
            if paid is not None:
                lifecycle.prepare_units(part=paid)
    return _change_status(part_id=part_id, actor=actor, status=status, carrier=carrier,
                          tracking_number=tracking_number, note=note)  # fmt: skip


@transaction.atomic
def _change_status(*, part_id: int, actor, status: str, carrier: str, tracking_number: str, note: str):
    part = _lock_part(part_id)
    if not may_manage(user=actor, part=part):
        raise PermissionDenied("This part of the order belongs to another operator.")
    allowed = OperatorOrder.OPERATOR_TRANSITIONS.get(part.status, ())
    if actor.is_staff and part.status == OperatorOrder.AWAITING_PAYMENT:
        allowed = (OperatorOrder.CANCELLED,)
    if status == part.status:
        return part  # a repeated submission changes nothing
    if status not in allowed:
        names = dict(OperatorOrder.STATUS_CHOICES)
        if status not in names:
            raise ValidationError("Unknown status.")
        raise ValidationError(f"A part that is “{part.get_status_display()}” cannot become “{names[status]}”.")
    leaves_maker = part.status == OperatorOrder.TO_FULFIL and status in (OperatorOrder.SHIPPED, OperatorOrder.COMPLETE)
    if leaves_maker:  # a unit whose latest QC failed, or that has none while its design has a checklist, stays
        refusal = lifecycle.shipping_refusal(part=part)
        if refusal:
            raise ValidationError(refusal)
    if status == OperatorOrder.SHIPPED:
        from marketplace.payments.refunds import refunded_per_line

        lines = list(part.lines)
        given_back = refunded_per_line(line.pk for line in lines)
        if lines and all(given_back.get(line.pk, 0) >= line.line_price_incl_tax for line in lines):
            raise ValidationError("Every line of this part was refunded: there is nothing left to ship.")
        carrier, tracking_number = carrier.strip(), tracking_number.strip()
        if part.needs_shipping and not (carrier and tracking_number):
            raise ValidationError("Give the carrier and the tracking number so the shopper can follow the parcel.")
        part.carrier, part.tracking_number, part.shipped_at = carrier, tracking_number, timezone.now()
    if leaves_maker:
        lifecycle.mark_shipped(part=part, at=part.shipped_at or timezone.now())  # in service, in this transaction
    if part.status == OperatorOrder.TO_FULFIL:  # the goods leave (shipped, or handed over): their stock with them
        _release_stock(part)
    if status == OperatorOrder.COMPLETE:
        complete_part(part, actor=actor, note=note.strip()[:255] or "marked delivered by the operator")
        return part
    _move(part, status, actor=actor, note=note.strip()[:255])
    if status == OperatorOrder.SHIPPED:
        delivery.shipped(part=part)
        from marketplace.fulfilment.tasks import notify_shopper_shipped_task

        transaction.on_commit(lambda: notify_shopper_shipped_task.delay(part_id=part.pk))
    return part


def _release_stock(part: OperatorOrder) -> None:
    """Oscar's allocation ends as the part leaves: each line's units come out of stock (``consume_allocation``),
    except a line refunded in full, which never leaves, whose units go back on sale (``cancel_allocation``). Once: a
    part leaves "to fulfil" once, under its row lock."""
    from marketplace.payments.refunds import refunded_per_line

    lines = [line for line in part.lines.select_related("stockrecord") if line.stockrecord is not None]
    given_back = refunded_per_line(line.pk for line in lines)
    for line in lines:
        offer = line.stockrecord
        if given_back.get(line.pk, 0) >= line.line_price_incl_tax:
            offer.cancel_allocation(line.quantity)
        elif offer.is_allocation_consumption_possible(line.quantity):
            offer.consume_allocation(line.quantity)


def complete_part(part: OperatorOrder, *, actor, note: str) -> None:
    """A part is delivered (its goods arrived, or it had nothing to ship): its lines are delivered, and the order is
    complete once every part is delivered or cancelled. ``part`` is locked by the caller."""
    _move(part, OperatorOrder.COMPLETE, actor=actor, note=note)
    delivery.delivered(part=part)
    if part.needs_shipping:  # goods arrived (a part with nothing to ship completes with its downloads or seats)
        from marketplace.notifications import services as notifications

        notifications.send_later(order_id=part.order_id, code="PART_DELIVERED", key=f"delivered:{part.pk}", part=part)
    order = Order.objects.select_for_update().get(pk=part.order_id)
    parts = OperatorOrder.objects.filter(order_id=order.pk)
    open_parts = parts.exclude(status__in=(OperatorOrder.COMPLETE, OperatorOrder.CANCELLED))
    if order.status == "Paid" and not open_parts.exists():
        order.set_status("Complete")


@transaction.atomic
def confirm_delivery(*, part_id: int, shopper) -> OperatorOrder:
    """The shopper says a shipped part arrived. Asked twice, it changes nothing the second time."""
    part = _lock_part(part_id)
    if part.order.user_id is None or part.order.user_id != shopper.pk:
        raise PermissionDenied("Only the shopper who placed the order confirms its delivery.")
    if part.status == OperatorOrder.COMPLETE:
        return part
    if part.status != OperatorOrder.SHIPPED:
        raise ValidationError("Only a part that has been shipped can be confirmed as delivered.")
    complete_part(part, actor=shopper, note="delivery confirmed by the shopper")
    return part


def deliver_shipped_parts(*, now=None) -> int:
    """Parts shipped more than ``DELIVERED_AFTER_DAYS`` ago that nobody marked delivered are taken as delivered. Each
    part in a transaction of its own; run twice, the second run finds none."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DELIVERED_AFTER_DAYS)
    due = list(
        OperatorOrder.objects.filter(status=OperatorOrder.SHIPPED, shipped_at__lt=cutoff).values_list("pk", flat=True)
    )
    done = 0
    for part_id in due:
        with transaction.atomic():
            part = _lock_part(part_id)
            if part.status == OperatorOrder.SHIPPED:
                complete_part(part, actor=None, note=f"taken as delivered {settings.DELIVERED_AFTER_DAYS} days "
                                                     "after shipping")  # fmt: skip
                done += 1
    return done


def _move(part: OperatorOrder, status: str, *, actor, note: str) -> None:
    part.status = status
    part.save()
    OperatorOrderEvent.objects.create(operator_order=part, actor=actor, status=status, note=note)


def paid_lines():
    """Lines whose payment was confirmed: the order is paid and the line's operator part has left 'awaiting
    payment', which only a confirmed payment does (``start_paid_order``). An order whose status someone set to Paid
    by hand, with no payment behind it, delivers nothing."""
    confirmed = OperatorOrder.objects.filter(order_id=OuterRef("order_id"), partner_id=OuterRef("partner_id")).exclude(
        status__in=(OperatorOrder.AWAITING_PAYMENT, OperatorOrder.CANCELLED)
    )
    return Line.objects.filter(Exists(confirmed), order__status__in=("Paid", "Complete"))


def paid_line_ids(*, order_id: int) -> list[int]:
    return list(paid_lines().filter(order_id=order_id).values_list("pk", flat=True))


def unfulfilled_paid_line_ids() -> list[int]:
    """Paid lines whose delivery never started: what the fulfilment sweep picks up if a task was lost."""
    return list(paid_lines().filter(fulfilment__isnull=True).order_by("pk").values_list("pk", flat=True))


def part_ids(*, order_id: int) -> list[int]:
    return list(OperatorOrder.objects.filter(order_id=order_id).values_list("pk", flat=True))


@transaction.atomic
def notify_operator(*, part_id: int) -> bool:
    """Tell the operator its part of an order is paid and what to deliver; once."""
    part = OperatorOrder.objects.select_for_update().select_related("order", "partner").get(pk=part_id)
    if part.operator_notified_at or part.status == OperatorOrder.AWAITING_PAYMENT:
        return False
    from marketplace.notifications import services as notifications

    page = notifications.absolute(reverse("dashboard:order-detail", kwargs={"number": part.order.number}))
    notifications.send_to_people(
        code="PART_TO_DELIVER", users=part.partner.users.all(), part=part, order=part.order, lines=part.lines,
        ship_to=part.order.shipping_address if part.needs_shipping else None, order_url=page,
    )  # fmt: skip
    part.operator_notified_at = timezone.now()
    part.save(update_fields=["operator_notified_at"])
    return True


@transaction.atomic
def notify_shopper_shipped(*, part_id: int) -> bool:
    part = OperatorOrder.objects.select_for_update().select_related("order", "partner").get(pk=part_id)
    if part.shopper_notified_at or part.status != OperatorOrder.SHIPPED:
        return False
    from marketplace.fulfilment.tracking import tracking_url
    from marketplace.notifications import services as notifications

    notifications.send(order_id=part.order_id, code="PART_SHIPPED", key=f"shipped:{part.pk}", part=part,
                       tracking_url=tracking_url(part.carrier, part.tracking_number))  # fmt: skip
    part.shopper_notified_at = timezone.now()
    part.save(update_fields=["shopper_notified_at"])
    return True


SENT, SENT_WITHIN_THE_HOUR, NOTHING_TO_SEND = "sent", "sent within the hour", "nothing to send"


def resend_download(*, line) -> str:
    """A fresh download link for a delivered, unrefunded download line, e-mailed at most once an hour."""
    from marketplace.notifications import services as notifications
    from marketplace.notifications.models import OrderEmail
    from marketplace.payments.refunds import refunded_in_full

    fulfilment = getattr(line, "fulfilment", None)
    if fulfilment is None or fulfilment.kind != "download" or fulfilment.state != "done" or refunded_in_full(line):
        return NOTHING_TO_SEND
    key = f"download:{line.pk}:{timezone.now():%Y%m%d%H}"
    if OrderEmail.objects.filter(key=key).exists():
        return SENT_WITHIN_THE_HOUR
    notifications.send_later(order_id=line.order_id, code="DOWNLOAD_READY", key=key, **delivery.download_email(line))
    return SENT
