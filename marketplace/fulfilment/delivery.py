"""Delivering each paid order line by its level. Every function here can run twice and creates nothing twice:
it works under the line's fulfilment row lock and skips what is already delivered."""

import hashlib
import hmac
import logging
import re

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.fulfilment.models import DistributionLicence, Enrolment, LineFulfilment, OperatorOrder

Line = get_model("order", "Line")
logger = logging.getLogger(__name__)

LICENCE_NUMBER = re.compile(r"^OSE-L-(?P<line>\d{7,})-(?P<check>[0-9A-F]{8})$")
VALID, UNKNOWN, TAMPERED = "valid", "unknown", "tampered"


def kind_for(line) -> str:
    product = line.product
    level = product.level if product else None
    if level == 3:
        return LineFulfilment.LICENCE
    if level == 2:
        return LineFulfilment.ENROLMENT
    if product is not None and not product.is_shipping_required:
        if not product.is_public and not product.digital_file:
            # a product the shop put in the basket itself, with nothing to download: an operator's quote for a
            # repair, an upgrade or a take-back (marketplace/stewardship), done on the unit
            return LineFulfilment.SERVICE
        return LineFulfilment.DOWNLOAD
    return LineFulfilment.SHIPMENT


def fulfil_line(*, line_id: int) -> LineFulfilment:
    """Deliver one paid line: a licence is issued, seats are enrolled, a download link is sent, goods wait for the
    operator to ship them (a microfactory kit: seats now, the kit by shipment)."""
    with transaction.atomic():
        line = Line.objects.select_related("order", "order__user", "product__product_class", "partner").get(pk=line_id)
        fulfilment, _ = LineFulfilment.objects.get_or_create(line=line, defaults={"kind": kind_for(line)})
        fulfilment = LineFulfilment.objects.select_for_update().get(pk=fulfilment.pk)
        if fulfilment.state in (LineFulfilment.DONE, LineFulfilment.AWAITING_SHIPMENT):
            return fulfilment
        confirmed = OperatorOrder.objects.filter(order_id=line.order_id, partner_id=line.partner_id).exclude(
            status__in=(OperatorOrder.AWAITING_PAYMENT, OperatorOrder.CANCELLED)
        )  # as services.paid_lines: a status set to Paid by hand is no payment
        if line.order.status not in ("Paid", "Complete") or not confirmed.exists():
            raise ValueError(f"Order {line.order.number} is not paid.")
        fulfilment.attempts += 1
        deliver = {
            LineFulfilment.LICENCE: _issue_licence,
            LineFulfilment.ENROLMENT: _enrol,
            LineFulfilment.DOWNLOAD: _send_download_link,
            LineFulfilment.SHIPMENT: _await_shipment,
            LineFulfilment.SERVICE: lambda line: None,  # paid: the operator does the work and closes the request
        }[fulfilment.kind]
        deliver(line)
        state = LineFulfilment.DONE
        if line.product is not None and line.product.is_shipping_required:
            # goods wait for the operator to ship them, unless it shipped (or they arrived) before this task ran
            part_status = OperatorOrder.objects.filter(order_id=line.order_id, partner_id=line.partner_id).values_list(
                "status", flat=True
            ).first()
            state = {OperatorOrder.SHIPPED: LineFulfilment.SHIPPED, OperatorOrder.COMPLETE: LineFulfilment.DONE}.get(
                part_status, LineFulfilment.AWAITING_SHIPMENT
            )
        fulfilment.state = state
        fulfilment.error = ""
        fulfilment.save()
        _complete_part_when_delivered(line)
    return fulfilment


def _complete_part_when_delivered(line) -> None:
    """A part with nothing to ship is complete once every line is delivered (seats, downloads, licences)."""
    part = OperatorOrder.objects.select_for_update().filter(order_id=line.order_id, partner_id=line.partner_id).first()
    if part is None or part.needs_shipping or part.status != OperatorOrder.TO_FULFIL:
        return
    lines = Line.objects.filter(order_id=line.order_id, partner_id=line.partner_id)
    if not lines.exclude(fulfilment__state=LineFulfilment.DONE).exists():
        from marketplace.fulfilment.services import complete_part

        complete_part(part, actor=None, note="everything delivered")


def record_failure(*, line_id: int, error: str) -> None:
    """A task that gave up leaves its error where staff see it (the order's lines, the fulfilment admin)."""
    line = Line.objects.get(pk=line_id)
    fulfilment, _ = LineFulfilment.objects.get_or_create(line=line, defaults={"kind": kind_for(line)})
    LineFulfilment.objects.filter(pk=fulfilment.pk).exclude(state=LineFulfilment.DONE).update(
        state=LineFulfilment.FAILED, error=error[:2000], date_updated=timezone.now()
    )


def shipped(*, part: OperatorOrder) -> None:
    """The operator shipped its part: its goods (and kits) are on their way, not yet delivered."""
    LineFulfilment.objects.filter(
        line__order_id=part.order_id, line__partner_id=part.partner_id, state=LineFulfilment.AWAITING_SHIPMENT
    ).update(state=LineFulfilment.SHIPPED, date_updated=timezone.now())


def delivered(*, part: OperatorOrder) -> None:
    """The part's goods arrived: the shopper said so, the operator did, or the days allowed for delivery passed."""
    LineFulfilment.objects.filter(
        line__order_id=part.order_id, line__partner_id=part.partner_id,
        state__in=(LineFulfilment.AWAITING_SHIPMENT, LineFulfilment.SHIPPED),
    ).update(state=LineFulfilment.DONE, date_updated=timezone.now())  # fmt: skip


def _shopper_email(line) -> str:
    return line.order.email


def _await_shipment(line) -> None:
    pass  # the operator was told about its part when it was paid; it ships from the dashboard


def _enrol(line) -> None:
    created = 0
    for seat in range(1, line.quantity + 1):
        created += Enrolment.objects.get_or_create(
            line=line, seat=seat, defaults={"participant_email": _shopper_email(line)}
        )[1]
    if created:
        from marketplace.notifications import services as notifications

        notifications.send_later(order_id=line.order_id, code="SEATS_ENROLLED", key=f"seats:{line.pk}", line=line)


def download_token(line_id: int) -> str:
    return signing.TimestampSigner(salt="digital-download").sign(str(line_id))


def line_for_download_token(token: str):
    """The paid line a download link was made for, or None if the link is forged or expired."""
    try:
        line_id = signing.TimestampSigner(salt="digital-download").unsign(token, max_age=settings.DOWNLOAD_LINK_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return Line.objects.select_related("product", "order").filter(pk=int(line_id)).first()


def download_email(line) -> dict:
    """What a download e-mail shows: the line, a fresh link to it, and for how many days the link works."""
    from marketplace.notifications.services import absolute

    path = reverse("fulfilment:download", kwargs={"token": download_token(line.pk)})
    return {"line": line, "download_url": absolute(path), "download_days": settings.DOWNLOAD_LINK_MAX_AGE // 86400}


def _send_download_link(line) -> None:
    from marketplace.notifications import services as notifications

    notifications.send_later(order_id=line.order_id, code="DOWNLOAD_READY", key=f"download:{line.pk}",
                             **download_email(line))  # fmt: skip


# --- distribution licences --------------------------------------------------------------------------------------


def _check_code(line_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"licence-number:{line_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:8].upper()


def licence_number(line_id: int) -> str:
    return f"OSE-L-{line_id:07d}-{_check_code(line_id)}"


def _canonical(licence: DistributionLicence) -> str:
    return "|".join([
        licence.number, licence.licensee, licence.licensee_email, str(licence.design_id), licence.design_version,
        licence.terms, licence.issued_at.isoformat(),
    ])  # fmt: skip


def _sign(licence: DistributionLicence) -> str:
    return signing.Signer(salt="distribution-licence").signature(_canonical(licence))


def licence_terms_text(line) -> str:
    terms = getattr(line.product, "licence_terms", None) if line.product else None
    if terms is None:
        return "Distribution of the design under the OSE Certified brand, with the network's support."
    cap = f", up to {terms.unit_cap} units" if terms.unit_cap else ""
    where = "worldwide" if terms.territory.strip().lower() == "worldwide" else f"in {terms.territory}"
    return (
        f"Distribution by mass production for {terms.term_months} months {where}{cap}, "
        f"royalty {terms.royalty_percent}% of net sales, under the OSE Certified brand with the network's support."
    )


def _licensee_name(order) -> str:
    """Who the licence names: the account's full name, else the name on the order's address; the e-mail only when
    neither exists (the public licence page never shows it whole)."""
    user_name = order.user.get_full_name() if order.user else ""
    address = order.billing_address or order.shipping_address
    return user_name or (address.name if address else "") or order.email


def _issue_licence(line) -> None:
    if DistributionLicence.objects.filter(line=line).exists():
        return
    design = line.product.design
    licence = DistributionLicence(
        number=licence_number(line.pk), line=line,
        licensee=_licensee_name(line.order), licensee_email=line.order.email,
        design=design, design_version=design.version, terms=licence_terms_text(line),
        issued_at=timezone.now().replace(microsecond=0),
    )  # fmt: skip
    licence.signature = _sign(licence)
    licence.save()
    from marketplace.notifications import services as notifications

    licence_url = notifications.absolute(licence.get_absolute_url())
    notifications.send_later(order_id=line.order_id, code="LICENCE_ISSUED", key=f"licence:{licence.pk}", line=line,
                             licence=licence, licence_url=licence_url)  # fmt: skip


def verify_licence(number: str) -> tuple[str, DistributionLicence | None]:
    """valid: a licence we issued, unchanged since; unknown: no such licence; tampered: a number whose check code
    is wrong, or a record that no longer matches its signature."""
    match = LICENCE_NUMBER.match(number.strip().upper())
    if not match:
        return UNKNOWN, None
    if not hmac.compare_digest(match["check"], _check_code(int(match["line"]))):
        return TAMPERED, None
    licence = DistributionLicence.objects.select_related("design").filter(number=number.strip().upper()).first()
    if licence is None:
        return UNKNOWN, None
    if not hmac.compare_digest(licence.signature, _sign(licence)):
        return TAMPERED, licence
    return VALID, licence


