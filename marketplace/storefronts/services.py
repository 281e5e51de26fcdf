"""Storefront writes: onboarding, approval, suspension. Every state change leaves an event and tells the operator."""

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.storefronts import hosts
from marketplace.storefronts.models import Storefront, StorefrontEvent
from marketplace.storefronts.tasks import send_storefront_event_email_task

Partner = get_model("partner", "Partner")


def _record(storefront: Storefront, *, actor, action: str, reason: str = "", notify: bool = True) -> StorefrontEvent:
    event = StorefrontEvent.objects.create(storefront=storefront, actor=actor, action=action, reason=reason)
    if notify:
        send_storefront_event_email_task.delay_on_commit(event_id=event.pk)
    return event


@transaction.atomic
def apply_for_storefront(*, operator, contract: dict | None = None, **fields) -> Storefront:
    """Anyone signed in may apply to open one storefront; it waits, pending, for staff. Operators "subscribe to the
    OSE Social Contract": once a version is published, applying accepts the current one (``contract``: the version,
    name, e-mail and address given), recorded in the same transaction as the application."""
    from marketplace.contract import selectors as contract_selectors
    from marketplace.contract import services as contract_services

    if Storefront.objects.filter(operator=operator).exists():
        raise ValidationError("You already have a storefront.")
    version = contract_selectors.current_version()
    if version is not None and (contract is None or contract.get("version") != version):
        raise ValidationError(f"Read and accept version {version.number} of the OSE Social Contract to apply.")
    storefront = Storefront(operator=operator, status=Storefront.PENDING, **fields)
    storefront.full_clean()
    storefront.save()
    if version is not None:
        contract_services.accept_version(user=operator, **contract)
    _record(storefront, actor=operator, action="applied", notify=False)
    return storefront


def _lock(storefront: Storefront) -> Storefront:
    return Storefront.objects.select_for_update().get(pk=storefront.pk)


@transaction.atomic
def approve_storefront(*, storefront: Storefront, staff, notify: bool = True) -> Storefront:
    """Staff approve: the storefront gets its Oscar partner, its operator access to the dashboard."""
    storefront = _lock(storefront)
    if storefront.status != Storefront.PENDING:
        raise ValidationError(f"Only a pending storefront can be approved; this one is {storefront.status}.")
    if storefront.partner_id is None:
        storefront.partner = Partner.objects.create(name=storefront.name, code=f"store-{storefront.slug}")
    storefront.partner.users.add(storefront.operator)
    storefront.operator.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    storefront.status, storefront.status_reason = Storefront.ACTIVE, ""
    storefront.save()
    _record(storefront, actor=staff, action="approved", notify=notify)
    return storefront


def _move(storefront: Storefront, *, staff, source: str, target: str, action: str, reason: str = "") -> Storefront:
    """One status change: from ``source`` only, under a row lock, with an event that tells the operator."""
    storefront = _lock(storefront)
    if storefront.status != source:
        raise ValidationError(f"Only a {source} storefront can be {action}; this one is {storefront.status}.")
    storefront.status, storefront.status_reason = target, reason
    storefront.save()
    _record(storefront, actor=staff, action=action, reason=reason)
    return storefront


@transaction.atomic
def reject_storefront(*, storefront: Storefront, staff, reason: str) -> Storefront:
    if not reason.strip():
        raise ValidationError("Say why the storefront is rejected: the applicant reads it.")
    return _move(storefront, staff=staff, source=Storefront.PENDING, target=Storefront.REJECTED, action="rejected",
                 reason=reason)  # fmt: skip


@transaction.atomic
def suspend_storefront(*, storefront: Storefront, staff, reason: str) -> Storefront:
    """Its offers leave the shop at once (the strategy and every offer list read the status); nothing is deleted."""
    if not reason.strip():
        raise ValidationError("Say why the storefront is suspended.")
    return _move(storefront, staff=staff, source=Storefront.ACTIVE, target=Storefront.SUSPENDED, action="suspended",
                 reason=reason)  # fmt: skip


@transaction.atomic
def reinstate_storefront(*, storefront: Storefront, staff) -> Storefront:
    return _move(storefront, staff=staff, source=Storefront.SUSPENDED, target=Storefront.ACTIVE, action="reinstated")


@transaction.atomic
def update_storefront(*, storefront: Storefront, operator, form) -> Storefront:
    """The operator changes its own storefront's settings (the form holds only the fields it may change)."""
    if storefront.operator_id != operator.pk:
        raise ValidationError("You can only change your own storefront.")
    previous_host = Storefront.objects.filter(pk=storefront.pk).values_list("custom_host", flat=True).first()
    storefront = form.save()
    hosts.sync_site(storefront=storefront, previous_host=previous_host)
    if storefront.partner_id and storefront.partner.name != storefront.name:
        Partner.objects.filter(pk=storefront.partner_id).update(name=storefront.name)
    _record(storefront, actor=operator, action="updated", notify=False)
    return storefront


def send_event_email(*, event_id: int) -> bool:
    """Tell the operator what happened to their storefront; at most once per event."""
    from django.utils import timezone

    from marketplace.notifications import services as notifications

    with transaction.atomic():
        event = StorefrontEvent.objects.select_for_update().select_related("storefront__operator").get(pk=event_id)
        if event.notified_at:
            return False
        storefront = event.storefront
        page = notifications.absolute(reverse("storefronts:dashboard"))
        notifications.send_to_people(code="STOREFRONT_CHANGED", users=[storefront.operator], storefront=storefront,
                                     event=event, storefront_url=page)  # fmt: skip
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return True


@transaction.atomic
def save_offer(*, storefront: Storefront, product, price, num_in_stock=None):
    """Create or change this storefront's offer of ``product`` (imports and APIs come through here).

    The stock record's own validation applies the storefront's tier rules (tiers.rules.check_offer)."""
    from oscar.core.loading import get_model

    StockRecord = get_model("partner", "StockRecord")
    offer = StockRecord.objects.filter(partner=storefront.partner, product=product).first() or StockRecord(
        partner=storefront.partner, product=product, partner_sku=f"{storefront.slug}-{product.pk}"
    )
    offer.price, offer.price_currency, offer.num_in_stock = price, settings.OSCAR_DEFAULT_CURRENCY, num_in_stock
    offer.full_clean()
    offer.save()
    return offer
