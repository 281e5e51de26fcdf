"""The pooled marketing fund at work. The seed: "a collaboratively developed marketing function where we pool
marketing resources which everyone benefits from". Storefronts opt in to the pool, its members propose campaigns,
staff approve them, and a campaign spends out of the pool through the ledger, never past its budget nor past what the
pool holds. Orders a campaign brought are credited to it once."""

import secrets
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from marketplace.campaigns.attribution import Touch
from marketplace.campaigns.models import (
    CODE_ALPHABET,
    Campaign,
    CampaignSpending,
    OrderAttribution,
    Participation,
    PoolMembership,
)
from marketplace.money import cents
from marketplace.revenue.funds import spend_from_fund
from marketplace.revenue.models import Account
from marketplace.storefronts.models import Storefront

CODE_LENGTH = 7


# --- the pool ---------------------------------------------------------------------------------------------------


@transaction.atomic
def join_pool(*, storefront: Storefront) -> PoolMembership:
    """An active storefront opts in: it takes part in every approved campaign not yet over, from now on."""
    storefront = Storefront.objects.select_for_update().get(pk=storefront.pk)
    if storefront.status != Storefront.ACTIVE:
        raise ValidationError("Only an active storefront joins the marketing pool: wait for staff to approve yours.")
    membership = PoolMembership.objects.filter(storefront=storefront, left_at=None).first()
    if membership is not None:
        raise ValidationError("Your storefront is in the marketing pool already.")
    membership = PoolMembership.objects.create(storefront=storefront)
    for campaign in Campaign.objects.filter(status=Campaign.APPROVED, ends_on__gte=timezone.localdate()):
        _take_part(campaign=campaign, storefront=storefront)
    return membership


@transaction.atomic
def leave_pool(*, storefront: Storefront) -> PoolMembership:
    """A member leaves: it stops taking part in campaigns not yet over (its figures in finished ones stay), and no
    longer proposes campaigns. What its sales already put into the pool stays there."""
    membership = PoolMembership.objects.select_for_update().filter(storefront=storefront, left_at=None).first()
    if membership is None:
        raise ValidationError("Your storefront is not in the marketing pool.")
    now = timezone.now()
    membership.left_at = now
    membership.save(update_fields=["left_at"])
    Participation.objects.filter(
        storefront=storefront, withdrawn_at=None, campaign__ends_on__gte=timezone.localdate()
    ).update(withdrawn_at=now)
    return membership


def is_member(storefront: Storefront) -> bool:
    return PoolMembership.objects.filter(storefront=storefront, left_at=None).exists()


@transaction.atomic
def take_part(*, campaign: Campaign, storefront: Storefront) -> None:
    """A pool member takes part in an approved campaign not yet over (again, after stepping out)."""
    if not is_member(storefront):
        raise ValidationError("Join the marketing pool first: its members take part in its campaigns.")
    if campaign.status != Campaign.APPROVED or campaign.ends_on < timezone.localdate():
        raise ValidationError("Only an approved campaign not yet over takes new storefronts.")
    _take_part(campaign=campaign, storefront=storefront)


def step_out(*, campaign: Campaign, storefront: Storefront) -> None:
    """A member stops taking part in one campaign (it stays in the pool): the campaign's page no longer shows it."""
    stepped = Participation.objects.filter(campaign=campaign, storefront=storefront, withdrawn_at=None).update(
        withdrawn_at=timezone.now()
    )
    if not stepped:
        raise ValidationError("You do not take part in this campaign.")


def _take_part(*, campaign: Campaign, storefront: Storefront) -> None:
    Participation.objects.update_or_create(campaign=campaign, storefront=storefront,
                                           defaults={"withdrawn_at": None, "joined_at": timezone.now()})  # fmt: skip


# --- proposing and deciding -----------------------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "campaign"
    slug, number = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def new_referral_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Campaign.objects.filter(referral_code=code).exists():
            return code


@transaction.atomic
def propose_campaign(*, storefront: Storefront, title: str, description: str, budget, starts_on, ends_on) -> Campaign:
    """Any member of the pool proposes a campaign; staff decide."""
    if not is_member(storefront):
        raise ValidationError("Only members of the marketing pool propose campaigns: join the pool first.")
    if ends_on < starts_on:
        raise ValidationError("A campaign ends on or after the day it starts.")
    if ends_on < timezone.localdate():
        raise ValidationError("That campaign would be over already: choose an end date from today on.")
    return Campaign.objects.create(
        title=title, slug=_unique_slug(title), description=description, budget=cents(budget), starts_on=starts_on,
        ends_on=ends_on, referral_code=new_referral_code(), proposed_by=storefront,
    )  # fmt: skip


def _decidable(campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.PROPOSED:
        raise ValidationError(f"“{campaign.title}” is {campaign.get_status_display().lower()} already.")
    return campaign


@transaction.atomic
def approve_campaign(*, campaign: Campaign, staff, reason: str = "") -> Campaign:
    """Staff approve a proposal: every storefront in the pool now takes part, and the campaign may spend."""
    campaign = _decidable(campaign)
    campaign.status, campaign.decided_by, campaign.decided_at = Campaign.APPROVED, staff, timezone.now()
    campaign.decision_reason = reason
    campaign.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    members = PoolMembership.objects.filter(left_at=None, storefront__status=Storefront.ACTIVE)
    for membership in members.select_related("storefront"):
        _take_part(campaign=campaign, storefront=membership.storefront)
    return campaign


@transaction.atomic
def reject_campaign(*, campaign: Campaign, staff, reason: str) -> Campaign:
    """Staff turn a proposal down, saying why: the proposer reads it on its Marketing pool page."""
    if not reason.strip():
        raise ValidationError("Say why the proposal is rejected: its proposer reads the reason.")
    campaign = _decidable(campaign)
    campaign.status, campaign.decided_by, campaign.decided_at = Campaign.REJECTED, staff, timezone.now()
    campaign.decision_reason = reason
    campaign.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return campaign


@transaction.atomic
def finish_campaign(*, campaign: Campaign, staff) -> Campaign:
    """Staff close an approved campaign: it spends no more and credits no more orders; its page stays."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.APPROVED:
        raise ValidationError("Only an approved campaign is finished.")
    campaign.status = Campaign.FINISHED
    campaign.save(update_fields=["status"])
    return campaign


def set_referral_code(*, campaign: Campaign, code: str) -> Campaign:
    """Staff give a campaign a code people remember (SOLAR26); links with the old code stop counting."""
    code = code.strip().upper()
    if Campaign.objects.filter(referral_code=code).exclude(pk=campaign.pk).exists():
        raise ValidationError(f"Another campaign uses the code {code}: choose another.")
    campaign.referral_code = code
    campaign.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            campaign.save(update_fields=["referral_code"])
    except IntegrityError as error:
        raise ValidationError(f"Another campaign uses the code {code}: choose another.") from error
    return campaign


# --- spending -------------------------------------------------------------------------------------------------------


def spent(campaign: Campaign):
    return campaign.spendings.aggregate(total=Sum("amount"))["total"] or cents(0)


@transaction.atomic
def record_spending(*, campaign: Campaign, amount, paid_for: str, staff, spent_on=None) -> CampaignSpending:
    """Staff record what an approved campaign paid for: booked out of the marketing pool once
    (``campaign-spend:<pk>``), never past the campaign's budget (read under its row lock) nor past what the pool
    holds (the ledger refuses)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    amount = cents(amount)
    if campaign.status != Campaign.APPROVED:
        raise ValidationError(f"“{campaign.title}” is {campaign.get_status_display().lower()}: only an approved "
                              "campaign spends from the pool.")  # fmt: skip
    if amount <= 0:
        raise ValidationError("The amount spent must be more than 0.")
    left = campaign.budget - spent(campaign)
    if amount > left:
        raise ValidationError(
            f"That passes the campaign's budget of {campaign.budget}: {left} is left to spend, "
            "so record at most that (or staff approve a new campaign)."
        )
    spent_on = spent_on or timezone.localdate()
    spending = CampaignSpending.objects.create(campaign=campaign, amount=amount, paid_for=paid_for, recorded_by=staff,
                                               spent_on=spent_on)  # fmt: skip
    value_date = timezone.now()
    if spent_on != timezone.localdate():  # the fund pages count it in the month it was spent
        value_date = timezone.make_aware(datetime.combine(spent_on, time(12)))
    spending.entry = spend_from_fund(
        fund=Account.MARKETING_POOL, amount=amount, reference=spending.reference,
        memo=f"Campaign “{campaign.title}”: {paid_for}", value_date=value_date,
    )  # fmt: skip
    spending.save(update_fields=["entry"])
    return spending


# --- orders ---------------------------------------------------------------------------------------------------------


def attribute_order(*, order, touch: Touch | None) -> OrderAttribution | None:
    """Credit ``order`` to the campaign that brought its shopper, once: only a campaign approved and running on the
    day the order is placed; an unknown or ended campaign is ignored silently."""
    if touch is None:
        return None
    day = timezone.localdate(order.date_placed) if order.date_placed else timezone.localdate()
    campaign = Campaign.objects.filter(pk=touch.campaign_id).first()
    if campaign is None or not campaign.runs_on(day):
        return None
    attribution, _ = OrderAttribution.objects.get_or_create(
        order=order,
        defaults={"campaign": campaign, "how": touch.how, "touched_at": touch.arrived_at,
                  "utm_source": touch.utm_source, "utm_medium": touch.utm_medium, "utm_campaign": touch.utm_campaign},
    )  # fmt: skip
    return attribution
