"""Lifecycle stewardship: "lifecycle stewardship is included". A unit's owner asks for a repair, an upgrade or a
take-back; the request goes to the nearest operator who holds the design's mark (else the nearest who sells it), who
accepts, quotes (paid through the basket and checkout like any order, so the ledger splits it) and closes it with what
was done. A take-back records the material streams recovered and credits the owner once, with a voucher."""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from catalog.models import Product, ProductClass
from marketplace.lifecycle.models import Unit
from marketplace.notifications import services as notifications
from marketplace.stewardship import routing
from marketplace.stewardship.models import (
    MAX_KG,
    MAX_QUOTE,
    Decline,
    OwnersCredit,
    RecoveredMaterial,
    ServiceRequest,
    TakeBackCredit,
    Transfer,
)
from marketplace.storefronts.geo import Location, locate

logger = logging.getLogger(__name__)
StockRecord = get_model("partner", "StockRecord")
Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Benefit = get_model("offer", "Benefit")
Range = get_model("offer", "Range")
CommunicationEventType = get_model("communication", "CommunicationEventType")
Dispatcher = get_class("communication.utils", "Dispatcher")

SERVICE_CLASS = "level-1-digital"  # level 1, nothing to ship: the service is done on the unit itself
TRANSFER_DAYS = 14
CREDIT_DAYS = 730
TRANSFER_SALT = "stewardship-transfer"
EVENTS = {
    "TAKE_BACK_CREDIT": "A take-back credited (the voucher, to the unit's owner)",
    "UNIT_TRANSFER": "A unit passed on (the claim link, to the new owner's address)",
}


class StewardshipError(ValidationError):
    pass


# --- the owner ----------------------------------------------------------------------------------------------------


def default_location(unit: Unit) -> str:
    """Where the unit went: its order's shipping address, as "City, CC" (what ``locate`` reads)."""
    address = getattr(unit.line.order, "shipping_address", None)
    if address is None or not address.line4:
        return ""
    return f"{address.line4}, {address.country_id}"


def ask(*, unit: Unit, user, kind: str, description: str, location: str) -> ServiceRequest:
    """The owner asks for a repair, an upgrade or a take-back; the request goes where ``routing.route`` says."""
    if not user.is_authenticated or unit.owner_id != user.pk:
        raise StewardshipError(_("Only the unit's owner may ask for a repair, an upgrade or a take-back."))
    if unit.state not in (Unit.IN_SERVICE,):
        raise StewardshipError(
            _("This unit is %(state)s: only a unit in service can be repaired, upgraded or taken back.")
            % {"state": unit.get_state_display().lower()}
        )
    origin = locate(location)
    if origin is None:
        raise StewardshipError(
            {"location": _("We could not find “%(place)s”: give a city and its country code, e.g. Berlin, DE.")
             % {"place": location[:100]}}
        )  # fmt: skip
    if kind not in dict(ServiceRequest.KIND_CHOICES):
        raise StewardshipError({"kind": _("Choose a repair, an upgrade or a take-back.")})
    found = routing.route(design=unit.design, origin=origin)
    try:
        with transaction.atomic():
            return ServiceRequest.objects.create(
                unit=unit, owner=user, kind=kind, description=description.strip()[:2000], location=origin.label,
                latitude=_coordinate(origin.latitude), longitude=_coordinate(origin.longitude),
                storefront=found.storefront, route=found.reason, distance_km=found.distance_km,
            )  # fmt: skip
    except IntegrityError:
        raise StewardshipError(_("This unit already has an open request: see it below, or cancel it first.")) from None


def _coordinate(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def cancel(*, request: ServiceRequest, user) -> ServiceRequest:
    """The owner changed their mind: a request not yet paid nor done is cancelled, and the unit is back in service."""
    with transaction.atomic():
        request = _lock(request)
        if request.owner_id != user.pk:
            raise StewardshipError(_("Only the owner who asked may cancel this request."))
        if not request.is_live:
            raise StewardshipError(_("This request is already %(status)s.") % {"status": request.get_status_display()})
        if request.paid_at:
            raise StewardshipError(_("This request is paid: ask the operator to finish it, or to refund you."))
        request.status = ServiceRequest.CANCELLED
        request.save(update_fields=["status", "date_updated"])
        _withdraw_quote(request)
        Unit.objects.filter(pk=request.unit_id, state__in=(Unit.UNDER_REPAIR, Unit.TAKEN_BACK)).update(
            state=Unit.IN_SERVICE
        )
    return request


# --- the operator -------------------------------------------------------------------------------------------------


def _lock(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)


def _for(request: ServiceRequest, storefront, *, status: str) -> ServiceRequest:
    request = _lock(request)
    if request.storefront_id != storefront.pk:
        raise StewardshipError(_("This request went to another storefront."))
    if request.status != status:
        raise StewardshipError(
            _("This request is %(status)s: nothing to do here.") % {"status": request.get_status_display().lower()}
        )
    return request


def origin_of(request: ServiceRequest) -> Location:
    return Location(float(request.latitude), float(request.longitude), request.location)


@transaction.atomic
def decline(*, request: ServiceRequest, storefront, reason: str) -> ServiceRequest:
    """The operator says no, and why: the request goes to the next nearest, never back to one that declined."""
    request = _for(request, storefront, status=ServiceRequest.OPEN)
    reason = (reason or "").strip()
    if not reason:
        raise StewardshipError({"reason": _("Say why you decline: the owner reads it.")})
    Decline.objects.create(request=request, storefront=storefront, reason=reason[:1000])
    declined = set(request.declines.values_list("storefront_id", flat=True))
    found = routing.route(design=request.unit.design, origin=origin_of(request), exclude=declined)
    request.storefront, request.route, request.distance_km = found.storefront, found.reason, found.distance_km
    request.save(update_fields=["storefront", "route", "distance_km", "date_updated"])
    return request


@transaction.atomic
def accept(*, request: ServiceRequest, storefront) -> ServiceRequest:
    """A repair or upgrade puts the unit under repair; a take-back: the unit is taken back."""
    request = _for(request, storefront, status=ServiceRequest.OPEN)
    request.status, request.accepted_at = ServiceRequest.ACCEPTED, timezone.now()
    request.save(update_fields=["status", "accepted_at", "date_updated"])
    state = Unit.TAKEN_BACK if request.kind == ServiceRequest.TAKE_BACK else Unit.UNDER_REPAIR
    Unit.objects.filter(pk=request.unit_id).update(state=state)
    return request


@transaction.atomic
def quote(*, request: ServiceRequest, storefront, amount: Decimal, covers: str) -> ServiceRequest:
    """A price for the work, paid like any order: a one-off service product (level 1, nothing to ship, not listed)
    held by the operator's partner at that price, which only the request's owner adds to a basket."""
    request = _for(request, storefront, status=ServiceRequest.ACCEPTED)
    if request.paid_at:
        raise StewardshipError(_("The owner paid the quote already: close the request when the work is done."))
    if amount is None or not Decimal("0") < amount <= MAX_QUOTE:
        raise StewardshipError({"amount": _("Give an amount above 0 and at most %(max)s.") % {"max": MAX_QUOTE}})
    covers = (covers or "").strip()
    if not covers:
        raise StewardshipError({"covers": _("Say what the amount covers: the owner reads it before paying.")})
    if not storefront.partner_id:
        raise StewardshipError(_("Your storefront has no partner account yet: ask the shop's staff."))
    amount = amount.quantize(Decimal("0.01"))
    title = _("%(kind)s of unit %(serial)s") % {"kind": request.get_kind_display(), "serial": request.unit.serial}
    offer = request.quote_offer
    if offer is None:
        product = Product.objects.create(
            title=title[:255], product_class=ProductClass.objects.get(slug=SERVICE_CLASS), is_public=False
        )
        offer = StockRecord.objects.create(
            product=product, partner_id=storefront.partner_id, partner_sku=f"service-{request.pk}",
            price=amount, price_currency=settings.OSCAR_DEFAULT_CURRENCY, num_in_stock=None,
        )  # fmt: skip
    else:
        offer.price, offer.withdrawn_at = amount, None
        offer.save(update_fields=["price", "withdrawn_at"])
    request.quote_amount, request.quote_covers, request.quote_offer = amount, covers[:1000], offer
    request.save(update_fields=["quote_amount", "quote_covers", "quote_offer", "date_updated"])
    return request


def _withdraw_quote(request: ServiceRequest) -> None:
    if request.quote_offer_id:
        StockRecord.objects.filter(pk=request.quote_offer_id).update(withdrawn_at=timezone.now())


def may_buy_quote(*, request: ServiceRequest, user) -> bool:
    return bool(
        user.is_authenticated and request.owner_id == user.pk and request.status == ServiceRequest.ACCEPTED
        and request.quote_offer_id and not request.paid_at
    )  # fmt: skip


def quote_paid(*, order) -> list[int]:
    """An order was paid: each quote on it, bought by the request's owner, is marked paid (once), and its one-off
    offer is withdrawn so it is not bought twice. Returns the requests marked."""
    marked = []
    lines = order.lines.filter(stockrecord__service_request__isnull=False).values_list(
        "stockrecord__service_request", flat=True
    )
    for request_id in lines:
        with transaction.atomic():
            request = ServiceRequest.objects.select_for_update().get(pk=request_id)
            if request.paid_at or order.user_id != request.owner_id:
                continue
            request.paid_order, request.paid_at = order, timezone.now()
            request.save(update_fields=["paid_order", "paid_at", "date_updated"])
            _withdraw_quote(request)
            marked.append(request.pk)
    return marked


def unit_price_paid(unit: Unit) -> Decimal:
    return unit.line.unit_price_incl_tax or Decimal("0.00")


def clean_materials(materials: dict) -> dict:
    streams = dict(RecoveredMaterial.STREAM_CHOICES)
    cleaned = {}
    for stream, kg in (materials or {}).items():
        if stream not in streams:
            raise StewardshipError(_("Unknown material stream: %(s)s.") % {"s": stream})
        if kg is None:
            continue
        if not Decimal("0") <= kg <= MAX_KG:
            raise StewardshipError({stream: _("Give 0 to %(max)s kg.") % {"max": MAX_KG}})
        cleaned[stream] = kg.quantize(Decimal("0.001"))
    return cleaned


def close(*, request: ServiceRequest, storefront, outcome: str, materials: dict | None = None,
          credit: Decimal | None = None) -> ServiceRequest:  # fmt: skip
    """The work is done, and what was done. A repair or upgrade: the unit is in service again. A take-back: the unit is
    recycled, the streams recovered are recorded, and the owner is credited once (closing twice, a double click or
    two workers at once book one voucher: the request's row lock, then a one-to-one request → credit)."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.status == ServiceRequest.CLOSED and locked.storefront_id == storefront.pk:
            return locked  # closed already: nothing twice
        request = _for(request, storefront, status=ServiceRequest.ACCEPTED)
        outcome = (outcome or "").strip()
        if not outcome:
            raise StewardshipError({"outcome": _("Say what was done: it shows on the unit's public page.")})
        if request.awaits_payment:
            raise StewardshipError(_("The owner has not paid the quote yet: close the request once it is paid."))
        now = timezone.now()
        unit = Unit.objects.select_for_update().get(pk=request.unit_id)
        if request.kind == ServiceRequest.TAKE_BACK:
            cleaned = clean_materials(materials)
            credit = (credit or Decimal("0")).quantize(Decimal("0.01"))
            paid = unit_price_paid(unit)
            if not Decimal("0") <= credit <= paid:
                raise StewardshipError({"credit": _("Give a credit from 0 up to the unit's price paid, %(paid)s.")
                                        % {"paid": paid}})  # fmt: skip
            for stream, kg in cleaned.items():
                RecoveredMaterial.objects.update_or_create(request=request, stream=stream, defaults={"kg": kg})
            unit.state, unit.retired_at = Unit.RECYCLED, now
            unit.save(update_fields=["state", "retired_at"])
            if credit > 0:
                _book_credit(request=request, amount=credit)
        else:
            unit.state = Unit.IN_SERVICE
            unit.save(update_fields=["state"])
        request.status, request.outcome, request.closed_at = ServiceRequest.CLOSED, outcome[:2000], now
        request.save(update_fields=["status", "outcome", "closed_at", "date_updated"])
        _withdraw_quote(request)
    return request


def _book_credit(*, request: ServiceRequest, amount: Decimal) -> TakeBackCredit:
    """One voucher (single use, this owner's basket only) worth ``amount`` off their next order; the caller holds the
    request's row lock, and the one-to-one request → credit refuses a second."""
    existing = TakeBackCredit.objects.filter(request=request).first()
    if existing is not None:
        return existing
    everything, _created = Range.objects.get_or_create(
        name="Everything (take-back credits)", defaults={"includes_all_products": True}
    )
    condition = OwnersCredit.objects.create(proxy_class=f"{OwnersCredit.__module__}.{OwnersCredit.__name__}")
    benefit = Benefit.objects.create(range=everything, type=Benefit.FIXED, value=amount)
    name = f"Take-back credit, request {request.pk}"
    offer = ConditionalOffer.objects.create(
        name=name, offer_type=ConditionalOffer.VOUCHER, condition=condition, benefit=benefit,
        max_global_applications=1, description="A take-back's credit, for its owner's next order.",
    )  # fmt: skip
    now = timezone.now()
    voucher = Voucher.objects.create(
        name=name, code=f"TAKEBACK-{secrets.token_hex(4).upper()}", usage=Voucher.SINGLE_USE,
        start_datetime=now, end_datetime=now + timedelta(days=CREDIT_DAYS),
    )  # fmt: skip
    voucher.offers.add(offer)
    credit = TakeBackCredit.objects.create(request=request, voucher=voucher, owner_id=request.owner_id, amount=amount)
    owner = request.owner
    path = reverse("stewardship:request", kwargs={"serial": request.unit.serial, "pk": request.pk})
    transaction.on_commit(lambda: _send_credit(owner, credit, path), robust=True)
    return credit


def _send_credit(owner, credit: TakeBackCredit, path: str) -> None:
    notifications.send_to_people(
        code="TAKE_BACK_CREDIT", users=[owner], credit=credit, code_text=credit.voucher.code,
        request_url=notifications.absolute(path),
    )  # fmt: skip


# --- ownership passed on ------------------------------------------------------------------------------------------


def start_transfer(*, unit: Unit, user, email: str) -> Transfer:
    """The owner gives the new owner's address; a signed, single-use link that expires goes there. The page says the
    same whatever the address (an account or not)."""
    if not user.is_authenticated or unit.owner_id != user.pk:
        raise StewardshipError(_("Only the unit's owner may pass it on."))
    if unit.service_requests.filter(status__in=ServiceRequest.LIVE).exists():
        raise StewardshipError(_("Finish or cancel the unit's open request before passing it on."))
    email = (email or "").strip()
    if email.casefold() == (user.email or "").casefold():
        raise StewardshipError({"email": _("That is your own address: give the new owner's.")})
    transfer = Transfer.objects.create(
        unit=unit, from_user=user, to_email=email, expires_at=timezone.now() + timedelta(days=TRANSFER_DAYS)
    )
    token = signing.dumps({"t": transfer.pk}, salt=TRANSFER_SALT)
    url = notifications.absolute(reverse("stewardship:claim", kwargs={"token": token}))
    context = {"unit": unit, "claim_url": url, "days": TRANSFER_DAYS, "site_url": settings.SITE_URL.rstrip("/")}
    transaction.on_commit(lambda: _email_address("UNIT_TRANSFER", email, context), robust=True)
    return transfer


def _email_address(code: str, email: str, context: dict) -> None:
    CommunicationEventType.objects.get_or_create(
        code=code, defaults={"name": EVENTS[code], "category": CommunicationEventType.USER_RELATED}
    )
    dispatcher = Dispatcher(logger=logger)
    dispatcher.dispatch_direct_messages(email, dispatcher.get_messages(code, context))


def transfer_for_token(token: str) -> Transfer | None:
    """The transfer a claim link names, or None when it is forged, used, expired or its giver no longer owns it."""
    try:
        data = signing.loads(token, salt=TRANSFER_SALT, max_age=timedelta(days=TRANSFER_DAYS))
    except signing.BadSignature:
        return None
    transfer = Transfer.objects.select_related("unit__design").filter(pk=data.get("t")).first()
    if transfer is None or transfer.claimed_at or transfer.expires_at <= timezone.now():
        return None
    if transfer.unit.owner_id != transfer.from_user_id:
        return None
    return transfer


def claim(*, token: str, user) -> Unit:
    """The new owner, signed in to their own account, takes the unit: once (the transfer's row lock)."""
    transfer = transfer_for_token(token)
    if transfer is None:
        raise StewardshipError(_("This link has been used, has expired or is not whole: ask the owner for a new one."))
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        unit = Unit.objects.select_for_update().get(pk=transfer.unit_id)
        if transfer.claimed_at or unit.owner_id != transfer.from_user_id:
            raise StewardshipError(_("This link has been used: the unit has passed on already."))
        if user.pk == transfer.from_user_id:
            raise StewardshipError(_("You own this unit already: send the link to the new owner."))
        transfer.claimed_by, transfer.claimed_at = user, timezone.now()
        transfer.save(update_fields=["claimed_by", "claimed_at"])
        unit.owner = user
        unit.save(update_fields=["owner"])
    return unit
