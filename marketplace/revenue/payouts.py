"""Payouts: the nightly run pays each operator's and contributor's balance over the threshold, by Stripe to a
connected account that can receive it or by hand (staff settle it with the bank's reference); where an operator is
paid by hand."""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from marketplace.money import require_shop_currency, shop_currency
from marketplace.money.policy import current_policy
from marketplace.revenue.models import Account, JournalEntry, Payout, Posting
from marketplace.revenue.selectors import balance
from marketplace.revenue.services import book, operator_account, shared_account

logger = logging.getLogger("marketplace.money")


def payable_accounts(threshold: Decimal):
    return (
        Account.objects.filter(kind__in=(Account.OPERATOR, Account.CONTRIBUTOR))
        .annotate(balance=Sum("postings__amount"))
        .filter(balance__gte=threshold)
        .order_by("pk")
    )


def pay_out(*, account_id: int, threshold: Decimal, currency: str) -> Payout | None:
    """Pay out an account's whole balance when it reaches the threshold: the balance is read under the account's
    row lock, so a payout never exceeds it and two runs never pay the same money twice."""
    from marketplace.payments import stripe_gateway

    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account_id)
        amount = balance(account)
        if amount < threshold or amount <= 0:
            return None
        method = Payout.STRIPE if account.paid_by_stripe and stripe_gateway.is_configured() else Payout.MANUAL
        payout = Payout.objects.create(account=account, amount=amount, currency=currency, method=method)
        book(
            reference=f"payout:{payout.pk}", kind=JournalEntry.PAYOUT, amount=amount,
            postings=[Posting(account=account, amount=-amount),
                      Posting(account=shared_account(Account.CLEARING), amount=amount)],
            memo=f"Payout {payout.pk} to {account.name}",
        )  # fmt: skip
        if method == Payout.STRIPE:
            from marketplace.revenue.tasks import transfer_payout_task

            transaction.on_commit(lambda: transfer_payout_task.delay(payout_id=payout.pk), robust=True)
    return payout


def run_payouts(*, currency: str | None = None) -> list[Payout]:
    threshold = current_policy().payout_threshold
    currency = currency or shop_currency()
    require_shop_currency(currency, what="A payout run")  # the ledger holds one currency, the shop's
    payouts = []
    for account_id in payable_accounts(threshold).values_list("pk", flat=True):
        payout = pay_out(account_id=account_id, threshold=threshold, currency=currency)
        if payout:
            payouts.append(payout)
    return payouts


def transfer_payout(*, payout_id: int) -> str:
    """Send a Stripe payout to the connected account, once: the key is our payout's id."""
    from marketplace.payments import stripe_gateway

    payout = Payout.objects.select_related("account").get(pk=payout_id)
    if payout.method != Payout.STRIPE or payout.status != Payout.PENDING or payout.stripe_transfer_id:
        return "nothing to transfer"
    if not payout.account.paid_by_stripe:  # Stripe disabled the account since the run: staff pay it by hand
        Payout.objects.filter(pk=payout.pk, status=Payout.PENDING, stripe_transfer_id="").update(method=Payout.MANUAL)
        return "paid by hand: the connected account cannot receive transfers"
    transfer = stripe_gateway.create_transfer(
        amount=payout.amount, currency=payout.currency, destination=payout.account.stripe_account_id,
        payout_id=payout.pk, idempotency_key=payout.idempotency_key,
    )  # fmt: skip
    Payout.objects.filter(pk=payout.pk, status=Payout.PENDING).update(
        stripe_transfer_id=transfer["id"], status=Payout.PAID, date_settled=timezone.now()
    )
    logger.info("payout %s transferred %s %s to %s", payout.pk, payout.amount, payout.currency, transfer["id"],
                extra={"event": "payout_transferred", "payout": payout.pk, "amount": str(payout.amount),
                       "currency": payout.currency})  # fmt: skip
    return "transferred"


@transaction.atomic
def settle_manual_payout(*, payout_id: int, actor, reference: str) -> Payout:
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if not actor.is_staff:
        raise ValidationError("Only staff settle payouts.")
    if payout.status == Payout.PENDING and payout.method == Payout.MANUAL:
        payout.status, payout.settled_by, payout.date_settled = Payout.PAID, actor, timezone.now()
        payout.reference = reference.strip()[:128]
        payout.save(update_fields=["status", "settled_by", "date_settled", "reference"])
    return payout


@transaction.atomic
def set_payout_details(*, partner_id: int, holder: str, details: str) -> Account:
    """Where the operator is paid by hand: its own account holder and bank details, on its own ledger account."""
    account = Account.objects.select_for_update().get(pk=operator_account(partner_id).pk)
    account.payout_holder, account.payout_details = holder, details
    account.payout_details_updated = timezone.now()
    account.save(update_fields=["payout_holder", "payout_details", "payout_details_updated"])
    return account
