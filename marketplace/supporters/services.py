"""True Fans writes: a storefront's offer, a supporter's plan (by card as a Stripe subscription, or by bank standing
order), each paid month recorded and booked in the ledger once, cancelling, the 24-month term's end, and the
reminder for a standing-order month that did not arrive."""

import datetime
import logging
import secrets
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from marketplace.money import cents, shop_currency
from marketplace.notifications.services import absolute, send_to_people
from marketplace.payments import billing
from marketplace.revenue.funds import allocate_support_payment
from marketplace.supporters import selectors
from marketplace.supporters.models import (
    PLAN_AMOUNTS,
    TERM_MONTHS,
    MissedMonthReminder,
    Support,
    SupportMonth,
    TrueFansOffer,
)
from tiers import rules

logger = logging.getLogger(__name__)
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mistype


class SupportError(ValidationError):
    """A refusal a page shows as it is: why, and what to do instead."""


# --- the storefront's offer ---------------------------------------------------------------------------------------


def tier_refusal(storefront) -> str:
    """Why this storefront may not offer True Fans by its tier's rule (``tiers.rules``), or an empty string."""
    return rules.true_fans_refusal(
        storefront_name=storefront.name, storefront_active=storefront.status == storefront.ACTIVE,
        tier_name=storefront.tier.name, tier_levels=storefront.tier.levels,
    )  # fmt: skip


def set_offer(*, storefront, enabled: bool, pitch: str) -> TrueFansOffer:
    """The operator opts in (or out) and writes its pitch. Opting in needs a tier that allows True Fans."""
    if enabled and (refusal := tier_refusal(storefront)):
        raise SupportError(refusal)
    offer, _ = TrueFansOffer.objects.update_or_create(
        storefront=storefront, defaults={"enabled": enabled, "pitch": pitch.strip()}
    )
    return offer


# --- starting a plan ----------------------------------------------------------------------------------------------


def parse_amount(value) -> Decimal:
    """A plan's monthly amount from a form's text: one of the plans, or a SupportError saying which there are."""
    plans = ", ".join(f"{amount:.0f}" for amount in PLAN_AMOUNTS)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SupportError(f"Choose a plan: {plans} {shop_currency()} a month.") from None
    if not amount.is_finite() or amount not in PLAN_AMOUNTS:
        raise SupportError(f"{value} is not a plan: choose {plans} {shop_currency()} a month.")
    return cents(amount)


def first_due_date(today: datetime.date) -> datetime.date:
    """A standing order's day: today's, but never after the 28th, so every month has it."""
    return today if today.day <= 28 else (today + relativedelta(months=1)).replace(day=1)


def _new_bank_reference() -> str:
    return "TF-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def start_support(*, user, storefront, amount: Decimal, term_months: int | None, method: str) -> Support:
    """A supporter's plan to a storefront that offers True Fans: $10, $20, $30, $50 or $100 a month, for 24 months or
    with no term. By bank, the supporter sets up a standing order quoting the plan's reference; by card, a Stripe
    subscription starts and its first invoice waits for the card (``client_secret`` on the returned plan)."""
    amount = parse_amount(amount)
    if term_months not in (None, TERM_MONTHS):
        raise SupportError(f"A plan runs for {TERM_MONTHS} months or with no end.")
    if method not in (Support.CARD, Support.BANK):
        raise SupportError("Choose how to pay: by card or by bank standing order.")
    if method == Support.CARD and not billing.is_configured():
        raise SupportError("This shop takes no cards at the moment: choose a bank standing order.")
    if not selectors.offers_true_fans(storefront):
        raise SupportError(f"{storefront.name} does not take True Fans supporters at the moment.")
    today = timezone.localdate()
    bank = method == Support.BANK
    try:
        with transaction.atomic():
            support = Support.objects.create(
                user=user, storefront=storefront, amount=amount, currency=shop_currency(), term_months=term_months,
                method=method, start_date=today, next_due_date=first_due_date(today) if bank else today,
                bank_reference=_new_bank_reference() if bank else "",
            )  # fmt: skip
    except IntegrityError:
        raise SupportError(
            f"You already support {storefront.name}: see your plan under My support, where you can cancel it "
            "before choosing another."
        ) from None
    support.client_secret = ""
    if method == Support.CARD:
        _subscribe(support)
    return support


def _subscribe(support: Support) -> None:
    """Ask Stripe for the subscription (outside any transaction: the plan exists, so a webhook that beats this
    answer finds it by its ``support_id``)."""
    name = support.user.get_full_name() or support.user.email
    try:
        subscription = billing.start_subscription(
            email=support.user.email, name=name, amount=support.amount, currency=support.currency,
            months=support.term_months, metadata={"support_id": support.pk, "storefront": support.storefront.slug},
        )  # fmt: skip
    except Exception:
        logger.exception("True Fans subscription for support %s could not start", support.pk)
        Support.objects.filter(pk=support.pk).update(status=Support.ENDED, ended_at=timezone.now())
        raise SupportError(
            "Your card plan could not be started: nothing was charged. Try again in a few minutes, or choose a bank "
            "standing order."
        ) from None
    Support.objects.filter(pk=support.pk).update(
        stripe_customer_id=subscription.customer_id, stripe_subscription_id=subscription.id
    )
    support.stripe_customer_id, support.stripe_subscription_id = subscription.customer_id, subscription.id
    support.client_secret = subscription.client_secret


# --- paid months --------------------------------------------------------------------------------------------------


def _term_done(support: Support) -> bool:
    return bool(support.term_months) and support.months.count() >= support.term_months


@transaction.atomic
def record_paid_month(
    *, support: Support, period_start: datetime.date, amount: Decimal, currency: str, paid_at: datetime.datetime,
    stripe_invoice_id: str = "", bank_reference: str = "", recorded_by=None, next_due_date=None,
) -> tuple[SupportMonth, bool]:  # fmt: skip
    """One paid month of a plan, and its ledger entry (``support:<month id>``: the card fee when a card paid it, the
    storefront's campus-fund share, the pool, the rest to the operator), in one transaction. The same invoice or the
    same month again records and books nothing more: (the month, False). A 24-month term ends with its 24th month."""
    support = Support.objects.select_for_update().select_related("storefront").get(pk=support.pk)
    known = SupportMonth.objects.filter(support=support)
    month = (known.filter(stripe_invoice_id=stripe_invoice_id).first() if stripe_invoice_id else None) or known.filter(
        period_start=period_start
    ).first()
    if month is not None:
        return month, False
    month = SupportMonth.objects.create(
        support=support, period_start=period_start, amount=cents(amount), currency=currency, paid_at=paid_at,
        method=support.method, stripe_invoice_id=stripe_invoice_id, bank_reference=bank_reference,
        recorded_by=recorded_by,
    )  # fmt: skip
    allocate_support_payment(
        reference=month.reference, partner_id=support.storefront.partner_id, amount=month.amount, currency=currency,
        card=support.method == Support.CARD, value_date=paid_at,
        memo=f"True Fans: {support.storefront.name}, {period_start:%B %Y}",
    )  # fmt: skip
    fields = {"status": Support.ACTIVE if support.status in (Support.PENDING, Support.PAST_DUE) else support.status}
    if support.method == Support.BANK:
        fields["next_due_date"] = period_start + relativedelta(months=1)
    elif next_due_date is not None:
        fields["next_due_date"] = next_due_date
    if _term_done(support):
        fields.update(status=Support.ENDED, ended_at=timezone.now(), next_due_date=None)
    Support.objects.filter(pk=support.pk).update(**fields, date_updated=timezone.now())
    return month, True


def record_bank_month(*, support: Support, amount, staff) -> SupportMonth:
    """Staff saw a standing order's month arrive: it is the month the plan expects next, and its amount must be the
    plan's (a different amount is a question for the supporter, not a month)."""
    if support.method != Support.BANK or support.status == Support.ENDED:
        raise SupportError("Only a running bank standing order has months to record.")
    try:
        received = cents(Decimal(str(amount).strip()))
    except (InvalidOperation, ValueError):
        raise SupportError("Give the amount received as a number, e.g. 20.00.") from None
    if received != support.amount:
        raise SupportError(
            f"The plan is {support.amount} {support.currency} a month, but {received} was given: record a month only "
            f"when the plan's amount arrived (ask the supporter about a different amount, reference "
            f"{support.bank_reference})."
        )
    month, created = record_paid_month(
        support=support, period_start=support.next_due_date, amount=received, currency=support.currency,
        paid_at=timezone.now(), bank_reference=support.bank_reference, recorded_by=staff,
    )  # fmt: skip
    return month


# --- Stripe's word on card plans (called by orderflow.receivers) --------------------------------------------------


def _support_for(subscription_id: str, metadata: dict) -> Support | None:
    support_id = str((metadata or {}).get("support_id", ""))
    if support_id.isdigit():
        support = Support.objects.filter(pk=int(support_id), method=Support.CARD).first()
        if support is not None:
            if not support.stripe_subscription_id:  # the webhook came before start_support saved the id
                Support.objects.filter(pk=support.pk, stripe_subscription_id="").update(
                    stripe_subscription_id=subscription_id
                )
            return support
    return Support.objects.filter(stripe_subscription_id=subscription_id).first() if subscription_id else None


def apply_invoice_paid(
    *, subscription_id: str, invoice_id: str, amount: Decimal, currency: str, paid_at, period_start, period_end,
    metadata: dict, **kwargs,
) -> str | None:  # fmt: skip
    """Stripe's ``invoice.paid`` for a True Fans subscription: the month it paid, booked once however often and in
    whatever order the event comes. None (apply again later) while the plan it names is not known yet."""
    support = _support_for(subscription_id, metadata)
    if support is None:
        if str((metadata or {}).get("support_id", "")).isdigit():
            return None
        return f"no True Fans plan for subscription {subscription_id}"
    if amount is None or cents(amount) <= 0:
        return f"invoice {invoice_id} paid nothing: no month recorded"
    start = timezone.localdate(period_start) if period_start else timezone.localdate(paid_at)
    month, created = record_paid_month(
        support=support, period_start=start, amount=amount, currency=currency, paid_at=paid_at or timezone.now(),
        stripe_invoice_id=invoice_id, next_due_date=timezone.localdate(period_end) if period_end else None,
    )  # fmt: skip
    return f"month {month.reference} {'recorded and booked' if created else 'already recorded'}"


STRIPE_STATUSES = {
    "active": Support.ACTIVE, "trialing": Support.ACTIVE, "past_due": Support.PAST_DUE, "unpaid": Support.PAST_DUE,
    "incomplete": Support.PENDING, "canceled": Support.ENDED, "incomplete_expired": Support.ENDED,
    "paused": Support.PAST_DUE,
}  # fmt: skip


@transaction.atomic
def apply_subscription_changed(
    *, subscription_id: str, status: str, cancel_at=None, current_period_end=None, metadata: dict, as_of=None,
    **kwargs,
) -> str | None:  # fmt: skip
    """Stripe's word on a subscription's state, the newest kept (an older event arriving late changes nothing). An
    ended plan stays ended; a plan set to stop (cancel_at, or cancelled at its period's end) is *ending*; a plan whose
    24-month term ended here stays ended whatever Stripe says."""
    found = _support_for(subscription_id, metadata)
    if found is None:
        if str((metadata or {}).get("support_id", "")).isdigit():
            return None
        return f"no True Fans plan for subscription {subscription_id}"
    support = Support.objects.select_for_update().get(pk=found.pk)
    if as_of is not None and support.status_as_of is not None and as_of < support.status_as_of:
        return f"plan {support.pk}: an older word from Stripe, kept {support.get_status_display().lower()}"
    if support.status == Support.ENDED:
        Support.objects.filter(pk=support.pk).update(status_as_of=as_of or support.status_as_of)
        return f"plan {support.pk} has ended"
    new = STRIPE_STATUSES.get(status, support.status)
    if new == Support.PENDING and support.months.exists():
        new = support.status  # a late "incomplete" after a paid month
    fields = {"status": new, "status_as_of": as_of or timezone.now(), "date_updated": timezone.now()}
    if new == Support.ACTIVE and cancel_at is not None and not _ends_with_term(support, cancel_at):
        fields["status"] = Support.ENDING
        fields["cancelled_at"] = support.cancelled_at or timezone.now()
    if new == Support.ENDED:
        fields["ended_at"] = timezone.now()
        fields["next_due_date"] = None
    elif current_period_end is not None and new != Support.PENDING:
        fields["next_due_date"] = timezone.localdate(current_period_end)
    Support.objects.filter(pk=support.pk).update(**fields)
    return f"plan {support.pk} {dict(Support.STATUS_CHOICES)[fields['status']].lower()}"


def _ends_with_term(support: Support, cancel_at) -> bool:
    """The cancel_at Stripe was given for a 24-month term is the term's end, not the supporter cancelling."""
    if not support.term_months or support.cancelled_at:
        return False
    term_end = support.start_date + relativedelta(months=support.term_months)
    return abs((timezone.localdate(cancel_at) - term_end).days) <= 2


# --- cancelling ---------------------------------------------------------------------------------------------------


def cancel_support(*, support: Support) -> str:
    """The supporter stops its plan, and is told what happens next. A card plan runs to the end of the month paid
    (Stripe charges no more); one not paid yet stops now. A standing order is the supporter's to stop at its bank:
    the shop stops expecting its months now."""
    if support.status == Support.ENDED:
        raise SupportError("This plan has ended already.")
    now = timezone.now()
    if support.method == Support.BANK:
        Support.objects.filter(pk=support.pk).update(
            status=Support.ENDED, cancelled_at=now, ended_at=now, next_due_date=None, date_updated=now
        )
        return (
            f"Your support of {support.storefront.name} has stopped. Ask your bank to cancel the standing order "
            f"with the reference {support.bank_reference}; a month that still arrives is sent back."
        )
    if support.status == Support.ENDING:
        raise SupportError("This plan is cancelled already: it ends after the month paid.")
    paid = support.months.exists()
    if support.stripe_subscription_id:
        try:
            billing.cancel_subscription(subscription_id=support.stripe_subscription_id, at_period_end=paid)
        except Exception:
            logger.exception("True Fans subscription %s could not be cancelled", support.stripe_subscription_id)
            raise SupportError(
                "Your card plan could not be cancelled just now (Stripe did not answer): nothing changed. Try again "
                "in a few minutes."
            ) from None
    if paid:
        Support.objects.filter(pk=support.pk).update(status=Support.ENDING, cancelled_at=now, date_updated=now)
        until = support.next_due_date
        return (
            f"Your support of {support.storefront.name} is cancelled: your card is not charged again, and the month "
            f"paid runs{f' until {until:%-d %B %Y}' if until else ' to its end'}."
        )
    Support.objects.filter(pk=support.pk).update(
        status=Support.ENDED, cancelled_at=now, ended_at=now, next_due_date=None, date_updated=now
    )
    return f"Your plan for {support.storefront.name} is cancelled before its first payment: nothing was charged."


# --- missed standing-order months ---------------------------------------------------------------------------------


def remind_missed_months(*, today: datetime.date | None = None) -> int:
    """Remind each supporter once whose standing-order month has not arrived ``SUPPORTER_REMIND_AFTER_DAYS`` days
    after its due date (one reminder per plan and due month, however often this runs). Returns how many went."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.SUPPORTER_REMIND_AFTER_DAYS)
    due = selectors.missed_bank_months(on_or_before=cutoff)
    sent = 0
    for support in due:
        with transaction.atomic():
            reminder, created = MissedMonthReminder.objects.get_or_create(
                support=support, due_date=support.next_due_date
            )
            if not created and reminder.sent_at:
                continue
            Support.objects.filter(pk=support.pk, status__in=(Support.ACTIVE, Support.PENDING)).update(
                status=Support.PAST_DUE
            )
            sent += send_to_people(
                code="SUPPORTER_MONTH_MISSED", users=[support.user], support=support,
                storefront=support.storefront, due_date=support.next_due_date, bank=selectors.bank_details(),
                support_url=absolute(reverse("supporters:mine")),
            )  # fmt: skip
            MissedMonthReminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    return sent
