"""Reads for the ledger: balances come from postings, always."""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from marketplace.money import cents
from marketplace.money.policy import current_policy
from marketplace.revenue.models import Account, AllocationPolicy, JournalEntry, Payout, Posting

ZERO = Decimal("0.00")


def balance(account: Account) -> Decimal:
    return cents(account.postings.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


def accounts_with_balances() -> QuerySet:
    return Account.objects.annotate(balance=Coalesce(Sum("postings__amount"), ZERO))


def ledger_total() -> Decimal:
    """Zero, always: every entry balances."""
    return cents(Posting.objects.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


def unbalanced_entries() -> QuerySet:
    half_cent = Decimal("0.005")  # exact on PostgreSQL; SQLite's float sums need the tolerance
    return JournalEntry.objects.annotate(total=Coalesce(Sum("postings__amount"), ZERO)).filter(
        Q(total__gte=half_cent) | Q(total__lte=-half_cent)
    )


def postings_for(account: Account) -> QuerySet:
    return account.postings.select_related("entry", "entry__order", "design").order_by("-entry__value_date", "-pk")


def payouts_for(account: Account) -> QuerySet:
    return Payout.objects.filter(account=account).order_by("-date_created", "-pk")


def fund_by_month(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind)
        .annotate(month=TruncMonth("entry__value_date"))
        .values("month")
        .annotate(total=Sum("amount"), money_in=Coalesce(Sum("amount", filter=Q(amount__gt=0)), ZERO))
        .order_by("month")
    )


def fund_by_storefront(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind)
        .values("partner__name", "partner__storefront__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "partner__name")
    )


def fund_by_design(kind: str) -> list[dict]:
    return list(
        Posting.objects.filter(account__kind=kind, design__isnull=False)
        .values("design__name", "design__slug")
        .annotate(total=Sum("amount"))
        .order_by("-total", "design__name")
    )


def fund_total(kind: str) -> Decimal:
    return cents(Posting.objects.filter(account__kind=kind).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"])


# --- pages: the public campus fund, an operator's or contributor's own ledger, the staff overview -----------------

FUNDS = (Account.CAMPUS_FUND, Account.MARKETING_POOL)


def _fund_sum(kind: str):
    return Coalesce(Sum("amount", filter=Q(account__kind=kind)), ZERO)


def fund_report() -> dict:
    """What the public campus fund page shows: both funds' totals, money in by month, and where it came from (by
    storefront, by design; postings without a design are grouped as one row, so every table adds up to the total)."""
    funds = Posting.objects.filter(account__kind__in=FUNDS)
    sums = {kind: _fund_sum(kind) for kind in FUNDS}
    return {
        "totals": funds.aggregate(**sums),
        "by_month": {kind: fund_by_month(kind) for kind in FUNDS},
        "by_storefront": list(
            funds.values(
                "partner__name", "partner__storefront__name", "partner__storefront__slug", "partner__storefront__status"
            )
            .annotate(**sums)
            .order_by(f"-{Account.CAMPUS_FUND}", "partner__name")
        ),  # fmt: skip
        "by_design": list(
            funds.values("design__name", "design__slug")
            .annotate(**sums)
            .order_by(f"-{Account.CAMPUS_FUND}", "design__name")
        ),
    }


def fund_postings() -> QuerySet:
    """Every posting to the public funds, oldest first, as plain values for the CSV export: the order's number
    leaves the ledger, nothing about the shopper does."""
    return (
        Posting.objects.filter(account__kind__in=FUNDS)
        .order_by("entry__value_date", "pk")
        .values_list("entry__value_date", "account__kind", "amount", "partner__storefront__name", "partner__name",
                     "design__name", "entry__order__number")
    )  # fmt: skip


def storefront_account(user) -> tuple:
    """The user's own storefront and its ledger account (None before the first sale): the only way an operator's
    page reaches the ledger, so no request can name another operator's account."""
    from marketplace.storefronts.models import Storefront

    storefront = Storefront.objects.select_related("partner").filter(operator_id=user.pk).first()
    if storefront is None or storefront.partner_id is None:
        return storefront, None
    return storefront, Account.objects.filter(kind=Account.OPERATOR, partner_id=storefront.partner_id).first()


def royalty_account_for(user) -> Account | None:
    return Account.objects.filter(kind=Account.CONTRIBUTOR, user_id=user.pk).first()


def ledger_postings(account: Account) -> QuerySet:
    """An account's postings, newest first, with what the ledger page shows of each: the order's number, the line's
    title (the entry's memo and amount cover the whole order, which may hold other operators' lines: the page leaves
    them out)."""
    return account.postings.select_related("entry", "entry__order", "line").order_by("-entry__value_date", "-pk")


def ledger_summary(account: Account | None) -> dict:
    """Balance, and what made it: sales allocated, refunds reversed, payouts and corrections."""
    kinds = (JournalEntry.ALLOCATION, JournalEntry.REFUND, JournalEntry.PAYOUT, JournalEntry.CORRECTION)
    if account is None:
        return {"balance": ZERO, **dict.fromkeys(kinds, ZERO)}
    return account.postings.aggregate(
        balance=Coalesce(Sum("amount"), ZERO),
        **{kind: Coalesce(Sum("amount", filter=Q(entry__kind=kind)), ZERO) for kind in kinds},
    )


def accounts_overview() -> QuerySet:
    return (
        Account.objects.select_related("partner__storefront", "user")
        .annotate(balance=Coalesce(Sum("postings__amount"), ZERO))
        .order_by("kind", "name")
    )


def pending_manual_payouts() -> QuerySet:
    return (
        Payout.objects.filter(status=Payout.PENDING, method=Payout.MANUAL)
        .select_related("account__partner__storefront", "account__user")
        .order_by("date_created", "pk")
    )


def recent_payouts(limit: int = 20) -> QuerySet:
    return Payout.objects.select_related("account", "settled_by").order_by("-date_created", "-pk")[:limit]


def policy_history(limit: int = 20) -> QuerySet:
    return AllocationPolicy.objects.select_related("created_by").order_by("-date_created", "-pk")[:limit]


def next_payout(account: Account | None, *, balance: Decimal) -> dict:
    """What the nightly payout run (03:00, ``run-payouts``) will do for this account: pay the whole balance once it
    reaches the policy's threshold, by Stripe to a connected account that can receive transfers, else by hand to the
    bank details given."""
    from marketplace.payments import stripe_gateway

    threshold = current_policy().payout_threshold
    by_stripe = bool(account and account.paid_by_stripe and stripe_gateway.is_configured())
    return {
        "threshold": threshold,
        "due": balance >= threshold and balance > 0,
        "amount": balance,
        "method": "stripe" if by_stripe else "manual",
        "needs_details": not by_stripe and not (account and account.payout_details),
    }


def statement_rows(account: Account):
    """An account's postings, oldest first, as its statement lists them: date, what, order, item, amount."""
    return (
        account.postings.select_related("entry", "entry__order", "line")
        .order_by("entry__value_date", "pk")
        .values_list("entry__value_date", "entry__kind", "entry__order__number", "line__title", "amount")
    )
